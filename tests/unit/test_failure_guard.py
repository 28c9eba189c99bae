"""The failure guard when the error event itself cannot be written for a reason other than Redis
being down: the message is rejected without requeue, for the broker to dead-letter (RabbitMQ
then hands it to the dead-letter queue every worker consumes, tests/integration/test_brokers.py)."""

import pytest
from celery.exceptions import Ignore, Reject

from schemas.result import ErrorReason, Stage
from tests.conftest import make_settings
from worker import failures
from worker.app import create_app
from worker.errors import PipelineError
from worker.failures import StageRunner, Where


def _guarded(monkeypatch: pytest.MonkeyPatch, written: Exception | None) -> BaseException:
    """What the guard raises for a stage failure, with the event's writing failing with ``written``."""

    def write(*_: object, **__: object) -> None:
        if written is not None:
            raise written

    monkeypatch.setattr(failures, "dead_letter", write)
    settings = make_settings("redis://127.0.0.1:1/0")  # nothing here is written to Redis
    task = create_app(settings).tasks["newsflow.clean"]
    task.push_request(id="t-1", retries=0, delivery_info={})
    try:
        guarded = StageRunner(task.runtime).guard(task, Where(Stage.CLEAN, "a1", 0, "{}"))
        with pytest.raises((Ignore, Reject)) as raised, guarded:
            raise PipelineError(ErrorReason.EMPTY_TEXT, "no text")
    finally:
        task.pop_request()
    value: BaseException = raised.value
    return value


def test_a_written_event_ends_the_task(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(_guarded(monkeypatch, None), Ignore)


def test_an_event_that_could_not_be_written_rejects_the_message_without_requeue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raised = _guarded(monkeypatch, ValueError("a bug"))
    assert isinstance(raised, Reject) and raised.requeue is False


def test_redis_down_while_writing_requeues_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    import redis

    raised = _guarded(monkeypatch, redis.ConnectionError("down"))
    assert isinstance(raised, Reject) and raised.requeue is True
