"""Thin Celery tasks, one per stage: parse the input into a schema, call the stage, hand on the output.

Each task sends the next stage's task itself, inside its failure guard, before its own message
is acknowledged (late ack): so a Redis outage while handing on requeues the message instead of
losing the article, which Celery's chain callbacks (sent after the task body) cannot promise.
When the worker also consumes the next stage's queue, that stage runs in the same task instead
(worker/fusion.py), each stage still under its own guard.
Every failure ends as one ErrorEvent and stops the article; transient failures are retried first
with exponential backoff and jitter (see failures.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import Celery, Signature, Task
from celery.exceptions import Ignore
from celery.signals import celeryd_after_setup, task_rejected, worker_init, worker_process_init

from schemas.article import CleanArticle
from schemas.entities import AnalysedArticle
from schemas.result import ArticleResult, ErrorReason, Stage
from worker.config import Settings
from worker.delivery import StageMark, now_ms
from worker.errors import InvalidArticle
from worker.failures import StageRunner, Where, report_rejected_message
from worker.fusion import ORDER, can_fuse, chain_limits, consumed_stages, fused_chain, next_stage
from worker.inflight import ARTICLE_HEADER
from worker.logging import get_logger
from worker.payloads import parse_raw, payload_id
from worker.runtime import Runtime

TASK_NAMES = ("newsflow.clean", "newsflow.entities", "newsflow.summarise")
STAGES = ORDER

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


def _clean(document: object, runtime: Runtime) -> CleanArticle | ArticleResult:
    """The clean stage, then the duplicate index; under ``skip`` a copy's short result."""
    # The stages (spaCy, trafilatura, SciPy) load when first run, not when a producer imports this.
    from worker.duplicates import annotate, short_result
    from worker.stages.clean import clean

    settings = runtime.settings
    cleaned = clean(parse_raw(document), settings)
    if settings.duplicates == "off":
        return cleaned
    cleaned = annotate(cleaned, runtime.duplicates)
    if settings.duplicates == "skip" and cleaned.duplicate_of is not None:
        return short_result(cleaned)
    return cleaned


def _entities(document: object, runtime: Runtime) -> AnalysedArticle:
    """The entities stage with the model of the article's language (rule-based without one)."""
    from worker.stages.entities import analyse_in_language

    article = (
        document if isinstance(document, CleanArticle) else CleanArticle.model_validate_json(str(document))
    )
    _check_tokens(article, runtime.settings)
    nlp = runtime.nlp_for(article.language)
    return analyse_in_language(article, nlp, chunk_chars=runtime.settings.ner_chunk_chars)


@dataclass(frozen=True)
class _Output:
    """A stage's output document, and the queue of its own the next stage takes it from, if any.

    The document stays an object while the next stage runs in the same task (fused), and becomes
    JSON only when it is handed on through the broker.
    """

    document: CleanArticle | AnalysedArticle
    queue: str | None = None


def _publish(runtime: Runtime, result: ArticleResult, revision: int, marks: list[StageMark]) -> None:
    """Publish the result with the task's status marks in the same round trip."""
    if revision:
        result = result.model_copy(update={"revision": revision})
    entry = runtime.delivery.publish_result(result, marks)
    if entry and runtime.metrics is not None:
        runtime.metrics.published_one("result")
    log.info("article_published" if entry else "article_already_published", entry=entry)


def stage_signature(
    app: Celery,
    stage: Stage,
    document: object,
    *,
    revision: int = 0,
    k: int | None = None,
    max_words: int | None = None,
    article_id: str | None = None,
) -> Signature:
    """The task message that runs ``stage`` on ``document`` (and, from there, the rest).

    With ``article_id`` the message names its article in a header (``inflight.ARTICLE_HEADER``),
    which tells recovery the article still has a message.
    """
    kwargs: dict[str, int | None] = {"revision": revision, "k": k}
    if max_words is not None:
        kwargs["max_words"] = max_words
    options = {"headers": {ARTICLE_HEADER: article_id}} if article_id is not None else {}
    return app.signature(TASK_NAMES[STAGES.index(stage)], args=(document,), kwargs=kwargs, options=options)


def _consumed_queues(app: Celery, settings: Settings) -> set[str]:
    """The queues a worker of ``app`` consumes (every stage queue when no -Q was given)."""
    consume_from = app.amqp.queues.consume_from
    return set(consume_from) if consume_from else set(settings.queues)


