"""The exception tree: what is retried, what is reported at once."""

from schemas.result import ErrorReason


class PipelineError(Exception):
    """A failure the pipeline knows how to report, with a stable reason code."""

    retryable = False

    def __init__(self, reason: ErrorReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class InvalidArticle(PipelineError):
    """The input itself is unusable; retrying cannot help."""


class TransientError(PipelineError):
    """A failure of the surroundings (Redis, a timeout) that a retry may cure."""

    retryable = True


class UsageError(Exception):
    """A mistake in how a command was called (a missing file, an empty folder): one line for a person."""
