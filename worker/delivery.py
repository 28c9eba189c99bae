"""The only code that writes results, errors and article status to Redis."""

import time
from dataclasses import dataclass
from typing import Any, Literal

import redis

from schemas.result import ArticleResult, ErrorEvent
from worker.config import Settings

# The terminal event of one revision of an article, written atomically and at most once:
# the done marker (kind, revision and Stream entry id), the stored document (results only
# with ``store_results``), the Stream entry, the pub/sub message, the status field and this
# second's count. A duplicate or redelivered task of the
# same or an older revision finds the marker and writes nothing.
_PUBLISH_ONCE = """
local current = redis.call('HGET', KEYS[1], 'revision')
if current and tonumber(current) >= tonumber(ARGV[6]) then
  return false
end
if ARGV[8] == '1' then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
end
local entry = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', ARGV[5], ARGV[2])
redis.call('HSET', KEYS[1], 'kind', ARGV[5], 'revision', ARGV[6], 'entry', entry)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[1], ARGV[2])
redis.call('HSET', KEYS[4], 'publish', ARGV[7], 'revision', ARGV[6])
redis.call('EXPIRE', KEYS[4], ARGV[3])
redis.call('INCR', KEYS[5])
redis.call('EXPIRE', KEYS[5], 120)
return entry
"""

EventKind = Literal["result", "error"]
# Policies under which Redis deletes no key to make room: anything else may drop a queued
# article (allkeys-*) or a done marker and a stored result (volatile-*).
SAFE_EVICTION_POLICIES = frozenset({"noeviction"})


class QueueFull(TimeoutError):
    """The stage queues stayed at ``max_queued`` articles for the whole wait."""


# What redis-py raises when Redis cannot be reached, does not answer in time, or what answers
# is not Redis (for callers that explain it to a person without importing redis-py themselves).
REDIS_UNREACHABLE: tuple[type[Exception], ...] = (
    redis.ConnectionError,
    redis.TimeoutError,
    redis.exceptions.InvalidResponse,
)
REDIS_REFUSED_CREDENTIALS: tuple[type[Exception], ...] = (redis.AuthenticationError,)


@dataclass(frozen=True)
class Event:
    """One message read back from a channel or a Stream: its kind and its JSON document."""

    kind: EventKind
    document: str
    entry_id: str | None = None


@dataclass(frozen=True)
class Done:
    """The terminal event an article reached, for which revision, and its Stream entry id."""

    kind: EventKind
    revision: int
    entry: str | None = None


