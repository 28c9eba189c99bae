"""Resubmitting accepted articles whose message the broker lost.

kombu's Redis transport takes a message off a queue with BRPOP. A Redis that stops right after
serving the BRPOP (a restart, a failover) writes the pop to its append-only file but never sends
the reply: the message is in no queue, in no worker and in kombu's ``unacked`` hash neither, and
its article would never end. ``worker/redis_qos.py`` closes the other gap, a reply that arrives
but cannot be recorded.

Every ``recovery_interval_s`` one worker (a short Redis lock) looks at the in-flight articles
(``worker/inflight.py``) last seen alive more than ``lost_after_s`` ago. Those with a message in
a stage queue or in a worker's hands (taken less than the visibility timeout plus
``lost_after_s`` ago: kombu should have put an older one back) are seen alive again; each of
the others is claimed atomically and resubmitted from its kept input, at the stage and revision
it was submitted with.
An article resubmitted by mistake (its message was in flight between two commands) runs twice
and is published once, as a redelivered one is. After ``max_deliveries`` recoveries it is
dead-lettered as a transient failure that ``newsflow dead --requeue`` can run again.
"""

import json
import os
import socket
import threading
from typing import Any

import redis
from celery import Celery
from celery.signals import worker_ready, worker_shutdown
from kombu.exceptions import OperationalError

from schemas.result import ErrorEvent, ErrorReason, Stage
from worker import PIPELINE_VERSION
from worker.config import Settings
from worker.delivery import Delivery, now_ms
from worker.inflight import KeptInput
from worker.logging import get_logger
from worker.metrics import for_settings
from worker.tasks import stage_signature

log = get_logger("newsflow.recovery")


class Recovery:
    """Finds the in-flight articles without a message and resubmits them."""

    def __init__(self, app: Celery, delivery: Delivery) -> None:
        self.app, self.delivery = app, delivery
        self.settings = delivery.settings
        self.lock_key = f"{self.settings.keys.inflight}:sweeping"
        self.owner = f"{socket.gethostname()}-{os.getpid()}"
        self.metrics = for_settings(self.settings)

    def sweep(self) -> list[str]:
        """One look (unless another worker holds the lock); the ids resubmitted or dead-lettered."""
        hold_ms = max(1, int(self.settings.recovery_interval_s * 900))
        if not self.delivery.client.set(self.lock_key, self.owner, nx=True, px=hold_ms):
            return []
        inflight = self.delivery.inflight
        now = now_ms()
        unseen = inflight.unseen_since(now - int(self.settings.lost_after_s * 1000))
        if not unseen:
            return []
        alive = inflight.with_messages([article_id for article_id, _ in unseen], now / 1000)
        inflight.seen(alive, now)
        handled = []
        for article_id, seen_ms in unseen:
            if article_id in alive:
                continue
            kept = inflight.claim(article_id, seen_ms, now)
            if kept is not None:
                self._recover(article_id, kept)
                handled.append(article_id)
        return handled

    def _recover(self, article_id: str, kept: KeptInput) -> None:
        stage = Stage(kept.stage)
        if kept.recoveries > self.settings.max_deliveries:
            message = f"its message was lost by the broker {kept.recoveries} times"
            self.delivery.publish_error(
                ErrorEvent(
                    article_id=article_id,
                    stage=stage,
                    reason=ErrorReason.TRANSIENT_FAILURE,
                    message=message,
                    retryable=True,
                    attempt=kept.recoveries,
                    input_ref=self._keep(article_id, kept),
                    revision=kept.revision,
                    pipeline_version=PIPELINE_VERSION,
                )
            )
            log.warning("article_lost_dead_lettered", article_id=article_id, losses=kept.recoveries)
            if self.metrics is not None:
                self.metrics.recovered_one("dead_lettered")
            return
        self.delivery.mark(article_id, recovered=kept.recoveries)
        stage_signature(
            self.app,
            stage,
            kept.document,
            revision=kept.revision,
            k=kept.k,
            max_words=kept.max_words,
            article_id=article_id,
        ).apply_async()
        log.warning("article_resubmitted", article_id=article_id, stage=stage.value, recovery=kept.recoveries)
        if self.metrics is not None:
            self.metrics.recovered_one("resubmitted")

    def _keep(self, article_id: str, kept: KeptInput) -> str | None:
        document = kept.document if isinstance(kept.document, str) else json.dumps(kept.document)
        return self.delivery.keep_input(article_id, document)

    def run(self, stop: threading.Event) -> None:
        """Sweep every ``recovery_interval_s`` until ``stop`` is set; a failed sweep (Redis or the
        broker unreachable) is logged and the next one tries again."""
        while not stop.wait(self.settings.recovery_interval_s):
            try:
                self.sweep()
            except (redis.RedisError, OperationalError) as exc:  # Redis, or sending to the broker
                log.info("recovery_sweep_failed", error=str(exc))
            except Exception:
                log.exception("recovery_sweep_crashed")


def connect(app: Celery, settings: Settings) -> None:
    """Run recovery in the main process of a worker of ``app`` (on a Redis broker only)."""
    if not settings.recovers_lost_messages:
        return
    stop = threading.Event()

    @worker_ready.connect(weak=False)
    def _start(sender: Any = None, **_: object) -> None:
        if getattr(sender, "app", app) is not app:
            return
        recovery = Recovery(app, Delivery.from_settings(settings))
        threading.Thread(target=recovery.run, args=(stop,), name="newsflow-recovery", daemon=True).start()

    @worker_shutdown.connect(weak=False)
    def _stop(**_: object) -> None:
        stop.set()
