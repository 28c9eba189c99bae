"""Revisions, status, dead-letter requeue, the ingest bridge, consumer groups, refused messages."""

import json
import subprocess
import sys
import time
import uuid
from typing import Any

import pytest

from schemas import ArticleResult, ErrorEvent, ErrorReason, RawArticle, Stage
from tests.conftest import ROOT, settings_env, wait_for
from worker.app import create_app
from worker.config import Settings
from worker.consume import GroupConsumer
from worker.delivery import Delivery
from worker.duplicates import short_result
from worker.errors import TransientError
from worker.failures import Where, dead_letter
from worker.pipeline import requeue, submit
from worker.runtime import Runtime
from worker.stages.clean import clean

ENGLISH = "The city council approved the new school budget on Tuesday after a long debate. "


def _results_for(delivery: Delivery, article_id: str) -> list[ArticleResult]:
    entries = delivery.entries(delivery.keys.results_log, count=100_000)
    results = [ArticleResult.model_validate_json(fields["result"]) for _, fields in entries]
    return [r for r in results if r.article_id == article_id]


def _wait_revision(delivery: Delivery, article_id: str, revision: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done = delivery.done(article_id)
        if done is not None and done.revision >= revision:
            return
        time.sleep(0.05)
    raise AssertionError(f"{article_id} revision {revision} not done in {timeout_s} s")


def test_reprocess_publishes_a_new_revision_and_status_tracks_stages(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, delivery: Delivery
) -> None:
    app = create_app(test_settings)
    raw = RawArticle(id=f"rev-{uuid.uuid4().hex[:8]}", text=ENGLISH * 3)
    article_id = raw.id or ""
    assert submit(app, delivery, raw).enqueued
    assert wait_for(delivery, article_id) == "result"
    assert not submit(app, delivery, raw).enqueued
    receipt = submit(app, delivery, raw, reprocess=True)
    assert receipt.enqueued and receipt.revision == 1
    _wait_revision(delivery, article_id, 1)
    assert [r.revision for r in _results_for(delivery, article_id)] == [0, 1]
    status = delivery.status(article_id)
    assert status["publish"] == "published" and status["revision"] == "1"
    assert all(status[stage].startswith("done:") for stage in ("clean", "entities", "summarise"))
    shown = subprocess.run(
        [sys.executable, "-m", "worker.cli", "status", article_id],
        capture_output=True,
        text=True,
        env=settings_env(test_settings),
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    assert json.loads(shown.stdout)["terminal"] == "result"


def test_dead_letter_requeue_runs_again_from_the_failed_stage(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, delivery: Delivery
) -> None:
    article = clean(RawArticle(id=f"dead-{uuid.uuid4().hex[:8]}", text=ENGLISH * 3), test_settings)
    where = Where(Stage.ENTITIES, article.article_id, 0, article.model_dump_json())
    failure = TransientError(ErrorReason.TRANSIENT_FAILURE, "Redis went away three times")
    dead_letter(Runtime(test_settings), where, failure, task_id="t-1", attempt=3)
    assert delivery.state(article.article_id) == "error"
    stored = delivery.client.get(delivery.keys.error(article.article_id))
    assert stored is not None
    event = ErrorEvent.model_validate_json(stored)
    assert event.input_ref == delivery.keys.dead_input(article.article_id)

    receipt = requeue(create_app(test_settings), delivery, event)
    assert receipt is not None and receipt.revision == 1
    _wait_revision(delivery, article.article_id, 1)
    assert delivery.state(article.article_id) == "result"
    [result] = _results_for(delivery, article.article_id)
    assert result.revision == 1 and result.text == article.text
    assert "clean" not in delivery.status(article.article_id)  # it started at entities


def test_ingest_bridge_moves_entries_from_any_redis_client(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, delivery: Delivery
) -> None:
    tag = uuid.uuid4().hex[:8]
    good = {"id": f"ingest-{tag}", "text": ENGLISH * 2}
    stream = delivery.keys.ingest
    delivery.client.xadd(stream, {"article": json.dumps(good)})
    broken = '{"id": "broken-' + tag + '", "text": '
    delivery.client.xadd(stream, {"article": broken})
    delivery.client.xadd(stream, {"article": json.dumps({"id": f"nofield-{tag}", "txt": "x"})})
    bridge = subprocess.Popen(
        [sys.executable, "-m", "worker.cli", "ingest", "--min-idle-ms", "1000"],
        env=settings_env(test_settings),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(delivery, good["id"]) == "result"
        assert wait_for(delivery, f"nofield-{tag}") == "error"
        deadline = time.monotonic() + 30
        while delivery.client.xlen(stream) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert delivery.client.xlen(stream) == 0  # acknowledged and removed
        dead = [
            ErrorEvent.model_validate_json(f["error"])
            for _, f in delivery.entries(delivery.keys.dead, count=10**5)
        ]
        broken_events = [e for e in dead if e.input_ref and delivery.client.get(e.input_ref) == broken]
        assert [e.reason for e in broken_events] == [ErrorReason.INVALID_JSON]
    finally:
        bridge.terminate()
        bridge.wait(timeout=30)
    assert bridge.returncode == 0


def test_consumer_group_claims_what_a_dead_consumer_left_pending(
    test_settings: Settings, delivery: Delivery
) -> None:
    group = f"g-{uuid.uuid4().hex[:6]}"
    first = GroupConsumer(delivery, group, "first", min_idle_ms=0)
    base = clean(RawArticle(text=ENGLISH), test_settings)
    from worker.nlp import load_nlp
    from worker.stages.entities import analyse
    from worker.stages.summary import summarise

    result = summarise(analyse(base, load_nlp(test_settings.spacy_model)), 1)
    ids = [f"cg-{group}-{i}" for i in range(5)]
    for article_id in ids:
        delivery.publish_result(result.model_copy(update={"article_id": article_id}))
    read = [
        ArticleResult.model_validate_json(e.document).article_id for e in first.read(count=1000, block_ms=100)
    ]
    assert [i for i in read if i in ids] == ids  # read, never acknowledged: "first" died
    second = GroupConsumer(delivery, group, "second", min_idle_ms=0)
    claimed = second.read(count=1000, block_ms=100)
    assert [
        i for i in (ArticleResult.model_validate_json(e.document).article_id for e in claimed) if i in ids
    ] == ids
    second.ack(*(e.entry_id or "" for e in claimed))
    assert second.read(count=1000, block_ms=100) == []


def test_a_pickled_message_is_refused_and_reported(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, delivery: Delivery
) -> None:
    app = create_app(test_settings)
    article_id = f"pickle-{uuid.uuid4().hex[:8]}"
    sent = app.send_task("newsflow.clean", args=[{"id": article_id, "text": ENGLISH}], serializer="pickle")
    reported = f"message-{sent.id}"
    assert wait_for(delivery, reported) == "error"
    stored = delivery.client.get(delivery.keys.error(reported))
    assert stored is not None
    event = ErrorEvent.model_validate_json(stored)
    assert event.reason is ErrorReason.INVALID_MESSAGE and "pickle" in event.message
    assert delivery.state(article_id) is None  # the task never ran


def test_dead_command_lists_and_requeues(redis_url: str) -> None:
    from tests.conftest import cleanup, make_settings, start_worker, stop_worker

    settings = make_settings(redis_url)
    delivery = Delivery.from_settings(settings)
    article = clean(RawArticle(id=f"cli-dead-{uuid.uuid4().hex[:6]}", text=ENGLISH * 2), settings)
    where = Where(Stage.ENTITIES, article.article_id, 0, article.model_dump_json())
    dead_letter(Runtime(settings), where, TransientError(ErrorReason.TIMEOUT, "slow"), task_id="t", attempt=1)
    env, cli = settings_env(settings), [sys.executable, "-m", "worker.cli", "dead"]
    worker = start_worker(settings, ROOT / ".pytest-worker-dead.log", concurrency=1)
    try:
        listed = subprocess.run(
            cli, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=True
        )
        assert [ErrorEvent.model_validate_json(line).article_id for line in listed.stdout.splitlines()] == [
            article.article_id
        ]
        requeued = subprocess.run(
            [*cli, "--requeue"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=True
        )
        assert requeued.stdout.split("\t")[:2] == [article.article_id, "requeued"]
        _wait_revision(delivery, article.article_id, 1)
        assert delivery.state(article.article_id) == "result"
        assert delivery.entries(delivery.keys.dead) == []  # requeued letters leave the dead Stream
    finally:
        stop_worker(worker)
        delivery.client.close()
        cleanup(settings)


def test_purge_removes_every_key_of_the_prefix_and_nothing_else(redis_url: str) -> None:
    from tests.conftest import make_settings

    mine, other = make_settings(redis_url), make_settings(redis_url)
    delivery, neighbour = Delivery.from_settings(mine), Delivery.from_settings(other)
    try:
        for d in (delivery, neighbour):
            d.mark("a1", submitted=1)
            d.client.set(f"_kombu.binding.{d.keys.prefix}-clean", "x")
            d.client.sadd(f"_kombu.binding_permanent.{d.keys.prefix}-clean", "x")  # kombu 5.5 and later
        assert delivery.purge() == 3
        assert list(delivery.client.scan_iter(match=f"*{mine.key_prefix}*")) == []
        assert neighbour.status("a1") == {"submitted": "1"}
    finally:
        neighbour.purge()
        delivery.client.close()
        neighbour.client.close()


def test_stage_marks_ride_in_the_publish_and_count_in_their_seconds(own_settings: Settings) -> None:
    delivery = Delivery.from_settings(own_settings)
    try:
        raw = RawArticle(id=f"marks-{uuid.uuid4().hex[:8]}", text=ENGLISH * 3)
        result = short_result(clean(raw, own_settings))
        pending = [("clean", 1_700_000_000_250), ("entities", 1_700_000_001_500)]
        assert delivery.publish_result(result, pending) is not None
        status = delivery.status(result.article_id)
        assert status["clean"] == "done:1700000000250" and status["entities"] == "done:1700000001500"
        assert status["publish"] == "published"
        assert delivery.client.get(delivery.keys.throughput("clean", 1_700_000_000)) == "1"
        assert 0 < int(delivery.client.ttl(delivery.keys.throughput("entities", 1_700_000_001))) <= 120
        # a redelivered task finds the revision published: no second result, its marks still land
        assert delivery.publish_result(result, [("summarise", 1_700_000_002_000)]) is None
        assert delivery.status(result.article_id)["summarise"] == "done:1700000002000"
        assert len(_results_for(delivery, result.article_id)) == 1
        # a task that hands the article on writes its marks in one call
        delivery.mark_stages_done("handed-on", [("clean", 1_700_000_000_900)])
        assert delivery.status("handed-on") == {"clean": "done:1700000000900"}
        assert delivery.client.get(delivery.keys.throughput("clean", 1_700_000_000)) == "2"
        assert delivery.client.ttl(delivery.keys.status("handed-on")) > 0
    finally:
        delivery.close()


def test_a_producer_marks_and_tracks_an_article_in_one_round_trip(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redis.client import Pipeline

    from tests.conftest import make_settings
    from worker.inflight import KeptInput

    settings = make_settings(redis_url)
    delivery = Delivery.from_settings(settings)
    executed: list[int] = []
    execute = Pipeline.execute

    def counted(pipe: Pipeline, raise_on_error: bool = True) -> Any:
        executed.append(len(pipe.command_stack))
        return execute(pipe, raise_on_error)

    monkeypatch.setattr(Pipeline, "execute", counted)
    try:
        kept = KeptInput("clean", {"id": "a1", "text": "Body."}, 0, 3, None)
        delivery.mark("a1", kept, submitted=5, revision=0, publish="pending")
        assert executed == [6]  # status HSET + EXPIRE, the input's DEL, HSET, EXPIRE, the in-flight ZADD
        assert delivery.status("a1") == {"submitted": "5", "revision": "0", "publish": "pending"}
        assert delivery.client.zscore(settings.keys.inflight, "a1") is not None
        kept_input = delivery.client.hgetall(settings.keys.inflight_input("a1"))
        document = '{"id": "a1", "text": "Body."}'
        assert kept_input == {"stage": "clean", "document": document, "revision": "0", "k": "3"}
        delivery.mark("a2", submitted=6)  # without an input: the status alone
        assert executed == [6, 2] and delivery.client.zscore(settings.keys.inflight, "a2") is None
    finally:
        monkeypatch.undo()
        delivery.purge()
        delivery.client.close()
