"""Workers killed mid-task, the broker or Redis restarted mid-run, a consumer offline: nothing lost,
nothing twice. The worker-killing tests run on both brokers (Redis, RabbitMQ)."""

import json
import os
import signal
import tempfile
import time
import uuid
from collections import Counter

import pytest

from schemas import RawArticle
from tests.conftest import (
    ROOT,
    cleanup,
    make_settings,
    node_name,
    not_ended_once,
    rabbit_vhost,
    rabbitmqctl,
    start_worker,
    stop_worker,
    vhost_of,
)
from worker.app import create_app
from worker.config import Settings
from worker.consume import GroupConsumer
from worker.delivery import Delivery
from worker.embedded import free_port, start_redis
from worker.pipeline import submit

KILLS = 6  # pool processes killed mid-task in one run


def _published_counts(delivery: Delivery) -> Counter[str]:
    entries = delivery.entries(delivery.keys.results_log, count=1_000_000)
    return Counter(json.loads(fields["result"])["article_id"] for _, fields in entries)


def _wait_all(delivery: Delivery, ids: list[str], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if all(state is not None for state in delivery.states(ids)):
            return
        time.sleep(0.2)
    missing = [i for i, state in zip(ids, delivery.states(ids), strict=True) if state is None]
    raise AssertionError(f"{len(missing)} of {len(ids)} articles reached no terminal event: {missing[:5]}")


def _articles(seed_text: str, count: int) -> list[RawArticle]:
    tag = uuid.uuid4().hex[:6]
    return [RawArticle(id=f"a{i:04d}-{tag}", text=seed_text) for i in range(count)]


def test_killing_workers_mid_task_loses_and_duplicates_nothing(
    broker_settings: Settings, seed_text: str
) -> None:
    own_settings = broker_settings
    worker = start_worker(own_settings, ROOT / ".pytest-worker-kill.log", concurrency=2)
    delivery, app = Delivery.from_settings(own_settings), create_app(own_settings)
    articles = _articles(seed_text, 120)
    try:
        for article in articles:
            submit(app, delivery, article)
        kills, killed = 0, set()
        deadline = time.monotonic() + 120
        while kills < KILLS and time.monotonic() < deadline:
            active = app.control.inspect(destination=[node_name(own_settings)], timeout=0.5).active() or {}
            # Each task at most once: RabbitMQ hands a returned message straight back, and the same
            # article killed max_deliveries times would rightly be dead-lettered.
            busy = [
                (task["worker_pid"], task["id"])
                for tasks in active.values()
                for task in tasks
                if task.get("worker_pid") and task["id"] not in killed
            ]
            if busy:
                try:
                    os.kill(busy[0][0], signal.SIGKILL)  # a pool process in the middle of a task
                except ProcessLookupError:
                    continue  # it was replaced since `inspect` saw it
                kills += 1
                killed.add(busy[0][1])
                time.sleep(0.7)
        assert kills == KILLS, f"the run ended before {KILLS} workers could be killed mid-task"
        ids = [a.id or "" for a in articles]
        _wait_all(delivery, ids, timeout_s=240)
        counts = _published_counts(delivery)
        assert [fields["error"] for _, fields in delivery.entries(delivery.keys.dead)] == []
        assert all(state == "result" for state in delivery.states(ids))
        assert [i for i in ids if counts[i] != 1] == []  # each published exactly once
        assert worker.poll() is None
    finally:
        stop_worker(worker)
        delivery.close()


def test_a_message_that_keeps_killing_its_worker_is_dead_lettered(
    redis_url: str, broker: str | None, seed_text: str
) -> None:
    """A redelivered message counts its deliveries; past ``max_deliveries`` it stops the article.

    On Redis the worker counts redeliveries in Redis; on RabbitMQ it reads the quorum queue's
    ``x-delivery-count``."""
    settings = make_settings(redis_url, max_deliveries=1, broker_url=broker)
    worker = start_worker(settings, ROOT / ".pytest-worker-poison.log", concurrency=1)
    delivery, app = Delivery.from_settings(settings), create_app(settings)
    article = RawArticle(id=f"poison-{uuid.uuid4().hex[:6]}", text="\n\n".join([seed_text] * 30))
    try:
        submit(app, delivery, article)
        killed: dict[str, str] = {}  # task id -> task name
        deadline = time.monotonic() + 120
        while delivery.state(article.id or "") is None and time.monotonic() < deadline:
            active = app.control.inspect(destination=[node_name(settings)], timeout=0.5).active() or {}
            for task in (t for tasks in active.values() for t in tasks):
                if task["id"] not in killed:
                    os.kill(task["worker_pid"], signal.SIGKILL)  # mid-way through the long article
                    killed[task["id"]] = task["name"]
        assert len(killed) == 1
        event = delivery.fetch(article.id or "")
        assert event is not None and event.kind == "error"
        error = json.loads(event.document)
        assert error["reason"] == "worker_lost"
        assert f"newsflow.{error['stage']}" == next(iter(killed.values()))  # the killed task's stage
        assert error["input_ref"] == delivery.keys.dead_input(article.id or "")  # kept for requeue
        assert len(delivery.entries(delivery.keys.dead)) == 1  # one ErrorEvent
        assert worker.poll() is None
    finally:
        stop_worker(worker)
        delivery.close()
        cleanup(settings)


@pytest.mark.serial
def test_restarting_redis_mid_run_loses_nothing(broker: str | None, seed_text: str) -> None:
    """On Redis as broker and store; with RabbitMQ as broker, Redis is the store alone, and the
    stages' retries go through RabbitMQ's delayed delivery while it is down."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="newsflow-fault-redis-") as workdir:
        server = start_redis(port, directory=workdir, durable=True)
        settings = make_settings(
            f"redis://127.0.0.1:{port}/0",
            visibility_timeout_s=15,
            # look for unacknowledged messages past the visibility timeout every 2 s, not every 100 s
            broker_transport_options={"unacked_restore_interval": 2, "unacked_restore_throttle": 1}
            if broker is None
            else {},
            soft_time_limits_s={"clean": 3, "entities": 5, "summarise": 2},
            hard_time_limits_s={"clean": 4, "entities": 7, "summarise": 3},  # 14 s fused: under 15
            max_retries=10,
            retry_backoff_max_s=2,
            broker_url=broker,
            # a message Redis popped but never delivered as it stopped is resubmitted (recovery.py)
            lost_after_s=10,
            recovery_interval_s=2,
        )
        worker = start_worker(settings, ROOT / ".pytest-worker-redis.log", concurrency=2)
        delivery, app = Delivery.from_settings(settings), create_app(settings)
        articles = _articles(seed_text, 60)
        ids = [a.id or "" for a in articles]
        try:
            for article in articles:
                submit(app, delivery, article)
            deadline = time.monotonic() + 60
            while sum(s is not None for s in delivery.states(ids)) < 10 and time.monotonic() < deadline:
                time.sleep(0.05)
            server.stop()  # SIGTERM: Redis writes its append-only file and exits
            time.sleep(2)
            server = start_redis(port, directory=workdir, durable=True)
            _wait_all(delivery, ids, timeout_s=150)
            counts = _published_counts(delivery)
            assert all(state == "result" for state in delivery.states(ids))
            assert [i for i in ids if counts[i] != 1] == []
            assert worker.poll() is None  # it reconnected rather than died
        finally:
            stop_worker(worker)
            delivery.close()
            server.stop()


def test_rabbitmq_dropping_every_connection_mid_run_loses_nothing(redis_url: str, seed_text: str) -> None:
    """RabbitMQ's side of a broker restart: every connection of the vhost closed, twice, mid-run.

    The worker reconnects, the messages it held come back to the quorum queues, and each article
    is published once. (Restarting the node itself would cut every other user of this shared
    RabbitMQ; closing the vhost's connections is what a restart does to the clients.)
    """
    with rabbit_vhost() as url:
        settings = make_settings(redis_url, broker_url=url)
        worker = start_worker(settings, ROOT / ".pytest-worker-rabbit-drop.log", concurrency=2)
        delivery, app = Delivery.from_settings(settings), create_app(settings)
        articles = _articles(seed_text, 60)
        ids = [a.id or "" for a in articles]
        try:
            for article in articles:
                submit(app, delivery, article)
            for done_before in (10, 25):
                deadline = time.monotonic() + 90
                while sum(s is not None for s in delivery.states(ids)) < done_before:
                    assert time.monotonic() < deadline, "the run stalled"
                    time.sleep(0.05)
                rabbitmqctl("close_all_connections", "-p", vhost_of(url), "newsflow fault test")
            _wait_all(delivery, ids, timeout_s=150)
            counts = _published_counts(delivery)
            assert all(state == "result" for state in delivery.states(ids))
            assert [i for i in ids if counts[i] != 1] == []
            assert worker.poll() is None  # it reconnected rather than died
            log = (ROOT / ".pytest-worker-rabbit-drop.log").read_text()
            assert log.count("Connection to broker lost") >= 2  # the fault did happen, twice
        finally:
            stop_worker(worker)
            delivery.close()
            cleanup(settings)


def test_a_long_redis_outage_on_rabbitmq_ends_each_article_once_through_the_dead_letters(
    redis_url: str, seed_text: str
) -> None:
    """RabbitMQ up, Redis down for 10 s, no retries: the messages in flight are requeued until the
    broker's delivery limit moves them to the dead-letter queue, where the workers hold them until
    Redis is back; then each article ends as exactly one terminal event, none lost."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="newsflow-fault-redis-") as workdir, rabbit_vhost() as url:
        server = start_redis(port, directory=workdir, durable=True)
        settings = make_settings(
            f"redis://127.0.0.1:{port}/0", broker_url=url, max_retries=0, max_deliveries=2
        )
        worker = start_worker(settings, ROOT / ".pytest-worker-rabbit-outage.log", concurrency=1)
        delivery, app = Delivery.from_settings(settings), create_app(settings)
        articles = _articles(seed_text, 12)
        ids = [a.id or "" for a in articles]
        try:
            for article in articles:
                submit(app, delivery, article)
            deadline = time.monotonic() + 60
            while not any(delivery.states(ids)):
                assert time.monotonic() < deadline, "nothing was published before the outage"
                time.sleep(0.05)
            server.stop()
            time.sleep(10)
            server = start_redis(port, directory=workdir, durable=True)
            _wait_all(delivery, ids, timeout_s=180)
            assert not_ended_once(delivery, ids) == []  # one terminal event each
            messages = [
                json.loads(fields["error"])["message"] for _, fields in delivery.entries(delivery.keys.dead)
            ]
            assert any(m.startswith("RabbitMQ dead-lettered it") for m in messages), messages
            assert worker.poll() is None
        finally:
            stop_worker(worker)
            delivery.close()
            server.stop()


def test_an_offline_consumer_group_gets_every_result_once(own_settings: Settings, seed_text: str) -> None:
    delivery, app = Delivery.from_settings(own_settings), create_app(own_settings)
    GroupConsumer(delivery, "archive", "archiver-1")  # the group exists; its consumer goes offline
    worker = start_worker(own_settings, ROOT / ".pytest-worker-group.log", concurrency=2)
    tag = uuid.uuid4().hex[:6]
    articles = [
        RawArticle(id=f"g{i:03d}-{tag}", text=seed_text.split("\n\n", 3)[2] + f" Item {i}.")
        for i in range(100)
    ]
    ids = [a.id or "" for a in articles]
    try:
        for article in articles:
            submit(app, delivery, article)
        _wait_all(delivery, ids, timeout_s=120)
    finally:
        stop_worker(worker)
    consumer = GroupConsumer(delivery, "archive", "archiver-1")  # back online
    received: Counter[str] = Counter()
    while batch := consumer.read(count=30, block_ms=200):
        received.update(json.loads(event.document)["article_id"] for event in batch)
        consumer.ack(*(event.entry_id or "" for event in batch))
    assert received == Counter(ids)
    assert consumer.read(count=30, block_ms=200) == []


def test_sigterm_lets_the_articles_in_flight_finish_and_leaves_the_rest_queued(
    own_settings: Settings, seed_text: str
) -> None:
    """A deploy's SIGTERM (docker-compose stop): warm shutdown, nothing lost, nothing twice."""
    delivery, app = Delivery.from_settings(own_settings), create_app(own_settings)
    articles = _articles(seed_text, 40)
    ids = [a.id or "" for a in articles]
    first = start_worker(own_settings, ROOT / ".pytest-worker-term.log", concurrency=2)
    second = None
    try:
        for article in articles:
            submit(app, delivery, article)
        deadline = time.monotonic() + 60
        while sum(s is not None for s in delivery.states(ids)) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(first.pid, signal.SIGTERM)  # the whole worker, as an orchestrator stops it
        assert first.wait(timeout=60) == 0  # it finished its tasks in flight and exited cleanly
        done_at_stop = sum(s is not None for s in delivery.states(ids))
        assert done_at_stop < len(ids)  # the rest stayed queued, not dropped
        second = start_worker(own_settings, ROOT / ".pytest-worker-term2.log", concurrency=2)
        _wait_all(delivery, ids, timeout_s=180)
        counts = _published_counts(delivery)
        assert all(state == "result" for state in delivery.states(ids))
        assert [i for i in ids if counts[i] != 1] == []
    finally:
        for process in (first, second):
            if process is not None:
                stop_worker(process)
        delivery.client.close()
