"""The bridge from the Stream ``newsflow:ingest`` (any Redis client can XADD) into the pipeline.

At least once: entries are read through a consumer group, enqueued, and only then acknowledged
(and deleted, so the Stream stays small). A bridge that dies between the two re-enqueues the
entry on restart (or another bridge claims it); publish-once makes that harmless.
"""

import os
import socket
import threading
import time

from celery import Celery
from pydantic import ValidationError

from schemas.article import RawArticle
from worker.delivery import Delivery, QueueFull
from worker.failures import REDIS_DOWN
from worker.logging import get_logger
from worker.pipeline import submit, submit_payload
from worker.streams import StreamGroup

GROUP = "newsflow-ingest"
FIELD = "article"

log = get_logger("newsflow.ingest")


class IngestBridge:
    """Moves entries of the ingest Stream into the pipeline."""

    def __init__(
        self,
        app: Celery,
        delivery: Delivery,
        *,
        group: str = GROUP,
        consumer: str | None = None,
        min_idle_ms: int = 60_000,
        batch: int = 100,
    ) -> None:
        self.app, self.delivery = app, delivery
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.batch = batch
        self.group = StreamGroup(
            delivery.client, delivery.keys.ingest, group, self.consumer, min_idle_ms=min_idle_ms
        )

    def _enqueue(self, fields: dict[str, str] | None) -> None:
        document = (fields or {}).get(FIELD)
        if document is None:
            # The clean task reports it: an entry without the field is not a RawArticle.
            submit_payload(self.app, {"ingest_fields": sorted(fields or {})}, self.delivery)
            return
        try:
            raw = RawArticle.model_validate_json(document)
        except ValidationError:
            submit_payload(self.app, document, self.delivery)  # the clean task names the reason
            return
        submit(self.app, self.delivery, raw)

    def step(self, block_ms: int = 1000) -> int:
        """Move one batch (stale pending entries first); returns how many entries were handled.

        Only as many as the stage queues have room for (``max_queued``): the backlog waits in the
        Stream, which holds an article in about half the bytes of a queued task message.
        """
        room = self.delivery.settings.max_queued - self.delivery.queued()
        if room <= 0:
            time.sleep(block_ms / 1000)
            return 0
        entries = self.group.read(min(self.batch, room), block_ms)
        for entry_id, fields in entries:
            self._enqueue(fields)
            self.group.ack(entry_id, delete=True)
        if entries:
            log.info("ingested", count=len(entries), consumer=self.consumer)
        return len(entries)

    def run(self, stop: threading.Event, block_ms: int = 1000) -> int:
        """Bridge until ``stop`` is set; returns the number of entries moved. Redis down or
        refusing writes (full), or the broker down, pauses it; it goes on once they are back."""
        moved = 0
        while not stop.is_set():
            try:
                moved += self.step(block_ms)
            except REDIS_DOWN as exc:  # the entries read stay pending, claimed again later
                log.warning("ingest_redis_unavailable", error=str(exc))
                stop.wait(1.0)
            except QueueFull as exc:  # other producers took the room meanwhile
                log.warning("ingest_queues_full", error=str(exc))
        return moved
