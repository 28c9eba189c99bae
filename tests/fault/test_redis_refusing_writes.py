"""A Redis that refuses writes for a while: out of memory (maxmemory reached under noeviction, the
policy the worker requires), or a read-only replica. The articles wait in the broker, and each
ends once Redis takes writes again."""

import threading
import time
import uuid

import pytest
import redis

from schemas import RawArticle
from tests.conftest import ROOT, make_settings, not_ended_once, rabbit_vhost, start_worker, stop_worker
from worker.app import create_app
from worker.delivery import Delivery
from worker.embedded import free_port, start_redis
from worker.ingest import FIELD, IngestBridge
from worker.pipeline import submit


def _refuse_writes(client: redis.Redis, refusal: str) -> str:
    """Make Redis refuse writes; what its refusals say."""
    if refusal == "full":
        client.config_set("maxmemory", 1)
        return "maxmemory"
    client.replicaof("127.0.0.1", free_port())  # a master that is not there: the data stays
    return "read only replica"


def _take_writes(client: redis.Redis, refusal: str) -> None:
    if refusal == "full":
        client.config_set("maxmemory", 0)
    else:
        client.replicaof("NO", "ONE")


@pytest.mark.parametrize("refusal", ["full", "read-only"])
def test_a_redis_refusing_writes_on_rabbitmq_holds_each_article_until_it_takes_them(
    seed_text: str, refusal: str
) -> None:
    port = free_port()
    with rabbit_vhost() as url:
        server = start_redis(port)
        settings = make_settings(
            f"redis://127.0.0.1:{port}/0", broker_url=url, max_retries=1, max_deliveries=2
        )
        delivery, app = Delivery.from_settings(settings), create_app(settings)
        tag = uuid.uuid4().hex[:6]
        ids = [f"full{i}-{tag}" for i in range(6)]
        worker = None
        try:
            for article_id in ids:
                submit(app, delivery, RawArticle(id=article_id, text=seed_text))
            said = _refuse_writes(delivery.client, refusal)
            log = ROOT / f".pytest-worker-redis-{refusal}.log"
            worker = start_worker(settings, log, concurrency=1)
            deadline = time.monotonic() + 60
            while said not in log.read_text():
                assert time.monotonic() < deadline, "no write was refused"
                time.sleep(0.2)
            time.sleep(3)
            assert delivery.states(ids) == [None] * len(ids)
            _take_writes(delivery.client, refusal)
            deadline = time.monotonic() + 120
            while None in delivery.states(ids):
                assert time.monotonic() < deadline, f"unended: {delivery.states(ids)}"
                time.sleep(0.2)
            assert not_ended_once(delivery, ids) == []
            assert worker.poll() is None
        finally:
            if worker is not None:
                stop_worker(worker)
            delivery.close()
            server.stop()


def test_the_ingest_bridge_waits_out_a_full_redis_and_moves_every_entry(seed_text: str) -> None:
    """The bridge keeps running while Redis refuses writes; the entries it read meanwhile stay
    pending in the Stream and are claimed again once it takes writes."""
    server = start_redis()
    settings = make_settings(server.url)
    delivery, app = Delivery.from_settings(settings), create_app(settings)
    tag = uuid.uuid4().hex[:6]
    ids = [f"ingest{i}-{tag}" for i in range(5)]
    stop = threading.Event()
    try:
        for article_id in ids:
            raw = RawArticle(id=article_id, text=seed_text)
            delivery.client.xadd(settings.keys.ingest, {FIELD: raw.model_dump_json()})
        bridge = IngestBridge(app, delivery, consumer="test", min_idle_ms=200)  # its group made
        delivery.client.config_set("maxmemory", 1)
        thread = threading.Thread(target=bridge.run, args=(stop, 50), daemon=True)
        thread.start()
        time.sleep(2)
        assert thread.is_alive()  # it waits rather than dying
        assert [delivery.status(i) for i in ids] == [{}] * len(ids)
        delivery.client.config_set("maxmemory", 0)
        deadline = time.monotonic() + 30
        while not all("submitted" in delivery.status(i) for i in ids):
            assert time.monotonic() < deadline, [delivery.status(i) for i in ids]
            time.sleep(0.1)
        assert delivery.queued() == len(ids)  # each enqueued once
    finally:
        stop.set()
        delivery.close()
        server.stop()


@pytest.mark.parametrize("refusal", ["full", "read-only"])
def test_a_redis_broker_refusing_writes_keeps_the_worker_going_and_ends_each_article_once(
    seed_text: str, refusal: str
) -> None:
    """Redis as the broker: the consumer's own writes (taking a message from a replica, recording
    it as unacknowledged, acknowledging it, putting it back) are refused too. The worker goes on
    (worker/redis_qos.py; Celery used to stop it), and once Redis takes writes again it ends
    every article once: from the queues, the messages it kept, the acknowledgements and requeues
    it does again, and recovery."""
    server = start_redis()
    settings = make_settings(
        server.url,
        max_retries=1,
        soft_time_limits_s={"clean": 3, "entities": 5, "summarise": 2},
        hard_time_limits_s={"clean": 4, "entities": 7, "summarise": 3},
        visibility_timeout_s=16,
        lost_after_s=3,  # what it took and kept is also resubmitted by recovery
        recovery_interval_s=1,
    )
    delivery, app = Delivery.from_settings(settings), create_app(settings)
    ids = [f"held{i}-{uuid.uuid4().hex[:6]}" for i in range(30)]
    log = ROOT / f".pytest-worker-redis-broker-{refusal}.log"
    worker = start_worker(settings, log, concurrency=1)
    try:
        for article_id in ids:
            submit(app, delivery, RawArticle(id=article_id, text=seed_text))
        _refuse_writes(delivery.client, refusal)
        deadline = time.monotonic() + 60
        while "broker_" not in log.read_text():  # the consumer met a refused write
            assert time.monotonic() < deadline, "the consumer met no refused write"
            assert worker.poll() is None, "the worker stopped while Redis refused writes"
            time.sleep(0.2)
        time.sleep(5)
        assert worker.poll() is None, "the worker stopped while Redis refused writes"
        assert None in delivery.states(ids)
        _take_writes(delivery.client, refusal)
        deadline = time.monotonic() + 120
        while None in delivery.states(ids):
            assert time.monotonic() < deadline, f"unended: {delivery.states(ids).count(None)}"
            time.sleep(0.2)
        assert not_ended_once(delivery, ids) == []
        assert worker.poll() is None
    finally:
        stop_worker(worker)
        delivery.close()
        server.stop()
