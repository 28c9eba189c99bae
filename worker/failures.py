"""The failure policy: every way a stage can fail ends as a retry or exactly one ErrorEvent."""

import hashlib
import json
import math
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

import redis
import structlog
from celery import Task
from celery.exceptions import Ignore, Reject, Retry, SoftTimeLimitExceeded
from kombu.exceptions import OperationalError
from pydantic import BaseModel

from schemas.article import CleanArticle
from schemas.result import ErrorEvent, ErrorReason, Stage
from worker import PIPELINE_VERSION
from worker.config import Settings
from worker.delivery import StageMark
from worker.errors import PipelineError, TransientError
from worker.fusion import soft_limit
from worker.logging import get_logger
from worker.runtime import Runtime

if TYPE_CHECKING:  # the index needs numpy: it loads with the first stage run, not on import
    from worker.duplicates import Later

# Redis is both broker and store: when it is unreachable, or refuses writes for now (full, under
# the noeviction policy the worker requires, or a replica that is read-only), nothing can be sent
# or recorded, and the only safe move is to leave the message for redelivery.
REDIS_DOWN = (
    redis.ConnectionError,
    redis.TimeoutError,
    redis.exceptions.OutOfMemoryError,
    redis.exceptions.ReadOnlyError,
    OperationalError,
)
TRANSIENT = (*REDIS_DOWN, TransientError)
# On RabbitMQ, how long a task waits before it requeues its message because Redis is down.
REQUEUE_PAUSE_S = 1.0
# Why a message comes back without an error event: it was requeued or its worker was lost.
UNFINISHED = "each time its worker died, or Redis was down or full and the message was requeued"
# Why RabbitMQ moves a message out of a stage queue into the dead letters (x-death's reason).
DEAD_LETTER_REASONS = frozenset({"delivery_limit", "rejected"})

log = get_logger("newsflow.failures")


def as_text(payload: object) -> str:
    """A payload as JSON text (a str payload is kept as it came; a stage document handed on
    between fused stages as an object is the JSON the next stage's queue would have carried)."""
    if isinstance(payload, BaseModel):
        return payload.model_dump_json()
    return payload if isinstance(payload, str) else json.dumps(payload, sort_keys=True, default=str)


def input_hash(payload: object) -> str:
    """A reference to an input that could not be kept: its hash and size."""
    data = as_text(payload).encode("utf-8", "surrogatepass")
    return f"sha256:{hashlib.sha256(data).hexdigest()} bytes:{len(data)}"


@dataclass(frozen=True)
class Where:
    """Which article, revision and stage a failure belongs to, and the stage's input.

    ``later``: the article's near-duplicate lookup still under way (a fused task's), whose answer
    goes into the input kept for ``dead --requeue``.
    """

    stage: Stage
    article_id: str
    revision: int
    payload: object
    later: "Later | None" = None


def dead_letter(
    runtime: Runtime, where: Where, failure: PipelineError, *, task_id: str | None, attempt: int
) -> None:
    """Publish one ErrorEvent for ``where`` (at most once per article revision)."""
    delivery = runtime.delivery
    payload = where.payload
    if where.later is not None and isinstance(payload, CleanArticle):
        payload = where.later.apply(payload)
    kept = delivery.keep_input(where.article_id, as_text(payload))
    event = ErrorEvent(
        article_id=where.article_id,
        stage=where.stage,
        reason=failure.reason,
        message=failure.message[:2000],
        retryable=failure.retryable,
        attempt=attempt,
        input_ref=kept or input_hash(where.payload),
        task_id=task_id,
        revision=where.revision,
        pipeline_version=PIPELINE_VERSION,
    )
    delivery.mark(where.article_id, **{where.stage.value: f"failed:{failure.reason.value}"})
    entry = delivery.publish_error(event)
    if entry and runtime.metrics is not None:
        runtime.metrics.published_one("error")
    log.warning(
        "article_failed",
        article_id=where.article_id,
        stage=where.stage.value,
        reason=failure.reason.value,
        message=failure.message[:300],
        dead_entry=entry,
    )


