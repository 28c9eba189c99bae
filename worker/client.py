"""The Python API for producers and consumers: submit articles, wait for them, read results.

from worker.client import Client

client = Client.from_env()
result = client.wait(client.submit("Headline\\n\\nThe body of the article ..."))
"""

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType

from celery import Celery

from schemas.article import RawArticle
from schemas.result import ArticleResult, ErrorEvent
from worker.app import create_app
from worker.config import Settings
from worker.consume import Subscription, parse_event
from worker.consume import replay as replay_events
from worker.delivery import Delivery, EventKind
from worker.pipeline import submit as submit_article

Outcome = ArticleResult | ErrorEvent

# While waiting on the channel, the done marker is read again this often: a safety net for a
# subscription whose connection dropped and came back (pub/sub messages are not replayed).
_RECHECK_S = 1.0


@dataclass(frozen=True)
class ArticleStatus:
    """Where an article is: its status fields (submitted, one per stage, publish, revision)."""

    article_id: str
    terminal: EventKind | None  # "result" or "error" once it reached its terminal event
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        """Whether anything is recorded for the article (False: never submitted, or expired)."""
        return bool(self.fields) or self.terminal is not None


class LiveResults:
    """Results and errors as they are published, from the moment this object exists.

    An iterator and a context manager; iteration ends after ``timeout_s`` seconds without an
    event (never, when None) or when closed.
    """

    def __init__(self, delivery: Delivery, timeout_s: float | None = None) -> None:
        self._subscription = Subscription(delivery)
        self._timeout_s = timeout_s

    def __iter__(self) -> Iterator[Outcome]:
        return self

    def __next__(self) -> Outcome:
        deadline = None if self._timeout_s is None else time.monotonic() + self._timeout_s
        while deadline is None or time.monotonic() < deadline:
            remaining = 1.0 if deadline is None else min(1.0, deadline - time.monotonic())
            event = self._subscription.get(max(remaining, 0.0))
            if event is not None:
                return parse_event(event)
        raise StopIteration

    def close(self) -> None:
        """Unsubscribe."""
        self._subscription.close()

    def __enter__(self) -> "LiveResults":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Client:
    """One producer's or consumer's handle on a newsflow deployment (Redis and its workers)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.delivery = Delivery.from_settings(settings)
        self._app: Celery | None = None
        self._revisions: dict[str, int] = {}  # the revision this client last asked for, per article

    @classmethod
    def from_env(cls) -> "Client":
        """A client configured by the ``NEWSFLOW_*`` environment variables (and ``.env``)."""
        return cls(Settings())

    @property
    def app(self) -> Celery:
        """The Celery app that sends the stage tasks (made on first use)."""
        if self._app is None:
            self._app = create_app(self.settings)
        return self._app

    def submit(
        self,
        text: str | None = None,
        *,
        html: str | None = None,
        id: str | None = None,
        url: str | None = None,
        language: str | None = None,
        source: str | None = None,
        published_at: datetime | None = None,
        summary_sentences: int | None = None,
        reprocess: bool = False,
    ) -> str:
        """Enqueue one article (exactly one of ``text`` or ``html``); returns its article id.

        Idempotent: an article already published (same ``id``, or same body without one) is not
        enqueued again, unless ``reprocess`` asks for a new revision.
        """
        raw = RawArticle(
            text=text,
            html=html,
            id=id,
            url=url,
            language=language,
            source=source,
            published_at=published_at,
        )
        receipt = submit_article(self.app, self.delivery, raw, summary_sentences, reprocess=reprocess)
        if receipt.enqueued:
            self._revisions[receipt.article_id] = receipt.revision
        return receipt.article_id

    def fetch(self, article_id: str) -> Outcome | None:
        """The article's terminal event if it has one, else None (never waits).

        After ``submit(..., reprocess=True)`` only the new revision's event counts.
        """
        event = self.delivery.fetch(article_id)
        outcome = None if event is None else parse_event(event)
        return outcome if outcome is not None and self._current(outcome) else None

    def _current(self, outcome: Outcome) -> bool:
        return outcome.revision >= self._revisions.get(outcome.article_id, 0)

    def wait(self, article_id: str, timeout_s: float = 60.0) -> Outcome:
        """The article's result or error: at once when published, else as soon as it is.

        Raises ``TimeoutError`` when nothing is published within ``timeout_s`` seconds.
        """
        done = self.fetch(article_id)
        if done is not None:
            return done
        deadline = time.monotonic() + timeout_s
        # Subscribed (and confirmed) before the check below: a publish in between is not missed.
        with Subscription(self.delivery) as subscription:
            next_check = 0.0
            while True:
                now = time.monotonic()
                if now >= next_check:
                    done = self.fetch(article_id)
                    if done is not None:
                        return done
                    next_check = now + _RECHECK_S
                if now >= deadline:
                    raise TimeoutError(f"article {article_id} was not published within {timeout_s} s")
                event = subscription.get(min(deadline, next_check) - now)
                if event is not None and json.loads(event.document).get("article_id") == article_id:
                    outcome = parse_event(event)
                    if self._current(outcome):
                        return outcome

    def results(self, timeout_s: float | None = None) -> LiveResults:
        """Results and errors published from now on (live, at most once), until closed.

        With ``timeout_s``, iteration stops after that many seconds without an event.
        """
        return LiveResults(self.delivery, timeout_s)

    def replay(self, since: str = "0-0", count: int | None = None) -> Iterator[Outcome]:
        """Published results still in the results Stream after entry ``since``, oldest first."""
        for event in replay_events(self.delivery, since=since, count=count):
            yield parse_event(event)

    def status(self, article_id: str) -> ArticleStatus:
        """The article's progress per stage and its terminal event, if any."""
        done = self.delivery.done(article_id)
        return ArticleStatus(article_id, done.kind if done else None, self.delivery.status(article_id))

    def close(self) -> None:
        """Release the Redis connections (and the broker's, once used)."""
        self.delivery.close()
        if self._app is not None:
            self._app.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
