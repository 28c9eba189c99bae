"""The only code that writes results and errors to Redis, and reads them back for consumers."""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import redis

from schemas.result import ArticleResult, ErrorEvent
from worker.config import Settings

# Publish a terminal event once per article id, atomically: the done marker, the stored
# document, the Stream entry and the pub/sub message are written together or not at all.
_PUBLISH_ONCE = """
if redis.call('SET', KEYS[1], ARGV[5], 'NX', 'EX', ARGV[3]) then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
  local entry = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', ARGV[5], ARGV[2])
  redis.call('PUBLISH', ARGV[1], ARGV[2])
  return entry
end
return false
"""

EventKind = Literal["result", "error"]


@dataclass(frozen=True)
class Event:
    """One message read back from a channel or a Stream: its kind and its JSON document."""

    kind: EventKind
    document: str
    entry_id: str | None = None


class Delivery:
    """Writes terminal events (results and errors) and reads them back."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.keys = settings.keys
        self._publish_once = client.register_script(_PUBLISH_ONCE)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Delivery":
        """A Delivery on a new connection pool to ``settings.redis_url``."""
        return cls(redis.Redis.from_url(settings.redis_url, decode_responses=True), settings)

    def _once(self, article_id: str, kind: EventKind, document: str) -> str | None:
        store, stream, channel, maxlen = (
            (
                self.keys.result(article_id),
                self.keys.results_log,
                self.keys.results_channel,
                self.settings.results_log_maxlen,
            )
            if kind == "result"
            else (
                self.keys.error(article_id),
                self.keys.dead,
                self.keys.errors_channel,
                self.settings.dead_maxlen,
            )
        )
        entry = self._publish_once(
            keys=[self.keys.done(article_id), store, stream],
            args=[channel, document, self.settings.result_ttl_s, maxlen, kind],
        )
        return entry if isinstance(entry, str) else None

    def publish_result(self, result: ArticleResult) -> str | None:
        """Publish a result; the Stream entry id, or None when this article was already done."""
        return self._once(result.article_id, "result", result.model_dump_json())

    def publish_error(self, event: ErrorEvent) -> str | None:
        """Dead-letter an error; the Stream entry id, or None when this article was already done."""
        return self._once(event.article_id, "error", event.model_dump_json())

    def state(self, article_id: str) -> EventKind | None:
        """ "result" or "error" once the article reached its terminal event, else None."""
        marker = self.client.get(self.keys.done(article_id))
        return None if marker is None else ("result" if marker == "result" else "error")

    def fetch(self, article_id: str) -> Event | None:
        """The stored terminal event of an article, if it has one (and its TTL has not run out)."""
        kind = self.state(article_id)
        if kind is None:
            return None
        key = self.keys.result(article_id) if kind == "result" else self.keys.error(article_id)
        document = self.client.get(key)
        return None if document is None else Event(kind, str(document))

    def listen(self) -> "Subscription":
        """Subscribe now to live results and errors (at most once: nothing is buffered in Redis)."""
        return Subscription(self)

    def entries(self, stream: str, after: str = "0-0", count: int = 500) -> list[tuple[str, dict[str, str]]]:
        """Up to ``count`` entries of ``stream`` after entry id ``after``, oldest first."""
        batch = self.client.xrange(stream, min=f"({after}", count=count)
        return list(batch)  # type: ignore[arg-type]

    def replay(self, since: str = "0-0", count: int | None = None) -> Iterator[Event]:
        """Results from the Stream after entry ``since``, oldest first."""
        last, seen = since, 0
        while count is None or seen < count:
            batch = self.entries(self.keys.results_log, after=last)
            if not batch:
                return
            for entry_id, fields in batch:
                last = entry_id
                yield Event("result", fields["result"], last)
                seen += 1
                if count is not None and seen >= count:
                    return


class Subscription:
    """A live subscription to the results and errors channels; use as a context manager."""

    def __init__(self, delivery: Delivery) -> None:
        self._keys = delivery.keys
        self._pubsub = delivery.client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
        self._pubsub.subscribe(self._keys.results_channel, self._keys.errors_channel)

    def get(self, timeout_s: float) -> Event | None:
        """The next event, or None when none arrives within ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            message = self._pubsub.get_message(timeout=max(remaining, 0.0))
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


def parse_event(event: Event) -> ArticleResult | ErrorEvent:
    """The schema object an event carries."""
    if event.kind == "result":
        return ArticleResult.model_validate_json(event.document)
    return ErrorEvent.model_validate_json(event.document)
