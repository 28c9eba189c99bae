"""`newsflow top`: the snapshot from Redis, and the real command against a real worker."""

import json
import subprocess
import sys
import uuid

from schemas import ArticleResult, ErrorEvent
from tests.conftest import ROOT, node_name, settings_env
from worker.client import Client
from worker.config import Settings
from worker.delivery import Delivery
from worker.overview import overview

CLI = [sys.executable, "-m", "worker.cli"]


def test_rates_count_the_last_minute_only(own_settings: Settings) -> None:
    delivery = Delivery.from_settings(own_settings)
    now_ms = 1_800_000_000_500
    second = now_ms // 1000
    keys = own_settings.keys
    delivery.client.set(keys.throughput("clean", second), 30)
    delivery.client.set(keys.throughput("clean", second - 59), 12)
    delivery.client.set(keys.throughput("clean", second - 60), 1000)  # 60 s ago: outside the window
    delivery.client.set(keys.throughput("published", second - 1), 6)
    delivery.client.rpush(own_settings.queue_entities, "m1", "m2")
    delivery.client.rpush(f"{own_settings.queue_entities}\x06\x163", "m3")
    snapshot = overview(delivery, now_ms=now_ms)
    assert snapshot.stages["clean"].last_minute == 42
    assert snapshot.stages["clean"].per_s == 0.7
    assert snapshot.stages["entities"].last_minute == 0
    assert snapshot.published.last_minute == 6
    assert snapshot.queues == {
        own_settings.queue_clean: 0,
        own_settings.queue_entities: 3,
        own_settings.queue_summarise: 0,
    }
    assert snapshot.dead_letters == 0 and snapshot.errors == {}
    assert snapshot.in_flight == 0
    delivery.client.zadd(keys.inflight, {"a1": 1, "a2": 2})  # as submit records them
    assert overview(delivery, now_ms=now_ms).in_flight == 2
    delivery.client.close()


def test_top_once_json_against_a_real_worker(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, seed_text: str
) -> None:
    with Client(test_settings) as client:
        ids = [client.submit(seed_text, id=f"top-{n}-{uuid.uuid4().hex[:6]}") for n in range(2)]
        failed = client.submit(html="<html><body></body></html>", id=f"top-empty-{uuid.uuid4().hex[:6]}")
        assert all(isinstance(client.wait(i), ArticleResult) for i in ids)
        assert isinstance(client.wait(failed), ErrorEvent)
    env = settings_env(test_settings)
    done = subprocess.run(
        [*CLI, "top", "--once", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
        check=True,
    )
    snapshot = json.loads(done.stdout)
    assert set(snapshot["queues"]) == set(test_settings.queues)
    assert snapshot["stages"]["clean"]["last_minute"] >= 2  # the empty page failed in clean
    assert snapshot["stages"]["summarise"]["last_minute"] >= 2
    assert snapshot["published"]["last_minute"] >= 2
    assert snapshot["failed"]["last_minute"] >= 1
    assert snapshot["errors"].get("empty_text", 0) >= 1
    assert snapshot["dead_letters"] >= 1
    assert node_name(test_settings) in snapshot["workers"]
    view = subprocess.run(
        [*CLI, "top", "--once"], capture_output=True, text=True, timeout=60, cwd=ROOT, env=env, check=True
    )
    assert "pipeline (last 60 s; in flight: " in view.stdout
    assert isinstance(snapshot["in_flight"], int)
    assert node_name(test_settings) in view.stdout
