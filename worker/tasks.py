"""Thin Celery tasks, one per stage: parse the input into a schema, call the stage, dump the output.

Every failure ends as one ErrorEvent (published and dead-lettered) and stops the chain;
transient failures are retried first with exponential backoff and jitter.
"""

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import redis
import structlog
from celery import Celery, Task
from celery.exceptions import Ignore, Retry, SoftTimeLimitExceeded
from celery.signals import worker_process_init
from pydantic import ValidationError

from schemas.article import CleanArticle, RawArticle
from schemas.entities import AnalysedArticle
from schemas.result import ErrorEvent, ErrorReason, Stage
from worker import PIPELINE_VERSION
from worker.config import Settings
from worker.errors import InvalidArticle, PipelineError, TransientError
from worker.identity import article_id_for
from worker.logging import get_logger
from worker.runtime import Runtime
from worker.stages.clean import clean
from worker.stages.entities import analyse
from worker.stages.summary import summarise

TASK_NAMES = ("newsflow.clean", "newsflow.entities", "newsflow.summarise")
_TRANSIENT = (redis.ConnectionError, redis.TimeoutError, TransientError)

log = get_logger("newsflow.tasks")


def parse_raw(payload: object) -> RawArticle:
    """A RawArticle from a dict or a JSON text; InvalidArticle with a reason code otherwise."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except json.JSONDecodeError as exc:
            raise InvalidArticle(ErrorReason.INVALID_JSON, f"payload is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise InvalidArticle(ErrorReason.INVALID_SCHEMA, "payload is not a JSON object")
    try:
        return RawArticle.model_validate(payload)
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'article'}: {e['msg']}" for e in exc.errors())
        raise InvalidArticle(ErrorReason.INVALID_SCHEMA, f"not a RawArticle: {details}") from exc


def payload_id(payload: object) -> str:
    """The best id for an input that may not even parse: its own id, else a hash of it."""
    if isinstance(payload, str):
        try:
            parsed = json.loads(payload)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict):
            return payload_id(parsed)
    if isinstance(payload, dict):
        given = payload.get("id")
        if isinstance(given, str) and given:
            return given[:200]
        try:
            return article_id_for(RawArticle.model_validate(payload))
        except ValidationError:
            pass
    text = payload if isinstance(payload, str) else json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _input_ref(payload: object) -> str:
    text = payload if isinstance(payload, str) else json.dumps(payload, sort_keys=True, default=str)
    data = text.encode("utf-8", "surrogatepass")
    return f"sha256:{hashlib.sha256(data).hexdigest()} bytes:{len(data)}"


class StageRunner:
    """Runs one stage inside a task with the project's failure policy."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def _dead_letter(self, task: Task, where: "_Where", failure: PipelineError) -> None:
        stage, article_id, payload = where
        event = ErrorEvent(
            article_id=article_id,
            stage=stage,
            reason=failure.reason,
            message=failure.message[:2000],
            retryable=failure.retryable,
            attempt=task.request.retries + 1,
            input_ref=_input_ref(payload),
            task_id=task.request.id,
            pipeline_version=PIPELINE_VERSION,
        )
        entry = self.runtime.delivery.publish_error(event)
        log.warning(
            "article_failed", reason=failure.reason.value, message=failure.message[:300], dead_entry=entry
        )

    def _backoff(self, retries: int) -> float:
        cap = self.runtime.settings.retry_backoff_max_s
        return float(random.uniform(0, min(cap, 2**retries)))

    def _failure(self, task: Task, stage: Stage, exc: Exception) -> PipelineError:
        """What an exception means for the article; raises Retry when it should run again."""
        if isinstance(exc, _TRANSIENT):
            if task.request.retries < self.runtime.settings.max_retries:
                log.info("stage_retry", error=str(exc), attempt=task.request.retries + 1)
                raise task.retry(exc=exc, countdown=self._backoff(task.request.retries)) from exc
            return TransientError(ErrorReason.TRANSIENT_FAILURE, str(exc))
        if isinstance(exc, PipelineError):
            return exc
        if isinstance(exc, SoftTimeLimitExceeded):
            return TransientError(ErrorReason.TIMEOUT, f"{stage.value} exceeded its time limit")
        log.exception("stage_crashed")  # a bug: report it, never lose the article silently
        return PipelineError(ErrorReason.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}")

    @contextmanager
    def guard(self, task: Task, stage: Stage, article_id: str, payload: object) -> Iterator[None]:
        """Turn every failure of the stage into a retry or one ErrorEvent, then stop the chain."""
        structlog.contextvars.bind_contextvars(
            article_id=article_id, stage=stage.value, task_id=task.request.id
        )
        started = time.perf_counter()
        try:
            yield
        except (Ignore, Retry):
            raise
        except Exception as exc:
            self._dead_letter(task, (stage, article_id, payload), self._failure(task, stage, exc))
            raise Ignore() from exc
        else:
            log.info("stage_done", duration_ms=round((time.perf_counter() - started) * 1000, 3))
        finally:
            structlog.contextvars.clear_contextvars()


_Where = tuple[Stage, str, object]


def _article_id_of(document: str) -> str:
    try:
        value = json.loads(document).get("article_id")
    except (json.JSONDecodeError, AttributeError):
        value = None
    return value if isinstance(value, str) else payload_id(document)


def register_tasks(app: Celery, settings: Settings) -> dict[str, Callable[..., Any]]:
    """Define the stage tasks on ``app``; returns them by name."""
    runtime = Runtime(settings)
    runner = StageRunner(runtime)

    @app.task(name=TASK_NAMES[0], bind=True, shared=False, max_retries=settings.max_retries)
    def clean_task(self: Task, payload: object) -> str:
        with runner.guard(self, Stage.CLEAN, payload_id(payload), payload):
            return clean(parse_raw(payload), runtime.settings).model_dump_json()
        raise AssertionError("unreachable")  # pragma: no cover

    @app.task(name=TASK_NAMES[1], bind=True, shared=False, max_retries=settings.max_retries)
    def entities_task(self: Task, document: str) -> str:
        with runner.guard(self, Stage.ENTITIES, _article_id_of(document), document):
            article = CleanArticle.model_validate_json(document)
            return analyse(article, runtime.nlp, chunk_chars=settings.ner_chunk_chars).model_dump_json()
        raise AssertionError("unreachable")  # pragma: no cover

    @app.task(name=TASK_NAMES[2], bind=True, shared=False, max_retries=settings.max_retries)
    def summarise_task(self: Task, document: str, k: int | None = None) -> None:
        with runner.guard(self, Stage.SUMMARISE, _article_id_of(document), document):
            article = AnalysedArticle.model_validate_json(document)
            result = summarise(article, k or settings.summary_sentences)
            entry = runtime.delivery.publish_result(result)
            log.info("article_published" if entry else "article_already_published", entry=entry)

    @worker_process_init.connect(weak=False)
    def _warm_up(**_: object) -> None:
        consumed = (
            {queue.name for queue in app.amqp.queues.consume_from.values()}
            if app.amqp.queues.consume_from
            else set(settings.queues)
        )
        runtime.warm_up(consumed)

    return {t.name: t for t in (clean_task, entities_task, summarise_task)}
