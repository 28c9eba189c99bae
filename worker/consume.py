"""Reading results back: live pub/sub, Stream replay, and consumer groups (at least once)."""

import time
from collections.abc import Iterator
from typing import Any, cast

from schemas.result import ArticleResult, ErrorEvent
from worker.connection import REDIS_UNREACHABLE
from worker.delivery import Delivery, Event, EventKind
from worker.streams import StreamGroup


class Subscription:
    """A live subscription to the results and errors channels (at most once); a context manager.

    Once constructed it is live: Redis has confirmed both channels, so every event published
    from then on is received (a check of the done markers made after it misses nothing), as
    long as the connection holds. A lost connection is made again (through Sentinel: to the new
    master) and the channels subscribed again; what was published in between is missed (the
    Stream has every result).
    """

    _RETRY_S = 0.2

    def __init__(self, delivery: Delivery, *, confirm_timeout_s: float = 10.0) -> None:
        self._keys = delivery.keys
        self._pubsub: Any = cast(Any, delivery.client).pubsub()  # typed in redis-py 8, not before
        channels = {self._keys.results_channel, self._keys.errors_channel}
        self._pubsub.subscribe(*channels)
        deadline = time.monotonic() + confirm_timeout_s
        while channels:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._pubsub.close()
                raise TimeoutError(f"Redis did not confirm the subscription within {confirm_timeout_s} s")
            message = self._pubsub.get_message(timeout=remaining)
            if message is not None and message.get("type") == "subscribe":
                channels.discard(str(message["channel"]))

    def _next_message(self, timeout_s: float) -> dict[str, object] | None:
        """The next message, or None: also while Redis cannot be reached (tried again next call)."""
        try:
            message: dict[str, object] | None = self._pubsub.get_message(timeout=timeout_s)
        except REDIS_UNREACHABLE:
            time.sleep(min(self._RETRY_S, timeout_s))
            return None
        return message

    def get(self, timeout_s: float) -> Event | None:
        """The next event, or None when none arrives within ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            message = self._next_message(max(remaining, 0.0))
            if message is not None and message.get("type") == "message":
                kind: EventKind = "result" if message["channel"] == self._keys.results_channel else "error"
                return Event(kind, str(message["data"]))
            if remaining <= 0:
                return None

    def close(self) -> None:
        """Unsubscribe and release the connection."""
        self._pubsub.close()

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def replay(delivery: Delivery, since: str = "0-0", count: int | None = None) -> Iterator[Event]:
    """Results from the Stream after entry ``since``, oldest first."""
    last, seen = since, 0
    while count is None or seen < count:
        batch = delivery.entries(delivery.keys.results_log, after=last)
        if not batch:
            return
        for entry_id, fields in batch:
            last = entry_id
            yield Event("result", fields["result"], last)
            seen += 1
            if count is not None and seen >= count:
                return


class GroupConsumer:
    """At-least-once consumption of the results Stream through a consumer group."""

    def __init__(self, delivery: Delivery, group: str, consumer: str, *, min_idle_ms: int = 60_000) -> None:
        self.group = StreamGroup(
            delivery.client, delivery.keys.results_log, group, consumer, min_idle_ms=min_idle_ms
        )

    def read(self, count: int = 100, block_ms: int | None = 1000) -> list[Event]:
        """Up to ``count`` results: stale pending ones first, then new ones.

        Nothing while Redis cannot be reached: the next read connects again (through Sentinel:
        to the new master after a failover).
        """
        try:
            entries = self.group.read(count, block_ms)
        except REDIS_UNREACHABLE:
            time.sleep(min(1.0, (block_ms or 0) / 1000))
            return []
        return [Event("result", fields["result"], entry_id) for entry_id, fields in entries]

    def ack(self, *entry_ids: str) -> None:
        """Acknowledge results once handled."""
        self.group.ack(*entry_ids)


def parse_event(event: Event) -> ArticleResult | ErrorEvent:
    """The schema object an event carries."""
    if event.kind == "result":
        return ArticleResult.model_validate_json(event.document)
    return ErrorEvent.model_validate_json(event.document)
