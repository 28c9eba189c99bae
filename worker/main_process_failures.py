"""Failures the worker's main process reports, for tasks that never ran or were killed.

``StageRequest`` is the stage tasks' Celery request: when the pool kills a task at its hard
time limit, the main process writes the article's ErrorEvent. ``report_rejected_message``
reports a message the worker refused to run (undecodable, or a content type it does not
accept, such as a pickle).
"""

from typing import Any

from celery.worker.request import Request

from schemas.result import ErrorReason, Stage
from worker.errors import PipelineError, TransientError
from worker.failures import REDIS_DOWN, Where, dead_letter, input_hash
from worker.logging import get_logger
from worker.payloads import payload_id
from worker.runtime import Runtime
from worker.task_message import revision_of

log = get_logger("newsflow.failures")


class StageRequest(Request):  # type: ignore[misc]
    """Reports a hard time limit (the pool killed the process) as an ErrorEvent."""

    def on_timeout(self, soft: bool, timeout: float) -> None:
        """Report a hard time limit, then let Celery acknowledge the message; when Redis is down
        the report cannot be written, and the message is rejected instead (not requeued: on
        RabbitMQ it is dead-lettered, and ends as an ErrorEvent from there once Redis is back)."""
        if not soft:
            task: Any = self.task
            args, kwargs = self.args or [None], self.kwargs or {}
            where = Where(task.stage, payload_id(args[0]), revision_of(kwargs), args[0])
            failure = TransientError(
                ErrorReason.TIMEOUT, f"{task.stage.value} exceeded its hard time limit of {timeout} s"
            )
            try:
                dead_letter(task.runtime, where, failure, task_id=self.id, attempt=1)
            except REDIS_DOWN as down:
                log.warning("timeout_not_recorded", article_id=where.article_id, error=str(down))
                self.reject(requeue=False)  # Celery's acknowledgement below then does nothing
            if task.runtime.metrics is not None:  # the killed process could not count its own run
                task.runtime.metrics.stage_ended(task.stage.value, "failed", timeout)
        super().on_timeout(soft, timeout)


def report_rejected_message(runtime: Runtime, message: Any, exc: BaseException | None) -> None:
    """An undecodable or disallowed message (e.g. a pickle) the worker refused to run."""
    headers = getattr(message, "headers", None) or {}
    task_id = str(headers.get("id") or "unknown")
    content_type = getattr(message, "content_type", "unknown")
    failure = PipelineError(
        ErrorReason.INVALID_MESSAGE,
        f"message of content type {content_type!r} for task {headers.get('task')!r} was refused: {exc}",
    )
    body = getattr(message, "body", b"")
    where = Where(Stage.SUBMIT, f"message-{task_id}", 0, input_hash(repr(body)))
    dead_letter(runtime, where, failure, task_id=task_id, attempt=1)
