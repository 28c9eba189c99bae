"""The seed and bad inputs through a real Redis and a real Celery worker."""

import json
import subprocess
import time
import uuid

import pytest

from schemas.article import RawArticle
from schemas.result import ArticleResult, ErrorEvent, ErrorReason, Stage
from tests.conftest import WORKER_LOG, wait_for
from worker.app import create_app
from worker.config import Settings
from worker.consume import Subscription
from worker.delivery import Delivery
from worker.payloads import payload_id
from worker.pipeline import submit, submit_payload


def _stream_ids(delivery: Delivery, stream: str, field: str, article_id: str) -> list[str]:
    return [
        entry_id
        for entry_id, fields in delivery.entries(stream, count=100_000)
        if json.loads(fields[field])["article_id"] == article_id
    ]


def test_seed_is_published_on_channel_stream_and_key(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, delivery: Delivery, seed_text: str
) -> None:
    app = create_app(test_settings)
    article_id = f"seed-{uuid.uuid4().hex[:8]}"
    with Subscription(delivery) as subscription:
        receipt = submit(app, delivery, RawArticle(id=article_id, text=seed_text))
        assert receipt.enqueued
        assert wait_for(delivery, article_id) == "result"
        received = [e for e in iter(lambda: subscription.get(0.5), None)]

    stored = delivery.client.get(delivery.keys.result(article_id))
    assert stored is not None
    assert delivery.client.ttl(delivery.keys.result(article_id)) > 0
    result = ArticleResult.model_validate_json(stored)
    assert result.title == "Putin and Kim Sign Pact Pledging Mutual Support Against ‘Aggression’"
    assert "`" not in result.text and "Leave a Comment" not in result.text
    assert len(result.summary.sentences) == test_settings.summary_sentences
    assert set(result.timings) == {"clean", "duplicates", "entities", "summarise"}
    for entity in result.entities:
        for mention in entity.mentions:
            assert result.text[mention.start : mention.end] == mention.text
    live = [e for e in received if e.kind == "result" and json.loads(e.document)["article_id"] == article_id]
    assert len(live) == 1 and ArticleResult.model_validate_json(live[0].document) == result
    assert len(_stream_ids(delivery, delivery.keys.results_log, "result", article_id)) == 1


def test_same_article_twice_is_published_once(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, delivery: Delivery, seed_text: str
) -> None:
    app = create_app(test_settings)
    raw = RawArticle(text=seed_text + f"\n\nEdition {uuid.uuid4().hex}.")
    # Both enqueued before either finishes: the second chain runs but must not publish again.
    first_id = raw.model_dump(mode="json", exclude_none=True, exclude={"schema_version"})
    submit_payload(app, first_id)
    receipt = submit(app, delivery, raw)
    assert wait_for(delivery, receipt.article_id) == "result"
    # a third submit after publication is not even enqueued
    assert submit(app, delivery, raw).enqueued is False
    # let the duplicate chain finish, then count the Stream entries for this article
    probe = RawArticle(id=f"probe-{uuid.uuid4().hex[:8]}", text=seed_text)
    submit(app, delivery, probe)
    wait_for(delivery, probe.id or "")
    assert wait_for(delivery, receipt.article_id) == "result"
    assert len(_stream_ids(delivery, delivery.keys.results_log, "result", receipt.article_id)) == 1


def _dead_event(delivery: Delivery, article_id: str) -> ErrorEvent:
    assert wait_for(delivery, article_id) == "error"
    stored = delivery.client.get(delivery.keys.error(article_id))
    assert stored is not None
    event = ErrorEvent.model_validate_json(stored)
    assert _stream_ids(delivery, delivery.keys.dead, "error", article_id)
    return event


