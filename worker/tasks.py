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
from typing import TYPE_CHECKING, Any

from celery import Celery, Signature, Task
from celery.exceptions import Ignore
from celery.signals import celeryd_after_setup, task_rejected, worker_init, worker_process_init

from schemas.result import ArticleResult, Stage
from worker.config import Settings
from worker.delivery import StageMark, now_ms
from worker.errors import PipelineError
from worker.failures import StageRunner, Where
from worker.fusion import ORDER, can_fuse, chain_limits, consumed_stages, fused_chain, next_stage
from worker.inflight import ARTICLE_HEADER
from worker.logging import get_logger
from worker.main_process_failures import report_rejected_message
from worker.payloads import payload_id
from worker.runtime import Runtime
from worker.stage_calls import Output, run_stage
from worker.task_message import revision_of, stage_call

if TYPE_CHECKING:
    from worker.duplicates import Later

TASK_NAMES = ("newsflow.clean", "newsflow.entities", "newsflow.summarise")
STAGES = ORDER

log = get_logger("newsflow.tasks")


class StageTask(Task):  # type: ignore[misc]
    """A stage task: knows its stage and the process runtime; reports hard time limits."""

    Request = "worker.main_process_failures:StageRequest"
    stage: Stage
    runtime: Runtime


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
    which tells recovery the article still has a message, and the message's ``argsrepr`` (what
    Celery shows of its arguments) names the article instead of quoting its document, which
    Celery would otherwise walk for every message sent.
    """
    kwargs: dict[str, int | None] = {"revision": revision, "k": k}
    if max_words is not None:
        kwargs["max_words"] = max_words
    options: dict[str, Any] = {}
    if article_id is not None:
        options = {"headers": {ARTICLE_HEADER: article_id}, "argsrepr": f"('<article {article_id}>',)"}
    return app.signature(TASK_NAMES[STAGES.index(stage)], args=(document,), kwargs=kwargs, options=options)


def _consumed_queues(app: Celery, settings: Settings) -> set[str]:
    """The queues a worker of ``app`` consumes (every stage queue when no -Q was given)."""
    consume_from = app.amqp.queues.consume_from
    return set(consume_from) if consume_from else set(settings.queues)


def _options(stage: Stage, settings: Settings, runtime: Runtime) -> dict[str, Any]:
    """The Celery options of ``stage``'s task."""
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


def register_tasks(app: Celery, settings: Settings) -> dict[str, Callable[..., Any]]:
    """Define the stage tasks on ``app``; returns them by name."""
    runtime = Runtime(settings)
    runner = StageRunner(runtime)

    def run(task: StageTask, args: tuple[object, ...], kwargs: dict[str, object]) -> None:
        """Check the message's arguments, then run its stages (``run_call``); a message whose
        arguments are not valid ends as an ``invalid_message`` error event."""
        try:
            call = stage_call(args, kwargs)
        except PipelineError as invalid:
            document = args[0] if args else None
            article_id = payload_id(document) if args else f"message-{task.request.id}"
            with runner.guard(task, Where(task.stage, article_id, revision_of(kwargs), document)):
                raise invalid
            return  # the guard raised Ignore, or Reject when Redis is down
        run_call(task, call.document, call.revision, call.k, call.words)

    def run_call(task: StageTask, document: object, revision: int, k: int | None, words: int | None) -> None:
        """Run the task's stage and the fused stages after it; hand the next one on through Redis.

        Each stage's status mark is taken when its work is done. The marks ride in the publish's
        round trip; a task that hands the article on, or ends it as an error event, writes those
        it has in one round trip at its end. One that is retried or requeued writes none: its
        next run marks its stages again.
        """
        chain = fused_chain(task.stage, runtime.fused)
        marks: list[StageMark] = []
        later: Later | None = None
        try:
            for position, stage in enumerate(chain):
                where = Where(stage, payload_id(document), revision, document, later)
                limit = settings.soft_time_limits_s[stage.value] if len(chain) > 1 else None
                with runner.guard(task, where, first=position == 0, soft_limit_s=limit):
                    output = run_stage(runtime, stage, document, k=k, words=words, chain=chain)
                    marks.append((stage.value, now_ms()))
                    if isinstance(output, ArticleResult):
                        if later is not None:
                            output, later = later.apply(output), None
                        _publish(runtime, output, revision, marks)
                        return
                    later = later or output.later
                    following = next_stage(stage)
                    if following is None:
                        return
                    if following not in chain or output.queue is not None:
                        if later is not None:  # a worker without the summarise stage's queue
                            output, later = Output(later.apply(output.document)), None
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
        finally:
            if later is not None:  # the task stopped before its publish read the lookup's answer
                later.discard()

    def stage_task(self: StageTask, *args: object, **kwargs: object) -> None:
        """Any arguments: ``run`` checks them, so that a message with bad ones ends as an error event."""
        run(self, args, kwargs)

    tasks: dict[Stage, StageTask] = {
        stage: app.task(**_options(stage, settings, runtime))(stage_task) for stage in STAGES
    }
    _connect_worker_signals(app, settings, runtime, tasks)
    return {t.name: t for t in tasks.values()}


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
