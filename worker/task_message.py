"""A stage task's arguments, checked before its stage runs.

``stage_signature`` (worker/tasks.py) writes one document and the options ``revision``, ``k``
and ``max_words``. A message sent by any other client reaches the task as Celery decoded it:
too few or too many arguments, an option nobody knows, or a value of the wrong type would
otherwise fail inside Celery's call, before the failure guard, and the message would be
acknowledged with no error event, or a bad ``revision`` would be published as given.
"""

from dataclasses import dataclass
from typing import Final

from schemas.result import ErrorReason
from worker.errors import PipelineError

OPTIONS: Final = ("revision", "k", "max_words")
# The largest whole number every JSON reader keeps exactly (and Redis's Lua compares exactly).
LARGEST: Final = 2**53 - 1


@dataclass(frozen=True)
class StageCall:
    """What one stage message asks for: its document, its revision and the summary's length."""

    document: object
    revision: int
    k: int | None
    words: int | None


def _whole(value: object, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= LARGEST


def _invalid(message: str) -> PipelineError:
    return PipelineError(ErrorReason.INVALID_MESSAGE, message)


def revision_of(kwargs: dict[str, object]) -> int:
    """The message's revision when it is a valid one, else 0 (for the error event of a message
    whose arguments are not valid)."""
    revision = kwargs.get("revision", 0)
    return revision if isinstance(revision, int) and _whole(revision, 0) else 0


def stage_call(args: tuple[object, ...], kwargs: dict[str, object]) -> StageCall:
    """The message's call; ``PipelineError`` (``invalid_message``) naming what is wrong."""
    if len(args) != 1:
        raise _invalid(f"a stage message carries one document, this one {len(args)} positional arguments")
    unknown = sorted(set(kwargs) - set(OPTIONS))
    if unknown:
        raise _invalid(f"unknown options {unknown!r}: a stage message takes {', '.join(OPTIONS)}")
    revision = kwargs.get("revision", 0)
    if not isinstance(revision, int) or not _whole(revision, 0):
        raise _invalid(f"revision must be a whole number from 0 to {LARGEST}, not {revision!r:.80}")
    lengths: list[int | None] = []
    for option in ("k", "max_words"):
        value = kwargs.get(option)
        if value is not None and not _whole(value, 1):
            raise _invalid(f"{option} must be a whole number from 1 to {LARGEST} or null, not {value!r:.80}")
        lengths.append(value if isinstance(value, int) else None)
    return StageCall(args[0], revision, lengths[0], lengths[1])
