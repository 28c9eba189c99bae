"""Redis Sentinel: a real master, replica and three Sentinels, the master killed mid-run."""

import json
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
import redis

from schemas import RawArticle
from tests.conftest import ROOT, error_event, make_settings, start_worker, stop_worker
from tests.sentinel_cluster import SentinelCluster, start_cluster
from worker.app import create_app
from worker.config import Settings
from worker.connection import REDIS_UNREACHABLE
from worker.consume import GroupConsumer, Subscription
from worker.delivery import Delivery
from worker.embedded import redis_server_binary
from worker.pipeline import submit
from worker.replication import NotReplicated

ARTICLES = 40

pytestmark = pytest.mark.skipif(redis_server_binary() is None, reason="no redis-server to start")


@pytest.fixture()
def cluster() -> Iterator[SentinelCluster]:
    """Master, replica and three Sentinels of this test only, stopped after it."""
    running, workdir = start_cluster()
    yield running
    running.stop()
    workdir.cleanup()


def _failover_settings(cluster: SentinelCluster) -> Settings:
    return make_settings(
        cluster.url(),
        visibility_timeout_s=15,
        # tasks cut off by the lost connection come back once the visibility timeout passes
        broker_transport_options={"unacked_restore_interval": 2, "unacked_restore_throttle": 1},
        soft_time_limits_s={"clean": 3, "entities": 5, "summarise": 2},
        hard_time_limits_s={"clean": 4, "entities": 7, "summarise": 3},
        max_retries=10,
        retry_backoff_max_s=2,
        redis_replica_wait_ms=500,
        # a message the old master handed out (or took) without the replica hearing of it in time
        # is resubmitted (recovery.py): 10 s unseen, looked for every 2 s
        lost_after_s=10,
        recovery_interval_s=2,
    )


