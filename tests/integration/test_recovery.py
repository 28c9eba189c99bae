"""Recovery: an accepted article whose message the broker lost is resubmitted, and published once.

The loss is made on demand by deleting the stage queue an article's only message waits in (what
a Redis restart does to a message it popped but never delivered). ``unacked_key`` gives each
test a hash of its own where kombu keeps the messages workers hold.
"""

import json
import time
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

from schemas import RawArticle
from tests.conftest import (
    ROOT,
    cleanup,
    error_event,
    make_settings,
    start_worker,
    stop_worker,
    take_message,
    wait_for,
)
from worker.app import create_app
from worker.config import Settings
from worker.delivery import Delivery, now_ms
from worker.embedded import free_port
from worker.inflight import ARTICLE_HEADER, KeptInput
from worker.pipeline import submit, submit_payload
from worker.recovery import Recovery

TEXT = "The city council approved the new school budget on Tuesday after a long debate. " * 3


@pytest.fixture()
def settings(redis_url: str) -> Iterator[Settings]:
    tag = uuid.uuid4().hex[:8]
    own = make_settings(
        redis_url,
        lost_after_s=0.2,
        recovery_interval_s=0.05,
        max_deliveries=2,
        broker_transport_options={
            "unacked_key": f"nftest-{tag}-unacked",
            "unacked_index_key": f"nftest-{tag}-unacked-index",
        },
    )
    yield own
    cleanup(own)
    Delivery.from_settings(own).client.delete(f"nftest-{tag}-unacked", f"nftest-{tag}-unacked-index")


def _sweep(recovery: Recovery) -> list[str]:
    """A sweep once the articles count as unseen and the previous sweep's lock has expired."""
    time.sleep(0.25)
    return recovery.sweep()


def test_an_article_with_a_waiting_message_is_left_alone(settings: Settings) -> None:
    delivery, app = Delivery.from_settings(settings), create_app(settings)
    try:
        submit(app, delivery, RawArticle(id="waits", text=TEXT))  # no worker: it stays queued
        assert _sweep(Recovery(app, delivery)) == []
        assert delivery.queued() == 1
        assert delivery.client.zscore(settings.keys.inflight, "waits") is not None
    finally:
        delivery.close()


def test_a_message_held_by_a_worker_counts_as_alive(settings: Settings) -> None:
    delivery, app = Delivery.from_settings(settings), create_app(settings)
    try:
        submit(app, delivery, RawArticle(id="held", text=TEXT))
        take_message(delivery, time.time())
        assert delivery.inflight.with_messages(["held", "other"], time.time()) == {"held"}
        assert _sweep(Recovery(app, delivery)) == []
        assert delivery.queued() == 0  # not resubmitted
    finally:
        delivery.close()


def test_a_record_kombu_never_restored_does_not_keep_an_article_alive(settings: Settings) -> None:
    """Taken longer ago than the visibility timeout and lost_after_s: kombu's restore is stuck."""
    delivery, app = Delivery.from_settings(settings), create_app(settings)
    try:
        submit(app, delivery, RawArticle(id="stuck", text=TEXT))
        stale = time.time() - settings.visibility_timeout_s - settings.lost_after_s - 1
        take_message(delivery, stale)
        assert delivery.inflight.with_messages(["stuck"], time.time()) == set()
        assert _sweep(Recovery(app, delivery)) == ["stuck"]
        assert delivery.queued() == 1  # resubmitted
    finally:
        delivery.close()


