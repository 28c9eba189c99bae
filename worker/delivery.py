"""The only code that writes results and errors to Redis, and reads them back for consumers."""

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

    def __init__(self, client: "redis.Redis[bytes]", settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.keys = settings.keys
        self._publish_once = client.register_script(_PUBLISH_ONCE)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Delivery":
        """A Delivery on a new connection pool to ``settings.redis_url``."""
        return cls(redis.Redis.from_url(settings.redis_url), settings)

    def _once(self, article_id: str, kind: EventKind, document: str) -> str | None:
        store, stream, channel, maxlen = (
            (self.keys.result(article_id), self.keys.results_log, self.keys.results_channel,
             self.settings.results_log_maxlen)
            if kind == "result"
            else (self.keys.error(article_id), self.keys.dead, self.keys.errors_channel,
                  self.settings.dead_maxlen)
        )
        entry = self._publish_once(
            keys=[self.keys.done(article_id), store, stream],
            args=[channel, document, self.settings.result_ttl_s, maxlen, kind],
        )
        return entry.decode() if isinstance(entry, bytes) else None

    def publish_result(self, result: ArticleResult) -> str | None:
        """Publish a result; the Stream entry id, or None when this article was already done."""
        return self._once(result.article_id, "result", result.model_dump_json())

    def publish_error(self, event: ErrorEvent) -> str | None:
        """Dead-letter an error; the Stream entry id, or None when this article was already done."""
        return self._once(event.article_id, "error", event.model_dump_json())

    def state(self, article_id: str) -> EventKind | None:
        """"result" or "error" once the article reached its terminal event, else None."""
        marker = self.client.get(self.keys.done(article_id))
        return None if marker is None else ("result" if marker == b"result" else "error")

    def fetch(self, article_id: str) -> Event | None:
        """The stored terminal event of an article, if it has one (and its TTL has not run out)."""
        kind = self.state(article_id)
        if kind is None:
            return None
        key = self.keys.result(article_id) if kind == "result" else self.keys.error(article_id)
        document = self.client.get(key)
        return None if document is None else Event(kind, document.decode())

    def subscribe(self, timeout_s: float | None = None) -> Iterator[Event]:
        """Live results and errors as they are published (at most once: nothing is buffered)."""
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self.keys.results_channel, self.keys.errors_channel)
        try:
            while True:
                message = pubsub.get_message(timeout=timeout_s if timeout_s is not None else 1.0)
                if message is None:
                    if timeout_s is not None:
                        return
                    continue
                channel = message["channel"].decode()
                kind: EventKind = "result" if channel == self.keys.results_channel else "error"
                yield Event(kind, message["data"].decode())
        finally:
            pubsub.close()

    def replay(self, since: str = "0-0", count: int | None = None) -> Iterator[Event]:
        """Results from the Stream after entry ``since``, oldest first."""
        last, seen = since, 0
        while count is None or seen < count:
            batch = self.client.xrange(self.keys.results_log, min=f"({last}", count=500)
            if not batch:
                return
            for entry_id, fields in batch:
                last = entry_id.decode()
                yield Event("result", fields[b"result"].decode(), last)
                seen += 1
                if count is not None and seen >= count:
                    return


def parse_event(event: Event) -> ArticleResult | ErrorEvent:
    """The schema object an event carries."""
    if event.kind == "result":
        return ArticleResult.model_validate_json(event.document)
    return ErrorEvent.model_validate_json(event.document)