def rabbit_deliveries(task: Task, settings: Settings) -> None:
    """On RabbitMQ: stop an article whose message came back ``max_deliveries`` times, or whose
    message the broker dead-lettered from a stage queue past its ``x-delivery-limit``.

    A quorum queue numbers the times a message was returned (``x-delivery-count``: a worker lost,
    a requeue, a connection closed); that replaces the Redis counter. The check runs before the
    stage, so the message that keeps killing its worker is not run again. The broker's limit is
    one return beyond it, for when this check could not finish (Redis down, the worker died):
    the message goes to the dead-letter queue every worker consumes and lands here again, with
    an ``x-death`` entry naming the stage queue. (A retry's countdown passes through Celery's
    delayed-delivery queues, which leave ``expired`` entries: those are no reason to stop.)
    """
    headers = vars(task.request)
    stopped = [
        death
        for death in headers.get("x-death") or []
        if isinstance(death, dict)
        and death.get("queue") in settings.all_queues
        and death.get("reason") in DEAD_LETTER_REASONS
    ]
    if stopped:
        reason = stopped[0]["reason"]
        message = f"RabbitMQ dead-lettered it ({reason}): " + (
            "its task could not write its error event (see the worker's log)"
            if reason == "rejected"
            else "its worker died or it was requeued each time"
        )
        raise PipelineError(ErrorReason.WORKER_LOST, message)
    returned = int(headers.get("x-delivery-count") or 0)
    if returned >= settings.max_deliveries:
        message = f"delivered {returned + 1} times without finishing: {UNFINISHED}"
        raise PipelineError(ErrorReason.WORKER_LOST, message)