def test_a_lost_article_is_resubmitted_then_dead_lettered_after_max_deliveries(settings: Settings) -> None:
    delivery, app = Delivery.from_settings(settings), create_app(settings)
    recovery = Recovery(app, delivery)
    try:
        submit(app, delivery, RawArticle(id="lost", text=TEXT), summary_sentences=2)
        for recovered in (1, 2):
            delivery.client.delete(settings.queue_clean)  # the broker lost its message
            assert _sweep(recovery) == ["lost"]
            assert delivery.queued() == 1
            assert delivery.status("lost")["recovered"] == str(recovered)
        message = json.loads(str(delivery.client.lindex(settings.queue_clean, 0)))
        assert message["headers"][ARTICLE_HEADER] == "lost"
        assert message["headers"]["kwargsrepr"].startswith("{'revision': 0, 'k': 2")  # as submitted
        assert message["headers"]["argsrepr"] == "('<article lost>',)"  # named, the text not quoted
        delivery.client.delete(settings.queue_clean)
        assert _sweep(recovery) == ["lost"]
        event = delivery.fetch("lost")
        assert event is not None and event.kind == "error"
        error = json.loads(event.document)
        assert (error["reason"], error["stage"], error["retryable"]) == ("transient_failure", "clean", True)
        assert error["message"] == "its message was lost by the broker 3 times"
        assert error["input_ref"] == settings.keys.dead_input("lost")  # `dead --requeue` can run it
        assert delivery.client.zscore(settings.keys.inflight, "lost") is None
        assert not delivery.client.exists(settings.keys.inflight_input("lost"))
        assert _sweep(recovery) == []
    finally:
        delivery.close()


def test_a_worker_publishes_a_lost_article_once_and_forgets_it(settings: Settings) -> None:
    port = free_port()
    own = settings.model_copy(update={"lost_after_s": 1.0, "recovery_interval_s": 0.5, "metrics_port": port})
    delivery, app = Delivery.from_settings(own), create_app(own)
    try:
        submit(app, delivery, RawArticle(id="found", text=TEXT))
        delivery.client.delete(own.queue_clean)  # lost before any worker took it
        worker = start_worker(own, ROOT / ".pytest-worker-recovery.log", concurrency=1)
        try:
            assert wait_for(delivery, "found", timeout_s=60) == "result"
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
                served = response.read().decode("utf-8")
            assert 'newsflow_recovered_total{outcome="resubmitted"} 1.0' in served
            assert "newsflow_in_flight 0.0" in served
        finally:
            stop_worker(worker)
        published = delivery.entries(own.keys.results_log)
        assert [json.loads(fields["result"])["article_id"] for _, fields in published] == ["found"]
        assert delivery.status("found")["recovered"] == "1"
        assert delivery.client.zscore(own.keys.inflight, "found") is None
        assert not delivery.client.exists(own.keys.inflight_input("found"))
    finally:
        delivery.close()


def test_an_older_revision_ending_keeps_the_newer_ones_input(settings: Settings) -> None:
    """A reprocessed article (revision 1) stays tracked when revision 0's terminal event lands."""
    delivery = Delivery.from_settings(settings)
    try:
        newer = KeptInput("clean", {"id": "again", "text": TEXT}, 1, None, None)
        delivery.inflight.track("again", newer, now_ms())
        delivery.publish_error(error_event("again", revision=0))
        assert delivery.client.zscore(settings.keys.inflight, "again") is not None
        delivery.publish_error(error_event("again", revision=1))
        assert delivery.client.zscore(settings.keys.inflight, "again") is None
        assert not delivery.client.exists(settings.keys.inflight_input("again"))
    finally:
        delivery.close()


def test_a_lost_invalid_payload_still_ends_as_its_error_event(settings: Settings) -> None:
    own = settings.model_copy(update={"lost_after_s": 1.0, "recovery_interval_s": 0.5})
    delivery, app = Delivery.from_settings(own), create_app(own)
    try:
        submit_payload(app, {"id": "blank", "text": "  "}, delivery)  # as the ingest bridge does
        delivery.client.delete(own.queue_clean)
        worker = start_worker(own, ROOT / ".pytest-worker-recovery.log", concurrency=1)
        try:
            assert wait_for(delivery, "blank", timeout_s=60) == "error"
        finally:
            stop_worker(worker)
        event = delivery.fetch("blank")
        assert event is not None and json.loads(event.document)["reason"] == "empty_text"
        assert delivery.client.zscore(own.keys.inflight, "blank") is None
    finally:
        delivery.close()
