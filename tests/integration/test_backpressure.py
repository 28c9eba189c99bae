"""Backpressure: the stage queues never hold more than max_queued; an evicting Redis is refused."""

import subprocess
import sys
import time
import uuid

import pytest

from schemas import RawArticle
from tests.conftest import cleanup, make_settings, settings_env
from worker.app import create_app
from worker.delivery import Delivery, QueueFull
from worker.embedded import start_redis
from worker.eviction import eviction_refusal
from worker.ingest import FIELD, IngestBridge
from worker.pipeline import submit

ENGLISH = "The city council approved the new school budget on Tuesday after a long debate. "


def test_submit_waits_for_room_and_then_says_the_queues_are_full(redis_url: str, broker: str | None) -> None:
    """On either broker: the queue lengths come from Redis's lists or RabbitMQ's queues."""
    settings = make_settings(redis_url, max_queued=3, queue_wait_timeout_s=0.6, broker_url=broker)
    delivery, app = Delivery.from_settings(settings), create_app(settings)
    try:
        for n in range(3):  # no worker: they stay queued
            assert submit(app, delivery, RawArticle(id=f"bp-{n}", text=ENGLISH * 3)).enqueued
        assert delivery.queued() == 3
        started = time.monotonic()
        with pytest.raises(QueueFull, match="NEWSFLOW_MAX_QUEUED=3"):
            submit(app, delivery, RawArticle(id="bp-3", text=ENGLISH * 3))
        assert time.monotonic() - started >= 0.6
        assert delivery.queued() == 3 and delivery.status("bp-3") == {}
    finally:
        delivery.close()
        cleanup(settings)


def test_one_producer_fills_the_queues_exactly_to_the_limit(redis_url: str, broker: str | None) -> None:
    """On RabbitMQ submit reads the lengths only every tenth of the room it found: never past it."""
    settings = make_settings(redis_url, max_queued=40, queue_wait_timeout_s=0.3, broker_url=broker)
    delivery, app = Delivery.from_settings(settings), create_app(settings)
    try:
        submitted = 0
        with pytest.raises(QueueFull):
            while submitted <= settings.max_queued:
                submit(app, delivery, RawArticle(id=f"fill-{submitted}", text=ENGLISH * 3))
                submitted += 1
        assert submitted == settings.max_queued == delivery.queued()
    finally:
        delivery.close()
        cleanup(settings)


def test_the_ingest_bridge_leaves_the_backlog_in_the_stream(redis_url: str, broker: str | None) -> None:
    settings = make_settings(redis_url, max_queued=5, broker_url=broker)
    delivery, app = Delivery.from_settings(settings), create_app(settings)
    try:
        for n in range(20):
            raw = RawArticle(id=f"in-{n}-{uuid.uuid4().hex[:4]}", text=ENGLISH * 3)
            delivery.client.xadd(settings.keys.ingest, {FIELD: raw.model_dump_json()})
        bridge = IngestBridge(app, delivery, consumer="test", batch=3)
        moved = sum(bridge.step(block_ms=50) for _ in range(6))
        assert moved == 5 and delivery.queued() == 5  # 3, then 2, then nothing while full
        assert int(delivery.client.xlen(settings.keys.ingest)) == 15
    finally:
        delivery.close()
        cleanup(settings)


def test_a_worker_refuses_a_redis_that_evicts_keys() -> None:
    server = start_redis()
    try:
        settings = make_settings(server.url)
        delivery = Delivery.from_settings(settings)
        assert eviction_refusal(delivery.client, settings) is None  # redis-server's default: noeviction
        delivery.client.config_set("maxmemory-policy", "allkeys-lru")
        assert "allkeys-lru" in (eviction_refusal(delivery.client, settings) or "")
        allowed = settings.model_copy(update={"allow_eviction": True})
        assert eviction_refusal(delivery.client, allowed) is None
        delivery.client.close()
        started = subprocess.run(
            [sys.executable, "-m", "worker.cli", "worker"],
            check=False,
            env=settings_env(settings),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert started.returncode == 2
        assert "maxmemory-policy" in started.stderr and "NEWSFLOW_ALLOW_EVICTION" in started.stderr
    finally:
        server.stop()
