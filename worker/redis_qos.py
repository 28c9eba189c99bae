"""kombu's Redis acknowledgement emulation, with the one gap that loses a message closed.

kombu takes a message off a Redis queue with BRPOP and then, in a second command on another
connection, records it as unacknowledged (``QoS.append``: ZADD to the index, HSET of the body).
If that second command fails (Redis stopped or restarted between the two, a failover, a full
Redis refusing the write), the message is in no list and no hash: only this process holds it,
kombu drops it with the connection, and the article never ends. Stopping Redis at random
moments under CPU load loses such messages (``python -m bench.redis_restarts``).

``KeepingQoS`` keeps each message whose record failed and puts it back at the head of its queue
at the next sweep kombu runs on a working connection (``restore_visible``: at every reconnect
and every ``unacked_restore_interval``), as the visibility timeout would have. A message whose
record was written after all (the reply was lost, not the command) comes back twice; the stages
run again and the publish script's once-marker publishes it once.

``install`` makes it the QoS of kombu's Redis and Sentinel channels in this process. A worker
consumes from one broker, so the messages kept are those of that broker.
"""

import threading
from typing import Any

from kombu.transport import redis as kombu_redis

from worker.logging import get_logger

log = get_logger("newsflow.redis_qos")

# (body, exchange, routing key) of each message whose unacknowledged record failed.
_kept: list[tuple[dict[str, Any], str, str]] = []
_kept_lock = threading.Lock()


class KeepingQoS(kombu_redis.QoS):
    """Redis QoS that keeps a delivered message whose unacknowledged record failed."""

    def append(self, message: Any, delivery_tag: str) -> None:
        try:
            super().append(message, delivery_tag)
        except Exception as exc:
            delivery = message.delivery_info
            with _kept_lock:
                _kept.append((message._raw, delivery["exchange"], delivery["routing_key"]))
            log.warning("broker_message_kept", routing_key=delivery["routing_key"], error=str(exc))
            raise

    def restore_visible(self, start: int = 0, num: int = 10, interval: int = 10) -> None:
        self.return_kept()
        super().restore_visible(start, num, interval)

    def return_kept(self) -> int:
        """Push the kept messages back onto their queues in one transaction; how many.

        On failure they stay kept for the next sweep, and the error propagates (kombu's sweep
        treats a connection error as "try again next time").
        """
        with _kept_lock:
            taken = list(_kept)
            _kept.clear()
        if not taken:
            return 0
        try:
            with self.channel.conn_or_acquire() as client, client.pipeline() as pipe:
                for body, exchange, routing_key in taken:
                    self.channel._do_restore_message(body, exchange, routing_key, pipe)
                pipe.execute()
        except BaseException:
            with _kept_lock:
                _kept[:0] = taken
            raise
        log.warning("broker_messages_returned", count=len(taken))
        return len(taken)


def kept_count() -> int:
    """How many messages this process holds for their queues."""
    with _kept_lock:
        return len(_kept)


def install() -> None:
    """Make ``KeepingQoS`` the QoS of kombu's Redis channels (and Sentinel's, a subclass)."""
    kombu_redis.Channel.QoS = KeepingQoS