class Listener:
    """Reads the results channel and a consumer group on the results Stream in threads."""

    def __init__(self, delivery: Delivery) -> None:
        self.channel: list[tuple[float, str]] = []  # (when, article id) per message
        self.group: list[tuple[float, str]] = []
        self.stop = threading.Event()
        self._subscription = Subscription(delivery)
        self._group = GroupConsumer(delivery, "sentinel-test", "c1", min_idle_ms=5_000)
        self._threads = [threading.Thread(target=self._live), threading.Thread(target=self._stream)]
        for thread in self._threads:
            thread.start()

    def _live(self) -> None:
        while not self.stop.is_set():
            event = self._subscription.get(0.2)
            if event is not None and event.kind == "result":
                self.channel.append((time.monotonic(), json.loads(event.document)["article_id"]))

    def _stream(self) -> None:
        while not self.stop.is_set():
            events = self._group.read(count=50, block_ms=200)
            for event in events:
                self.group.append((time.monotonic(), json.loads(event.document)["article_id"]))
            with suppress(*REDIS_UNREACHABLE):  # left pending: claimed again once idle
                self._group.ack(*(event.entry_id or "" for event in events))

    def close(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self._subscription.close()


def _where(cluster: SentinelCluster, truth: Delivery, ids: list[str], log_path: Path) -> str:
    """Where the articles without a terminal event are, for a failure's message: their status,
    the broker's lists, both data nodes' replication and the worker log's warnings."""
    keys, client = truth.settings.keys, truth.client
    waiting = [i for i, state in zip(ids, truth.states(ids), strict=True) if state is None]
    inflight = truth.inflight
    lines = [f"{len(waiting)} without a terminal event; in flight {inflight.count()}"]
    for article_id in waiting[:10]:
        seen = client.zscore(keys.inflight, article_id)
        kept = client.exists(keys.inflight_input(article_id))
        lines.append(f"  {article_id}: status {truth.status(article_id)}, seen {seen}, input kept {kept}")
    lengths = {key: client.llen(key) for key in inflight.queue_keys}
    lines.append(f"queues {lengths}; unacked {client.hlen(inflight.unacked_key)}")
    for name in ("a", "b"):
        with suppress(redis.RedisError):
            info = cluster.client(name).info("replication")
            lines.append(
                f"{name}: "
                + ", ".join(
                    f"{k}={v}"
                    for k, v in info.items()
                    if "slave0" in k or k in ("role", "connected_slaves", "master_link_status")
                )
            )
    warnings = [
        line[:300]
        for line in log_path.read_text(errors="replace").splitlines()
        if '"level": "warning"' in line or '"level": "error"' in line
    ]
    return "\n".join([*lines, "worker log warnings and errors, last 25:", *warnings[-25:]])


def _published(delivery: Delivery) -> Counter[str]:
    entries = delivery.entries(delivery.keys.results_log, count=1_000_000)
    return Counter(json.loads(fields["result"])["article_id"] for _, fields in entries)


@pytest.mark.serial
@pytest.mark.parametrize("how", ["kill", "failover"])
def test_a_failover_mid_run_loses_and_duplicates_nothing(
    cluster: SentinelCluster, seed_text: str, how: str
) -> None:
    """``kill``: the master is SIGKILLed and comes back, empty, as a replica; ``failover``:
    SENTINEL FAILOVER demotes it (a planned switch: it stays up, as a replica)."""
    settings = _failover_settings(cluster)
    assert settings.replica_acks == 1  # a Sentinel URL waits for one replica by default
    log_path = ROOT / f".pytest-worker-sentinel-{how}.log"
    worker = start_worker(settings, log_path, concurrency=2)
    delivery, app = Delivery.from_settings(settings), create_app(settings)
    tag = uuid.uuid4().hex[:6]
    ids = [f"s{i:03d}-{tag}" for i in range(ARTICLES)]
    listener = Listener(delivery)
    try:
        for article_id in ids:
            submit(app, delivery, RawArticle(id=article_id, text=seed_text))
        deadline = time.monotonic() + 30
        while (done := sum(s is not None for s in delivery.states(ids))) < ARTICLES // 4:
            assert time.monotonic() < deadline, "the run did not get going"
            time.sleep(0.05)
        assert done < ARTICLES / 2  # mid-run
        old = cluster.kill_master() if how == "kill" else cluster.ask_failover()
        killed_at = time.monotonic()
        new = cluster.wait_for_failover(old)
        if how == "kill":
            cluster.restart_as_replica(old, new)  # the node comes back as an operator would restart it
        truth = Delivery(cluster.client(new), settings)  # the new master itself, not via Sentinel
        deadline = time.monotonic() + 90
        while any(state is None for state in truth.states(ids)):
            assert time.monotonic() < deadline, "not every article ended after the failover:\n" + _where(
                cluster, truth, ids, log_path
            )
            time.sleep(0.2)
        time.sleep(1.0)  # the listeners catch up
        listener.close()

        assert cluster.master_name() == new
        published = _published(truth)
        states = dict(zip(ids, truth.states(ids), strict=True))
        assert [i for i, state in states.items() if state != "result"] == []
        assert [i for i in ids if published[i] != 1] == []  # each exactly once, none lost
        after = [i for when, i in listener.channel if when > killed_at]
        assert after, "the subscription heard nothing from the new master"
        channel = Counter(i for _, i in listener.channel)
        assert [i for i in ids if channel[i] > 1] == []  # the live channel never repeats one
        group = Counter(i for _, i in listener.group)
        assert [i for i in ids if group[i] == 0] == []  # the consumer group got every result
        assert any(when > killed_at for when, _ in listener.group)
        assert worker.poll() is None  # it followed the master instead of dying
    finally:
        listener.close()
        stop_worker(worker)
        delivery.client.close()


def _timed_publish(delivery: Delivery, article_id: str) -> float:
    started = time.monotonic()
    delivery.publish_error(error_event(article_id))
    return time.monotonic() - started


def _heard(subscription: Subscription, seconds: float = 0.5) -> list[str]:
    heard, deadline = [], time.monotonic() + seconds
    while (remaining := deadline - time.monotonic()) > 0:
        event = subscription.get(remaining)
        if event is not None:
            heard.append(json.loads(event.document)["article_id"])
    return heard


def test_nothing_counts_as_published_until_the_replica_holds_it(cluster: SentinelCluster) -> None:
    """With the replica stopped, a publish waits ``redis_replica_wait_ms``, raises and announces
    nothing; once the replica is back, the retry announces it, once. Without replica acks the
    same publish neither waits nor fails."""
    settings = make_settings(cluster.url(), redis_replica_wait_ms=2000)
    unsafe = settings.model_copy(update={"redis_replica_acks": 0})
    delivery, unwaited = Delivery.from_settings(settings), Delivery.from_settings(unsafe)
    replica_name = "b" if cluster.master_name() == "a" else "a"
    replica, process = cluster.client(replica_name), cluster.processes[replica_name]
    subscription = Subscription(delivery)
    try:
        assert _timed_publish(delivery, "w-running") < 1.5  # confirmed well before the 2 s wait ends
        assert replica.hget(settings.keys.done("w-running"), "kind") == "error"
        assert _heard(subscription) == ["w-running"]
        process.send_signal(signal.SIGSTOP)
        try:
            assert _timed_publish(unwaited, "w-unwaited") < 1.5  # replica_acks=0: no wait
            started = time.monotonic()
            with pytest.raises(NotReplicated, match="confirmed by 0 of 1 replicas"):
                delivery.publish_error(error_event("w-stopped"))
            assert time.monotonic() - started >= 2.0
            with pytest.raises(NotReplicated):
                delivery.wait_for_replicas("w-running")
            assert _heard(subscription) == ["w-unwaited"]  # "w-stopped" was not announced
        finally:
            process.send_signal(signal.SIGCONT)
        assert delivery.publish_error(error_event("w-stopped")) is None  # written before: not again
        assert _heard(subscription) == ["w-stopped"]  # but announced now, once
        assert delivery.publish_error(error_event("w-stopped")) is None
        assert _heard(subscription) == []
        assert delivery.wait_for_replicas("w-running")  # its status is there: nothing to resend
        assert not delivery.wait_for_replicas("w-never-submitted")
    finally:
        subscription.close()
        delivery.client.close()
        unwaited.client.close()


def test_an_announcement_goes_out_only_once_the_replica_holds_its_claim(cluster: SentinelCluster) -> None:
    """A failover between the channel message and its flag reaching the replica would let the
    redelivered task announce it again; so the flag is confirmed first, and an unconfirmed claim
    sends nothing (and, pub/sub being at most once, is not sent later either)."""
    settings = make_settings(cluster.url(), redis_replica_wait_ms=1000)
    delivery = Delivery.from_settings(settings)
    assert delivery.replicas is not None
    replica_name = "b" if cluster.master_name() == "a" else "a"
    replica, process = cluster.client(replica_name), cluster.processes[replica_name]
    subscription = Subscription(delivery)
    channel = settings.keys.errors_channel
    done = [settings.keys.done(article_id) for article_id in ("w-claimed", "w-heard")]
    try:
        for key in done:
            delivery.client.hset(key, "revision", 1)
        process.send_signal(signal.SIGSTOP)
        try:
            with pytest.raises(NotReplicated):
                delivery.replicas.announce(done[0], channel, json.dumps({"article_id": "w-claimed"}), 1)
            assert _heard(subscription) == []  # nothing went out before the replica held the claim
        finally:
            process.send_signal(signal.SIGCONT)
        assert not delivery.replicas.announce(done[0], channel, json.dumps({"article_id": "w-claimed"}), 1)
        assert delivery.replicas.announce(done[1], channel, json.dumps({"article_id": "w-heard"}), 1)
        assert replica.hget(done[1], "announced") == "1"  # the replica held the claim before it went out
        assert not delivery.replicas.announce(done[1], channel, json.dumps({"article_id": "w-heard"}), 1)
        assert _heard(subscription) == ["w-heard"]
    finally:
        subscription.close()
        delivery.client.delete(*done)
        delivery.client.close()
