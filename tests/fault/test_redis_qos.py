"""A message taken off a Redis queue whose unacknowledged record then fails is not lost, and a
consumer goes on while Redis refuses writes.

The failure is made on demand: a Redis at its memory limit (``maxmemory`` with ``noeviction``)
still serves BRPOP, which frees memory, but refuses the ZADD and HSET that record the message
as delivered, and the transactions that acknowledge or put back a message. A Redis stopping
between BRPOP and the record leaves the same state as the refused record.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from kombu.connection import Connection
from kombu.entity import Exchange, Queue
from kombu.transport import redis as kombu_redis

from worker import redis_qos
from worker.embedded import EmbeddedRedis, start_redis
from worker.redis_qos import KeepingQoS, install, kept_count, unsettled_count

QUEUE = Queue("qos-test", Exchange("qos-test", type="direct"), routing_key="qos-test")


@pytest.fixture()
def server() -> Iterator[EmbeddedRedis]:
    """A private Redis: these tests set its memory limit."""
    own = start_redis()
    yield own
    own.stop()


def _consume_one_while_full(server: EmbeddedRedis, qos: type[Any]) -> tuple[Connection, Any, list[Any]]:
    """Publish one message, fill Redis, and let a consumer with ``qos`` take it: kombu's QoS
    raises the refusal, ``KeepingQoS`` keeps the message and takes it for no message."""
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
    refusal = TimeoutError if qos is KeepingQoS else redis.ResponseError
    with pytest.raises(refusal):
        connection.drain_events(timeout=2)
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
        channel.qos.restore_visible()  # the sweep is skipped, for the next one
        assert kept_count() == 1 and _where(server) == (0, 0)
        admin.config_set("maxmemory", 0)
        channel.qos.restore_visible()
        assert kept_count() == 0 and _where(server) == (1, 0)
    finally:
        connection.release()


def test_a_refused_record_pauses_the_consumer(server: EmbeddedRedis) -> None:
    connection, channel, _ = _consume_one_while_full(server, KeepingQoS)
    try:
        channel.qos._refused_until = 0.0
        assert channel.qos.can_consume()
        channel.qos.pause()
        assert not channel.qos.can_consume()  # for REFUSED_PAUSE_S
        channel.qos.restore_visible()
    finally:
        connection.release()


@pytest.mark.parametrize("requeue", [False, True])
def test_a_refused_acknowledgement_or_requeue_is_done_at_the_next_sweep(
    server: EmbeddedRedis, requeue: bool
) -> None:
    connection = Connection(server.url, transport_options={"visibility_timeout": 3600})
    connection.Producer().publish({"n": 2}, exchange=QUEUE.exchange, routing_key="qos-test", declare=[QUEUE])
    channel = connection.channel()
    channel.QoS = KeepingQoS
    taken: list[Any] = []
    consumer = connection.Consumer(
        QUEUE, channel=channel, callbacks=[lambda _, message: taken.append(message)]
    )
    consumer.consume()
    admin = redis.Redis.from_url(server.url)
    try:
        connection.drain_events(timeout=5)
        assert len(taken) == 1 and _where(server) == (0, 1)  # recorded as unacknowledged
        admin.config_set("maxmemory", 1)
        if requeue:  # refused: no error either way
            taken[0].reject(requeue=True)
        else:
            taken[0].ack()
        assert unsettled_count() == 1 and _where(server) == (0, 1)  # still recorded
        assert channel.qos.can_consume()  # this consumer is done with it
        channel.qos.restore_visible()  # still refused: kept for the next sweep
        assert unsettled_count() == 1
        admin.config_set("maxmemory", 0)
        channel.qos.restore_visible()
        assert unsettled_count() == 0
        assert _where(server) == ((1, 0) if requeue else (0, 0))
    finally:
        admin.config_set("maxmemory", 0)
        connection.release()


def test_install_makes_it_the_qos_of_redis_and_sentinel_channels() -> None:
    install()
    assert kombu_redis.Channel.QoS is KeepingQoS
    assert kombu_redis.SentinelChannel.QoS is KeepingQoS
    reader: object = kombu_redis.SentinelChannel._brpop_read
    assert reader is redis_qos._brpop_read  # a refused BRPOP: no message