def test_empty_and_malformed_inputs_become_error_events_and_worker_goes_on(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, delivery: Delivery, seed_text: str
) -> None:
    app = create_app(test_settings)
    empty_id = f"empty-{uuid.uuid4().hex[:8]}"
    submit_payload(app, {"id": empty_id, "text": "   \n "})
    malformed = '{"id": "broken", "text": "no closing brace"'
    submit_payload(app, malformed)

    event = _dead_event(delivery, empty_id)
    assert (event.reason, event.stage, event.retryable) == (ErrorReason.EMPTY_TEXT, Stage.CLEAN, False)

    event = _dead_event(delivery, payload_id(malformed))
    assert event.reason is ErrorReason.INVALID_JSON
    # the failed input is kept for `newsflow dead --requeue`
    assert event.input_ref == delivery.keys.dead_input(event.article_id)
    assert delivery.client.get(event.input_ref) == malformed

    good = RawArticle(id=f"after-{uuid.uuid4().hex[:8]}", text=seed_text)
    submit(app, delivery, good)
    assert wait_for(delivery, good.id or "") == "result"
    assert worker_process.poll() is None


def test_task_messages_with_bad_arguments_become_invalid_message_events(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, delivery: Delivery, seed_text: str
) -> None:
    """A stage message from another client, with arguments ``stage_signature`` never writes."""
    app = create_app(test_settings)
    tag = uuid.uuid4().hex[:8]
    text = "Rain fell on Paris on Tuesday. The river rose by a metre."
    bad = {
        f"revision-{tag}": {"revision": "x"},
        f"k-{tag}": {"k": "many"},
        f"option-{tag}": {"bogus": 1},
        f"words-{tag}": {"max_words": [1]},
    }
    for article_id, kwargs in bad.items():
        payload = {"id": article_id, "text": text}
        app.send_task("newsflow.clean", args=[payload], kwargs=kwargs, queue=test_settings.queue_clean)
    extra = f"extra-{tag}"
    app.send_task("newsflow.entities", args=[extra, 1], queue=test_settings.queue_entities)
    none = app.send_task("newsflow.summarise", args=[], queue=test_settings.queue_summarise)
    named_by = ["revision must be", "k must be", "unknown options ['bogus']", "max_words must be"]
    for article_id, named in [
        *zip(bad, named_by, strict=True),
        (payload_id(extra), "2 positional arguments"),
        (f"message-{none.id}", "0 positional arguments"),
    ]:
        event = _dead_event(delivery, article_id)
        assert event.reason is ErrorReason.INVALID_MESSAGE and named in event.message, event
    assert _dead_event(delivery, f"k-{tag}").stage is Stage.CLEAN  # refused before the stage ran
    refused = RawArticle(id=f"zero-{tag}", text=text)  # what submit itself would send: refused there
    with pytest.raises(ValueError, match="summary_sentences must be at least 1, not 0"):
        submit(app, delivery, refused, 0)
    with pytest.raises(ValueError, match="max_words must be at least 1, not -5"):
        submit(app, delivery, refused, max_words=-5)
    assert delivery.status(refused.id or "") == {}  # nothing recorded, nothing sent
    good = RawArticle(id=f"after-{tag}", text=seed_text)
    submit(app, delivery, good)
    assert wait_for(delivery, good.id or "") == "result"


def test_worker_log_has_one_line_per_stage(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, delivery: Delivery, seed_text: str
) -> None:
    article = RawArticle(id=f"logged-{uuid.uuid4().hex[:8]}", text=seed_text)
    submit(create_app(test_settings), delivery, article)
    assert wait_for(delivery, article.id or "") == "result"
    log = WORKER_LOG
    deadline = time.monotonic() + 10
    done: list[dict[str, object]] = []
    while len(done) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
        lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        done = [
            line
            for line in lines
            if line.get("event") == "stage_done" and line.get("article_id") == article.id
        ]
    for line in done:
        assert {"article_id", "stage", "task_id", "duration_ms"} <= set(line)
    # one line per stage: each stage ran exactly once for this article
    assert sorted(str(line["stage"]) for line in done) == ["clean", "entities", "summarise"]
    # logs never carry article bodies
    assert "pent-up inmost thoughts" not in log.read_text()
