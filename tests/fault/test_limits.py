"""Per-stage limits through a real worker: each breach is an ErrorEvent with its reason code."""

import json
import uuid
from collections.abc import Iterator

import pytest

from schemas import ErrorEvent, ErrorReason, RawArticle, Stage
from tests.conftest import ROOT, cleanup, make_settings, start_worker, stop_worker, wait_for
from worker.app import create_app
from worker.config import Settings
from worker.delivery import Delivery
from worker.pipeline import submit


@pytest.fixture()
def tight_settings(redis_url: str) -> Iterator[Settings]:
    settings = make_settings(
        redis_url,
        max_tokens=500,
        soft_time_limits_s={"clean": 30, "entities": 0.01, "summarise": 15},
        hard_time_limits_s={"clean": 45, "entities": 20, "summarise": 25},
    )
    yield settings
    cleanup(settings)


def _error(delivery: Delivery, article_id: str) -> ErrorEvent:
    assert wait_for(delivery, article_id) == "error"
    stored = delivery.client.get(delivery.keys.error(article_id))
    assert stored is not None
    return ErrorEvent.model_validate_json(stored)


def test_token_and_time_limits_end_as_error_events(tight_settings: Settings, seed_text: str) -> None:
    worker = start_worker(tight_settings, ROOT / ".pytest-worker-limits.log", concurrency=1)
    delivery, app = Delivery.from_settings(tight_settings), create_app(tight_settings)
    tag = uuid.uuid4().hex[:6]
    long_one = RawArticle(id=f"tokens-{tag}", text=seed_text)  # 652 words
    slow_one = RawArticle(id=f"slow-{tag}", text="\n\n".join(seed_text.split("\n\n")[:8]))  # under 500
    try:
        submit(app, delivery, long_one)
        submit(app, delivery, slow_one)
        tokens = _error(delivery, long_one.id or "")
        assert (tokens.reason, tokens.stage) == (ErrorReason.TOO_MANY_TOKENS, Stage.ENTITIES)
        slow = _error(delivery, slow_one.id or "")
        assert (slow.reason, slow.stage, slow.retryable) == (ErrorReason.TIMEOUT, Stage.ENTITIES, True)
        # its body is part of the first one's: the input kept for a requeue holds the lookup's answer
        kept = json.loads(delivery.client.get(slow.input_ref or "") or "{}")
        assert kept["duplicate_of"] == long_one.id and "duplicates" in kept["timings"]
        assert worker.poll() is None
    finally:
        stop_worker(worker)


def test_a_hard_time_limit_is_reported_by_the_worker_main_process(
    test_settings: Settings, delivery: Delivery
) -> None:
    """What the main process does when the pool killed a task at its hard limit.

    The soft limit always fires first in a real run, so the broker message is a stand-in here;
    the report itself goes to the real Redis.
    """
    from celery.contrib.testing.mocks import TaskMessage

    from worker.main_process_failures import StageRequest
    from worker.stages.clean import clean

    app = create_app(test_settings)
    article = clean(
        RawArticle(id=f"hard-{uuid.uuid4().hex[:6]}", text="The council met on Tuesday. " * 5), test_settings
    )
    message = TaskMessage("newsflow.entities", args=(article.model_dump_json(),), kwargs={"revision": 0})
    request = StageRequest(message, app=app, task=app.tasks["newsflow.entities"])
    request.on_timeout(soft=False, timeout=90.0)
    event = _error(delivery, article.article_id)
    assert (event.reason, event.stage) == (ErrorReason.TIMEOUT, Stage.ENTITIES)
    assert "hard time limit" in event.message
    assert delivery.client.get(event.input_ref or "") == article.model_dump_json()


def test_a_hard_time_limit_rejects_the_message_rather_than_acking_it_when_redis_is_down() -> None:
    """The main process cannot record the event with Redis down: the message is rejected (RabbitMQ
    dead-letters it, and it ends as an ErrorEvent there), never acknowledged and lost."""
    from unittest.mock import Mock

    from celery.contrib.testing.mocks import TaskMessage

    from worker.embedded import free_port
    from worker.main_process_failures import StageRequest

    settings = make_settings(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    app = create_app(settings)
    message = TaskMessage("newsflow.entities", args=('{"article_id": "x"}',), kwargs={"revision": 0})
    acked, rejected = Mock(), Mock()  # what the worker's consumer would do to the broker message
    task = app.tasks["newsflow.entities"]
    request = StageRequest(message, on_ack=acked, on_reject=rejected, app=app, task=task)
    request.on_timeout(soft=False, timeout=90.0)  # logs that the event was not recorded
    assert rejected.call_count == 1 and rejected.call_args.args[-1] is False  # requeue=False
    assert not acked.called
