"""A message taken off a Redis queue whose unacknowledged record then fails is not lost.

The failure is made on demand: a Redis at its memory limit (``maxmemory`` with ``noeviction``)
still serves BRPOP, which frees memory, but refuses the ZADD and HSET that record the message
as delivered. A Redis stopping between the two commands leaves the same state.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from kombu.connection import Connection
from kombu.entity import Exchange, Queue
from kombu.transport import redis as kombu_redis

from worker.embedded import EmbeddedRedis, start_redis
from worker.redis_qos import KeepingQoS, install, kept_count

QUEUE = Queue("qos-test", Exchange("qos-test", type="direct"), routing_key="qos-test")


@pytest.fixture()
def server() -> Iterator[EmbeddedRedis]:
    """A private Redis: these tests set its memory limit."""
    own = start_redis()
    yield own
    own.stop()


def _consume_one_while_full(server: EmbeddedRedis, qos: type[Any]) -> tuple[Connection, Any, list[Any]]:
    """Publish one message, fill Redis, and let a consumer with ``qos`` take it."""
    connection = Connection(server.url, transport_options={"visibility_timeout": 3600})
    connection.Producer().publish({"n": 1}, exchange=QUEUE.exchange, routing_key="qos-test", declare=[QUEUE])
    channel = connection.channel()
    channel.QoS = qos  # read when the channel first needs its QoS
    received: list[Any] = []

    def on_message(body: Any, message: Any) -> None:
        received.append(body)
        message.ack()

    consumer = connection.Consumer(QUEUE, channel=channel, callbacks=[on_message])
    consumer.consume()
    admin = redis.Redis.from_url(server.url)
    admin.config_set("maxmemory", 1)
    with pytest.raises(redis.ResponseError, match="maxmemory"):
        connection.drain_events(timeout=5)
    admin.config_set("maxmemory", 0)
    return connection, channel, received


def _where(server: EmbeddedRedis) -> tuple[int, int]:
    admin = redis.Redis.from_url(server.url)
    return admin.llen("qos-test"), admin.hlen("unacked")


def test_kombus_own_qos_loses_the_message(server: EmbeddedRedis) -> None:
    """The gap itself: with kombu's QoS the message is neither queued nor unacknowledged."""
    connection, _, received = _consume_one_while_full(server, kombu_redis.QoS)
    try:
        assert received == []
        assert _where(server) == (0, 0)
    finally:
        connection.release()


def test_a_message_whose_record_failed_returns_to_its_queue_and_is_consumed(server: EmbeddedRedis) -> None:
    connection, channel, received = _consume_one_while_full(server, KeepingQoS)
    try:
        assert received == [] and kept_count() == 1
        assert _where(server) == (0, 0)  # only this process holds it
        channel.qos.restore_visible()  # kombu's sweep, on a working connection
        assert kept_count() == 0
        assert _where(server) == (1, 0)
        connection.drain_events(timeout=5)
        assert received == [{"n": 1}]
        assert _where(server) == (0, 0)  # consumed and acknowledged
    finally:
        connection.release()


def test_kept_messages_stay_kept_while_redis_still_refuses(server: EmbeddedRedis) -> None:
    connection, channel, _ = _consume_one_while_full(server, KeepingQoS)
    admin = redis.Redis.from_url(server.url)
    try:
        admin.config_set("maxmemory", 1)
        with pytest.raises(redis.ResponseError, match="maxmemory"):
            channel.qos.restore_visible()
        assert kept_count() == 1 and _where(server) == (0, 0)
        admin.config_set("maxmemory", 0)
        channel.qos.restore_visible()
        assert kept_count() == 0 and _where(server) == (1, 0)
    finally:
        connection.release()


def test_install_makes_it_the_qos_of_redis_and_sentinel_channels() -> None:
    install()
    assert kombu_redis.Channel.QoS is KeepingQoS
    assert kombu_redis.SentinelChannel.QoS is KeepingQoS