class StageRunner:
    """Runs one stage inside a task with the project's failure policy."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def _backoff(self, retries: int) -> float:
        cap = self.runtime.settings.retry_backoff_max_s
        delay = random.uniform(0, min(cap, 2**retries))
        if self.runtime.settings.broker_is_amqp:
            # RabbitMQ's native delayed delivery counts whole seconds: kombu refuses a countdown
            # that rounds down to 0 ("countdown must be a positive number").
            return float(max(1, math.ceil(delay)))
        return float(delay)

    def _failure(self, task: Task, stage: Stage, exc: Exception) -> PipelineError:
        """What an exception means for the article; raises Retry when it should run again."""
        if isinstance(exc, TRANSIENT):
            if task.request.retries < self.runtime.settings.max_retries:
                log.info("stage_retry", error=str(exc), attempt=task.request.retries + 1)
                try:
                    raise task.retry(exc=exc, countdown=self._backoff(task.request.retries)) from exc
                except Reject as unsent:  # Celery could not send the retry: the broker is down
                    log.warning("retry_not_sent", error=str(unsent.reason))
                    raise Reject("broker unavailable", requeue=True) from None
            return TransientError(ErrorReason.TRANSIENT_FAILURE, str(exc))
        if isinstance(exc, PipelineError):
            return exc
        if isinstance(exc, SoftTimeLimitExceeded):
            return TransientError(ErrorReason.TIMEOUT, f"{stage.value} exceeded its soft time limit")
        log.exception("stage_crashed")  # a bug: report it, never lose the article silently
        return PipelineError(ErrorReason.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}")

    def _count_delivery(self, task: Task, where: Where) -> None:
        """Dead-letter a message that keeps killing its worker instead of looping forever.

        Only redeliveries are counted (the Redis transport flags a message it puts back after
        a lost worker, a requeue or a visibility timeout): a first delivery costs no round trip.
        RabbitMQ counts them itself (``rabbit_deliveries``).
        """
        if self.runtime.settings.broker_is_amqp:
            rabbit_deliveries(task, self.runtime.settings)
            return
        if not (task.request.delivery_info or {}).get("redelivered"):
            return
        key = f"{self.runtime.settings.key_prefix}:deliveries:{task.request.id}:{task.request.retries}"
        client = self.runtime.delivery.client
        with client.pipeline(transaction=False) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.runtime.settings.visibility_timeout_s * 4)
            redeliveries = int(pipe.execute()[0])
        if redeliveries >= self.runtime.settings.max_deliveries:
            message = f"delivered {redeliveries + 1} times without finishing: {UNFINISHED}"
            raise PipelineError(ErrorReason.WORKER_LOST, message)

    def _count(self, where: Where, outcome: str, started: float) -> None:
        metrics = self.runtime.metrics
        if metrics is not None:
            metrics.stage_ended(where.stage.value, outcome, time.perf_counter() - started)

    def record_marks(self, article_id: str, marks: list[StageMark]) -> None:
        """Write status marks that no publish carried (the article was handed on, or failed).

        Best effort: the work is handed on or reported, only the status lines would be missing.
        """
        try:
            self.runtime.delivery.mark_stages_done(article_id, marks)
        except redis.RedisError as failed:
            log.warning("status_not_recorded", error=str(failed))

    def _report(self, task: Task, where: Where, exc: Exception) -> str:
        """Write the failure's ErrorEvent ("failed"), or raise ``Retry``, or ``Reject``: requeued
        while Redis is down or full, not requeued when the event cannot be written otherwise (a
        bug), for the broker to dead-letter (RabbitMQ; on Redis, recovery resubmits it)."""
        try:
            failure = self._failure(task, where.stage, exc)
            attempt = task.request.retries + 1
            dead_letter(self.runtime, where, failure, task_id=task.request.id, attempt=attempt)
        except (Retry, Reject):  # a retry, or one that could not be sent
            raise
        except REDIS_DOWN as down:
            log.warning("redis_unavailable_requeue", error=str(down))
            if self.runtime.settings.broker_is_amqp:
                # RabbitMQ is up and hands the message straight back: a pause keeps a long
                # Redis outage from spinning through its deliveries (each one counts).
                with suppress(SoftTimeLimitExceeded):  # the requeue must still happen
                    time.sleep(REQUEUE_PAUSE_S)
            raise Reject("redis unavailable", requeue=True) from None
        except Exception:
            log.exception("error_event_not_written")
            raise Reject("the error event could not be written", requeue=False) from None
        return "failed"

    @contextmanager
    def guard(
        self, task: Task, where: Where, *, first: bool = True, soft_limit_s: float | None = None
    ) -> Iterator[None]:
        """Turn every failure of the stage into a retry, a requeue or one ErrorEvent (``_report``).

        ``first``: the task's own stage, whose message delivery is counted (a fused stage after
        it is not). ``soft_limit_s``: the stage's own soft limit, for a stage sharing its task.
        """
        structlog.contextvars.bind_contextvars(
            article_id=where.article_id, stage=where.stage.value, task_id=task.request.id
        )
        started = time.perf_counter()
        metrics = self.runtime.metrics
        if metrics is not None:
            metrics.stage_started(where.stage.value)
        try:
            if first:
                self._count_delivery(task, where)
            with soft_limit(soft_limit_s) if soft_limit_s else nullcontext():
                yield
        except (Ignore, Retry, Reject):
            raise
        except Exception as exc:
            outcome = "requeued"
            try:
                outcome = self._report(task, where, exc)
            except Retry:
                outcome = "retry"
                raise
            finally:
                self._count(where, outcome, started)
            raise Ignore() from exc
        else:
            self._count(where, "done", started)
            duration_ms = round((time.perf_counter() - started) * 1000, 3)
            log.info("stage_done", duration_ms=duration_ms)
        finally:
            if metrics is not None:
                metrics.stage_left(where.stage.value)
            structlog.contextvars.clear_contextvars()