class Delivery:
    """Writes terminal events (results and errors) and per-stage status; reads them back."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.keys = settings.keys
        self._publish_once = client.register_script(_PUBLISH_ONCE)

    @classmethod
    def from_settings(cls, settings: Settings, *, timeout_s: float | None = None) -> "Delivery":
        """A Delivery on a new connection pool to ``settings.redis_url``.

        ``timeout_s`` bounds connecting and each reply (None: wait as long as it takes).
        """
        options: dict[str, Any] = dict(settings.redis_tls or {})
        if timeout_s is not None:
            options.update(socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
        return cls(redis.Redis.from_url(settings.redis_url, decode_responses=True, **options), settings)

    def _once(self, article_id: str, kind: EventKind, document: str, revision: int) -> str | None:
        result = kind == "result"
        entry = self._publish_once(
            keys=[
                self.keys.done(article_id),
                self.keys.result(article_id) if result else self.keys.error(article_id),
                self.keys.results_log if result else self.keys.dead,
                self.keys.status(article_id),
                self.keys.throughput("published" if result else "dead", now_ms() // 1000),
            ],
            args=[
                self.keys.results_channel if result else self.keys.errors_channel,
                document,
                self.settings.result_ttl_s,
                self.settings.results_log_maxlen if result else self.settings.dead_maxlen,
                kind,
                revision,
                "published" if result else "dead",
                "1" if self.settings.store_results or not result else "0",
            ],
        )
        return entry if isinstance(entry, str) else None

    def publish_result(self, result: ArticleResult) -> str | None:
        """Publish a result; the Stream entry id, or None when this revision was already done."""
        return self._once(result.article_id, "result", result.model_dump_json(), result.revision)

    def publish_error(self, event: ErrorEvent) -> str | None:
        """Dead-letter an error; the Stream entry id, or None when this revision was already done."""
        return self._once(event.article_id, "error", event.model_dump_json(), event.revision)

    def done(self, article_id: str) -> Done | None:
        """The terminal event the article reached (its latest revision), or None."""
        marker: dict[str, str] = self.client.hgetall(self.keys.done(article_id))  # type: ignore[assignment]
        if not marker:
            return None
        kind: EventKind = "result" if marker.get("kind") == "result" else "error"
        return Done(kind, int(marker.get("revision", 0)), marker.get("entry"))

    def state(self, article_id: str) -> EventKind | None:
        """ "result" or "error" once the article reached its terminal event, else None."""
        done = self.done(article_id)
        return None if done is None else done.kind

    def states(self, article_ids: list[str]) -> list[EventKind | None]:
        """``state`` of many articles in one round trip."""
        with self.client.pipeline(transaction=False) as pipe:
            for article_id in article_ids:
                pipe.hget(self.keys.done(article_id), "kind")
            kinds = pipe.execute()
        return [None if kind is None else ("result" if kind == "result" else "error") for kind in kinds]

    def fetch(self, article_id: str) -> Event | None:
        """The terminal event of an article: its stored document, else its Stream entry.

        None when it has none, or when both are gone (TTL run out, Stream trimmed).
        """
        done = self.done(article_id)
        if done is None:
            return None
        kind = done.kind
        key = self.keys.result(article_id) if kind == "result" else self.keys.error(article_id)
        document = self.client.get(key)
        if document is not None:
            return Event(kind, str(document), done.entry)
        if done.entry is None:
            return None
        stream = self.keys.results_log if kind == "result" else self.keys.dead
        found = self.client.xrange(stream, min=done.entry, max=done.entry, count=1)
        if not found:
            return None
        _, fields = found[0]
        value = fields.get(kind) if fields else None
        return None if value is None else Event(kind, str(value), done.entry)

    def mark(self, article_id: str, **fields: str | int) -> None:
        """Record progress in the article's status hash (kept as long as results)."""
        key = self.keys.status(article_id)
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hset(key, mapping={name: str(value) for name, value in fields.items()})
            pipe.expire(key, self.settings.result_ttl_s)
            pipe.execute()

    def mark_stage_done(self, article_id: str, stage: str) -> None:
        """Record that ``stage`` finished for the article: its status field and the stage's count
        for this second (what ``newsflow top`` reads its rates from)."""
        at = now_ms()
        status, bucket = self.keys.status(article_id), self.keys.throughput(stage, at // 1000)
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hset(status, stage, f"done:{at}")
            pipe.expire(status, self.settings.result_ttl_s)
            pipe.incr(bucket)
            pipe.expire(bucket, 120)
            pipe.execute()

    def status(self, article_id: str) -> dict[str, str]:
        """The article's status hash: submitted, revision, one field per stage, publish."""
        return dict(self.client.hgetall(self.keys.status(article_id)))  # type: ignore[arg-type]

    def next_revision(self, article_id: str) -> int:
        """A new revision number for reprocessing an article on purpose."""
        key = self.keys.revision(article_id)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.settings.result_ttl_s)
            revision, _ = pipe.execute()
        return int(revision)

    def keep_input(self, article_id: str, document: str) -> str | None:
        """Store a failed stage's input for ``dead --requeue``; the key, or None when too large."""
        if len(document) > 2 * self.settings.max_article_bytes:
            return None
        key = self.keys.dead_input(article_id)
        self.client.set(key, document, ex=self.settings.result_ttl_s)
        return key

    def queued(self) -> int:
        """Articles waiting in the stage queues (one round trip)."""
        with self.client.pipeline(transaction=False) as pipe:
            for queue in self.settings.all_queues:
                pipe.llen(queue)
            return sum(int(length) for length in pipe.execute())

    def wait_for_room(self, timeout_s: float | None = None, poll_s: float = 0.2) -> None:
        """Return once the stage queues hold fewer than ``max_queued`` articles; else QueueFull."""
        limit = self.settings.max_queued
        timeout_s = self.settings.queue_wait_timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + timeout_s
        while (queued := self.queued()) >= limit:
            if time.monotonic() >= deadline:
                raise QueueFull(
                    f"the stage queues held {queued} articles (NEWSFLOW_MAX_QUEUED={limit})"
                    f" for {timeout_s:.0f} s: are workers running?"
                )
            time.sleep(poll_s)

    def eviction_policy(self) -> str | None:
        """Redis's maxmemory-policy, or None when the server does not say (CONFIG disabled)."""
        try:
            answer: dict[str, str] = self.client.config_get("maxmemory-policy")  # type: ignore[assignment]
        except redis.ResponseError:
            return None
        return answer.get("maxmemory-policy")

    def eviction_refusal(self) -> str | None:
        """Why a worker must not run on this Redis (an evicting policy), or None when it may."""
        policy = self.eviction_policy()
        if policy is None or policy in SAFE_EVICTION_POLICIES or self.settings.allow_eviction:
            return None
        return (
            f"Redis evicts keys under memory pressure (maxmemory-policy {policy}), which would drop queued"
            " articles and done markers: set maxmemory-policy noeviction (redis-server --maxmemory-policy"
            " noeviction, or CONFIG SET maxmemory-policy noeviction), or NEWSFLOW_ALLOW_EVICTION=true"
        )

    def purge(self) -> int:
        """Delete every key of this prefix (and its queue bindings); returns how many went."""
        prefix = self.keys.prefix
        doomed = list(self.client.scan_iter(match=f"{prefix}*", count=1000))
        for bindings in ("_kombu.binding.", "_kombu.binding_permanent."):  # kombu < 5.5, and >= 5.5
            doomed += list(self.client.scan_iter(match=f"{bindings}{prefix}*", count=1000))
        return int(self.client.delete(*doomed)) if doomed else 0

    def entries(self, stream: str, after: str = "0-0", count: int = 500) -> list[tuple[str, dict[str, str]]]:
        """Up to ``count`` entries of ``stream`` after entry id ``after``, oldest first."""
        batch = self.client.xrange(stream, min=f"({after}", count=count)
        return list(batch)  # type: ignore[arg-type]


def now_ms() -> int:
    """Wall-clock milliseconds, for status fields."""
    return int(time.time() * 1000)
