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

A Redis that refuses writes for a while (full, under the noeviction policy the worker requires,
or a read-only replica) refuses those records too, the acknowledgements and requeues after them
(each is a transaction, which Redis discards whole), and on a replica BRPOP itself. kombu raises,
and Celery takes any error in its consumer but a lost connection for an unrecoverable one: the
worker stopped. Now, while writes are refused, the worker goes on and tries to take a message
once a second at most: a refused BRPOP counts as no message, a message whose record is refused
is kept as above and counts as no message, and an acknowledgement or a requeue that is refused
leaves the message recorded as unacknowledged and is done again at the next sweep.

``install`` makes it the QoS of kombu's Redis and Sentinel channels in this process. A worker
consumes from one broker, so the messages kept are those of that broker.
"""

import threading
import time
from queue import Empty
from typing import Any

import redis
from kombu.transport import redis as kombu_redis
from kombu.transport import virtual

from worker.logging import get_logger

log = get_logger("newsflow.redis_qos")

# A Redis that refuses writes for now: full (under the noeviction policy the worker requires) or a
# read-only replica.
WRITES_REFUSED = (redis.exceptions.OutOfMemoryError, redis.exceptions.ReadOnlyError)
# After a refused BRPOP or record, how long the consumer waits before it takes another message.
REFUSED_PAUSE_S = 1.0
# (body, exchange, routing key) of each message whose unacknowledged record failed.
_kept: list[tuple[dict[str, Any], str, str]] = []
# (delivery tag, requeue) of each acknowledgement (False) or requeue (True) Redis refused.
_unsettled: list[tuple[str, bool]] = []
_kept_lock = threading.Lock()


class KeepingQoS(kombu_redis.QoS):
    """Redis QoS that keeps a delivered message whose unacknowledged record failed, and goes on
    while Redis refuses writes."""

    _refused_until = 0.0  # monotonic time before which no message is taken

    def can_consume(self) -> bool:
        return time.monotonic() >= self._refused_until and bool(super().can_consume())

    def pause(self) -> None:
        """Take no message for ``REFUSED_PAUSE_S``: Redis refused a write."""
        self._refused_until = time.monotonic() + REFUSED_PAUSE_S

    def append(self, message: Any, delivery_tag: str) -> None:
        try:
            super().append(message, delivery_tag)
        except Exception as exc:
            delivery = message.delivery_info
            with _kept_lock:
                _kept.append((message._raw, delivery["exchange"], delivery["routing_key"]))
            log.warning("broker_message_kept", routing_key=delivery["routing_key"], error=str(exc))
            if not isinstance(exc, WRITES_REFUSED):
                raise
            # No message for now: kombu's event loop goes on past ``Empty``, and takes the next
            # one after the pause.
            self.pause()
            raise Empty from exc

    def ack(self, delivery_tag: str) -> None:
        self._settle(delivery_tag, requeue=False)

    def reject(self, delivery_tag: str, requeue: bool = False) -> None:
        self._settle(delivery_tag, requeue=requeue)

    def _settle(self, delivery_tag: str, *, requeue: bool) -> None:
        """kombu's acknowledgement or reject; one that Redis refuses leaves the message recorded
        as unacknowledged, and is done again at the next sweep (``restore_visible``)."""
        try:
            if requeue:
                super().reject(delivery_tag, requeue=True)
            else:
                super().ack(delivery_tag)
        except WRITES_REFUSED as exc:
            virtual.QoS.ack(self, delivery_tag)  # this consumer is done with it either way
            with _kept_lock:
                _unsettled.append((delivery_tag, requeue))
            log.warning("broker_message_unsettled", requeue=requeue, error=str(exc))

    def restore_visible(self, start: int = 0, num: int = 10, interval: int = 10) -> None:
        """kombu's sweep, after the kept messages are put back and the refused acknowledgements
        and requeues done again; skipped, for the next one, while Redis refuses writes."""
        try:
            self.return_kept()
            self.settle_unsettled()
            super().restore_visible(start, num, interval)  # its lock is a write too
        except WRITES_REFUSED as exc:
            log.warning(
                "broker_sweep_refused", kept=kept_count(), unsettled=unsettled_count(), error=str(exc)
            )

    def settle_unsettled(self) -> int:
        """Do again the acknowledgements and requeues Redis refused; how many were done.

        Those it still refuses stay for the next sweep, and the error propagates. A message
        already put back by a sweep (its visibility timeout passed) is no longer recorded, and
        settling it does nothing.
        """
        with _kept_lock:
            taken = list(_unsettled)
            _unsettled.clear()
        done = 0
        try:
            for delivery_tag, requeue in taken:
                if requeue:
                    self.restore_by_tag(delivery_tag, leftmost=True)
                else:
                    self._remove_from_indices(delivery_tag).execute()
                done += 1
        except BaseException:
            with _kept_lock:
                _unsettled[:0] = taken[done:]
            raise
        if done:
            log.warning("broker_messages_settled", count=done)
        return done

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


def unsettled_count() -> int:
    """How many refused acknowledgements and requeues wait for the next sweep."""
    with _kept_lock:
        return len(_unsettled)


_kombus_brpop_read = kombu_redis.Channel._brpop_read


def _brpop_read(channel: Any, **options: Any) -> Any:
    """kombu's read of a BRPOP reply; a refused BRPOP (a read-only replica refuses it, as the
    write it is) counts as no message, and the channel pauses as after a refused record."""
    try:
        return _kombus_brpop_read(channel, **options)
    except WRITES_REFUSED as exc:
        if not isinstance(channel.qos, KeepingQoS):  # it turns its own refusals into Empty
            raise
        log.warning("broker_take_refused", error=str(exc))
        channel.qos.pause()
        raise Empty from exc


def install() -> None:
    """Make ``KeepingQoS`` the QoS of kombu's Redis channels (and Sentinel's, a subclass), and a
    refused BRPOP no message."""
    kombu_redis.Channel.QoS = KeepingQoS
    kombu_redis.Channel._brpop_read = _brpop_read  # type: ignore[method-assign, assignment]