def register_tasks(app: Celery, settings: Settings) -> dict[str, Callable[..., Any]]:
    """Define the stage tasks on ``app``; returns them by name."""
    runtime = Runtime(settings)
    runner = StageRunner(runtime)

    def run_stage(
        stage: Stage, document: object, k: int | None, words: int | None
    ) -> _Output | ArticleResult:
        """One stage on its input: the output document, or the result to publish."""
        if stage is Stage.CLEAN:
            cleaned = _clean(document, runtime)
            if isinstance(cleaned, ArticleResult):
                return cleaned
            queue = settings.entities_queue(cleaned.language)
            return _Output(cleaned, None if queue == settings.queue_entities else queue)
        if stage is Stage.ENTITIES:
            return _Output(_entities(document, runtime))
        from worker.stages.summary import summarise

        analysed = (
            document
            if isinstance(document, AnalysedArticle)
            else AnalysedArticle.model_validate_json(str(document))
        )
        return summarise(
            analysed, k or settings.summary_sentences, max_words=words or settings.summary_max_words
        )

    def run(task: StageTask, document: object, revision: int, k: int | None, words: int | None) -> None:
        """Run the task's stage and the fused stages after it; hand the next one on through Redis.

        Each stage's status mark is taken when its work is done. The marks ride in the publish's
        round trip; a task that hands the article on, or ends it as an error event, writes those
        it has in one round trip at its end. One that is retried or requeued writes none: its
        next run marks its stages again.
        """
        chain = fused_chain(task.stage, runtime.fused)
        marks: list[StageMark] = []
        try:
            for position, stage in enumerate(chain):
                where = Where(stage, payload_id(document), revision, document)
                limit = settings.soft_time_limits_s[stage.value] if len(chain) > 1 else None
                with runner.guard(task, where, first=position == 0, soft_limit_s=limit):
                    output = run_stage(stage, document, k, words)
                    marks.append((stage.value, now_ms()))
                    if isinstance(output, ArticleResult):
                        _publish(runtime, output, revision, marks)
                        return
                    following = next_stage(stage)
                    if following is None:
                        return
                    if following not in chain or output.queue is not None:
                        handed_on = output.document.model_dump_json()
                        stage_signature(
                            task.app,
                            following,
                            handed_on,
                            revision=revision,
                            k=k,
                            max_words=words,
                            article_id=output.document.article_id,
                        ).apply_async(**({"queue": output.queue} if output.queue else {}))
                        runner.record_marks(payload_id(document), marks)
                        return
                document = output.document
        except Ignore:  # dead-lettered: the stages before the failed one did finish
            runner.record_marks(payload_id(document), marks)
            raise

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
    def clean_task(
        self: StageTask,
        payload: object,
        revision: int = 0,
        k: int | None = None,
        max_words: int | None = None,
    ) -> None:
        run(self, payload, revision, k, max_words)

    @app.task(**options(Stage.ENTITIES))
    def entities_task(
        self: StageTask, document: str, revision: int = 0, k: int | None = None, max_words: int | None = None
    ) -> None:
        run(self, document, revision, k, max_words)

    @app.task(**options(Stage.SUMMARISE))
    def summarise_task(
        self: StageTask, document: str, revision: int = 0, k: int | None = None, max_words: int | None = None
    ) -> None:
        run(self, document, revision, k, max_words)

    tasks: dict[Stage, StageTask] = {Stage.CLEAN: clean_task, Stage.ENTITIES: entities_task}

    _connect_worker_signals(app, settings, runtime, tasks)

    return {t.name: t for t in (clean_task, entities_task, summarise_task)}


def _connect_worker_signals(
    app: Celery, settings: Settings, runtime: Runtime, tasks: dict[Stage, StageTask]
) -> None:
    """What a worker of ``app`` does as it starts, forks its pool and rejects a message."""

    @celeryd_after_setup.connect(weak=False)
    def _time_limits(instance: Any = None, **_: object) -> None:
        """In the worker's main process: a task running fused stages gets their summed limits."""
        fused = _fused_for(instance.app if instance is not None else app)
        for stage, task in tasks.items():
            chain = fused_chain(stage, fused)
            if len(chain) > 1:
                task.soft_time_limit, task.time_limit = chain_limits(settings, chain)

    def _fused_for(worker_app: Celery) -> frozenset[Stage]:
        if not settings.fuse_stages or worker_app is not app:
            return frozenset()
        return consumed_stages(settings, _consumed_queues(app, settings))

    @worker_init.connect(weak=False)
    def _load_models(sender: Any = None, **_: object) -> None:
        """In the worker's main process, before the pool forks (see ``Runtime.load_models``)."""
        worker_app = getattr(sender, "app", None)
        if worker_app is None or worker_app is app:
            runtime.load_models(_consumed_queues(app, settings))

    @worker_process_init.connect(weak=False)
    def _warm_up(**_: object) -> None:
        runtime.warm_up(_consumed_queues(app, settings))
        runtime.fused = _fused_for(app) if can_fuse() else frozenset()

    @task_rejected.connect(weak=False)
    def _rejected(message: Any = None, exc: BaseException | None = None, **_: object) -> None:
        report_rejected_message(runtime, message, exc)
