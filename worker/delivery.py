"""The only code that writes results, errors and article status to Redis."""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import redis

from schemas.result import ArticleResult, ErrorEvent
from worker.broker import RabbitQueues
from worker.config import Settings
from worker.connection import redis_client
from worker.inflight import InFlight, KeptInput
from worker.publish_script import PUBLISH_ONCE
from worker.replication import Replicas

EventKind = Literal["result", "error"]
StageMark = tuple[str, int]  # a stage that finished, and when (ms since the epoch)


class QueueFull(TimeoutError):
    """The stage queues stayed at ``max_queued`` articles for the whole wait."""


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
        self._publish_once = client.register_script(PUBLISH_ONCE)
        acks = settings.replica_acks
        self.replicas = Replicas(client, acks, settings.redis_replica_wait_ms) if acks else None
        self._rabbit: RabbitQueues | None = None
        self._room = 0  # submits allowed before the queue lengths are read again (RabbitMQ)
        self.inflight = InFlight(client, settings)

    @property
    def rabbit(self) -> RabbitQueues:
        """The RabbitMQ holding the stage queues (only when the broker is amqp://)."""
        if self._rabbit is None:
            self._rabbit = RabbitQueues(self.settings)
        return self._rabbit

    @classmethod
    def from_settings(cls, settings: Settings, *, timeout_s: float | None = None) -> "Delivery":
        """A Delivery on a new connection pool to ``settings.redis_url`` (or its Sentinels' master).

        ``timeout_s`` bounds connecting and each reply (None: wait as long as it takes).
        """
        return cls(redis_client(settings, timeout_s=timeout_s), settings)

    def _once(
        self,
        article_id: str,
        kind: EventKind,
        document: str,
        revision: int,
        marks: Sequence[StageMark] = (),
    ) -> str | None:
        """The publish script; with replicas to wait for, confirmed by them, then announced."""
        if self.replicas is None:
            entry = self._run_once(self.client, article_id, kind, document, revision, marks=marks)
            return entry if isinstance(entry, str) else None

        def script(pipe: redis.Redis) -> object:
            return self._run_once(pipe, article_id, kind, document, revision, marks=marks, defer=True)

        entry = self.replicas.write(script, what=f"the {kind} of {article_id}")
        channel = self.keys.results_channel if kind == "result" else self.keys.errors_channel
        self.replicas.announce(self.keys.done(article_id), channel, document, revision)
        return entry if isinstance(entry, str) else None

    def wait_for_replicas(self, article_id: str) -> bool:
        """With replicas to wait for: once they hold every write so far (a message just queued for
        the article too). False when the article's status is gone (a failover took its writes
        back: submit again); ``NotReplicated`` when they did not confirm in time."""
        if self.replicas is None:
            return True
        key = self.keys.status(article_id)
        return self.replicas.touch(key, self.settings.result_ttl_s, what=f"the submission of {article_id}")

    def _run_once(
        self,
        client: redis.Redis,
        article_id: str,
        kind: EventKind,
        document: str,
        revision: int,
        *,
        marks: Sequence[StageMark] = (),
        defer: bool = False,
    ) -> object:
        """The publish script on ``client`` (a pipeline queues it): the entry id, or None if done."""
        result = kind == "result"
        return self._publish_once(
            client=client,
            keys=[
                self.keys.done(article_id),
                self.keys.result(article_id) if result else self.keys.error(article_id),
                self.keys.results_log if result else self.keys.dead,
                self.keys.status(article_id),
                self.keys.throughput("published" if result else "dead", now_ms() // 1000),
                self.keys.inflight,
                self.keys.inflight_input(article_id),
                *(self.keys.throughput(stage, at // 1000) for stage, at in marks),
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
                "1" if defer else "0",
                article_id,
                *(value for stage, at in marks for value in (stage, f"done:{at}")),
            ],
        )

    def publish_result(self, result: ArticleResult, marks: Sequence[StageMark] = ()) -> str | None:
        """Publish a result, with the status marks of stages that ran in this task in the same round
        trip; the Stream entry id, or None when this revision was already done."""
        return self._once(result.article_id, "result", result.model_dump_json(), result.revision, marks)

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

    def mark(self, article_id: str, kept: KeptInput | None = None, /, **fields: str | int) -> None:
        """Record progress in the article's status hash (kept as long as results). With ``kept``,
        also track the article in flight with that input (``InFlight.track``) in the same round
        trip: what a producer does before it sends an article's first message."""
        key = self.keys.status(article_id)
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hset(key, mapping={name: str(value) for name, value in fields.items()})
            pipe.expire(key, self.settings.result_ttl_s)
            if kept is not None:
                self.inflight.queue_track(pipe, article_id, kept, now_ms())
            pipe.execute()

    def mark_stages_done(self, article_id: str, marks: Sequence[StageMark]) -> None:
        """Record that stages finished for the article, in one round trip: each one's status field
        (``done:<ms>``) and its count for that second (what ``newsflow top`` reads rates from).
        A task that publishes hands its marks to ``publish_result`` instead."""
        if not marks:
            return
        status = self.keys.status(article_id)
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hset(status, mapping={stage: f"done:{at}" for stage, at in marks})
            pipe.expire(status, self.settings.result_ttl_s)
            for stage, at in marks:
                bucket = self.keys.throughput(stage, at // 1000)
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
        """Articles waiting in the stage queues (one round trip on Redis, one per queue on RabbitMQ)."""
        if self.settings.broker_is_amqp:
            return sum(self.rabbit.depths(list(self.settings.all_queues)).values())
        with self.client.pipeline(transaction=False) as pipe:
            for queue in self.settings.all_queues:
                pipe.llen(queue)
            return sum(int(length) for length in pipe.execute())

    def wait_for_room(self, timeout_s: float | None = None, poll_s: float = 0.2) -> None:
        """Return once the stage queues hold fewer than ``max_queued`` articles; else QueueFull."""
        if self._room > 0:
            self._room -= 1
            return
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
        if self.settings.broker_is_amqp:
            # RabbitMQ's lengths cost a round trip per queue (3 ms for three, more than the send):
            # the next tenth of the room found is taken without asking again. One producer stays
            # within the limit; concurrent ones may pass it by a tenth each (on Redis, by one).
            self._room = (limit - queued) // 10

    def close(self) -> None:
        """Close the Redis connections (and the RabbitMQ one, when opened)."""
        self.client.close()
        if self._rabbit is not None:
            self._rabbit.close()

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
