"""Thin Celery tasks, one per stage: parse the input into a schema, call the stage, hand on the output.

Each task sends the next stage's task itself, inside its failure guard, before its own message
is acknowledged (late ack): so a Redis outage while handing on requeues the message instead of
losing the article, which Celery's chain callbacks (sent after the task body) cannot promise.
Every failure ends as one ErrorEvent and stops the article; transient failures are retried first
with exponential backoff and jitter (see failures.py).
"""

from collections.abc import Callable
from typing import Any

from celery import Celery, Signature, Task
from celery.signals import task_rejected, worker_process_init

from schemas.article import CleanArticle
from schemas.entities import AnalysedArticle
from schemas.result import ErrorReason, Stage
from worker.config import Settings
from worker.errors import InvalidArticle
from worker.failures import StageRunner, Where, report_rejected_message
from worker.logging import get_logger
from worker.payloads import parse_raw, payload_id
from worker.runtime import Runtime
from worker.stages.clean import clean
from worker.stages.entities import analyse
from worker.stages.summary import summarise

TASK_NAMES = ("newsflow.clean", "newsflow.entities", "newsflow.summarise")
STAGES = (Stage.CLEAN, Stage.ENTITIES, Stage.SUMMARISE)

log = get_logger("newsflow.tasks")


class StageTask(Task):  # type: ignore[misc]
    """A stage task: knows its stage and the process runtime; reports hard time limits."""

    Request = "worker.failures:StageRequest"
    stage: Stage
    runtime: Runtime


def _check_tokens(article: CleanArticle, settings: Settings) -> None:
    tokens = len(article.text.split())
    if tokens > settings.max_tokens:
        raise InvalidArticle(
            ErrorReason.TOO_MANY_TOKENS, f"{tokens} tokens exceed the limit of {settings.max_tokens}"
        )


def stage_signature(
    app: Celery, stage: Stage, document: object, *, revision: int = 0, k: int | None = None
) -> Signature:
    """The task message that runs ``stage`` on ``document`` (and, from there, the rest)."""
    return app.signature(
        TASK_NAMES[STAGES.index(stage)], args=(document,), kwargs={"revision": revision, "k": k}
    )


def _hand_on(task: StageTask, document: str, revision: int, k: int | None) -> None:
    following = STAGES[STAGES.index(task.stage) + 1]
    stage_signature(task.app, following, document, revision=revision, k=k).apply_async()


def register_tasks(app: Celery, settings: Settings) -> dict[str, Callable[..., Any]]:
    """Define the stage tasks on ``app``; returns them by name."""
    runtime = Runtime(settings)
    runner = StageRunner(runtime)

    def options(stage: Stage) -> dict[str, Any]:
        return {
            "name": TASK_NAMES[STAGES.index(stage)],
            "bind": True,
            "shared": False,
            "base": StageTask,
            "stage": stage,
            "runtime": runtime,
            "max_retries": settings.max_retries,
            "soft_time_limit": settings.soft_time_limits_s[stage.value],
            "time_limit": settings.hard_time_limits_s[stage.value],
        }

    @app.task(**options(Stage.CLEAN))
    def clean_task(self: StageTask, payload: object, revision: int = 0, k: int | None = None) -> None:
        with runner.guard(self, Where(Stage.CLEAN, payload_id(payload), revision, payload)):
            cleaned = clean(parse_raw(payload), settings)
            _hand_on(self, cleaned.model_dump_json(), revision, k)

    @app.task(**options(Stage.ENTITIES))
    def entities_task(self: StageTask, document: str, revision: int = 0, k: int | None = None) -> None:
        with runner.guard(self, Where(Stage.ENTITIES, payload_id(document), revision, document)):
            article = CleanArticle.model_validate_json(document)
            _check_tokens(article, settings)
            analysed = analyse(article, runtime.nlp, chunk_chars=settings.ner_chunk_chars)
            _hand_on(self, analysed.model_dump_json(), revision, k)

    @app.task(**options(Stage.SUMMARISE))
    def summarise_task(self: StageTask, document: str, revision: int = 0, k: int | None = None) -> None:
        with runner.guard(self, Where(Stage.SUMMARISE, payload_id(document), revision, document)):
            article = AnalysedArticle.model_validate_json(document)
            result = summarise(article, k or settings.summary_sentences)
            if revision:
                result = result.model_copy(update={"revision": revision})
            entry = runtime.delivery.publish_result(result)
            log.info("article_published" if entry else "article_already_published", entry=entry)

    @worker_process_init.connect(weak=False)
    def _warm_up(**_: object) -> None:
        consume_from = app.amqp.queues.consume_from
        runtime.warm_up({q.name for q in consume_from.values()} if consume_from else set(settings.queues))

    @task_rejected.connect(weak=False)
    def _rejected(message: Any = None, exc: BaseException | None = None, **_: object) -> None:
        report_rejected_message(runtime, message, exc)

    return {t.name: t for t in (clean_task, entities_task, summarise_task)}
