"""A message a dead worker held, while kombu's restore sweep is locked out, is not waited for.

kombu puts a message back once its worker held it past the visibility timeout, in a sweep that
takes a Redis lock (``unacked_mutex``, 300 s). A Redis that stops while a worker holds that lock
keeps it held after the restart, and nothing is put back for five minutes. Recovery does not
count such a stale record as a live message, so the article is resubmitted and published once.
"""

import json
import time
import uuid

from schemas import RawArticle
from tests.conftest import ROOT, cleanup, make_settings, start_worker, stop_worker, take_message, wait_for
from worker.app import create_app
from worker.delivery import Delivery
from worker.pipeline import submit


def test_an_article_held_by_a_dead_worker_is_published_while_kombus_restore_is_locked(
    redis_url: str,
) -> None:
    tag = uuid.uuid4().hex[:8]
    names = {name: f"nftest-{tag}-{name}" for name in ("unacked", "unacked_index", "unacked_mutex")}
    settings = make_settings(
        redis_url,
        visibility_timeout_s=15,
        soft_time_limits_s={"clean": 3, "entities": 5, "summarise": 2},
        hard_time_limits_s={"clean": 4, "entities": 7, "summarise": 3},
        broker_transport_options={f"{name}_key": key for name, key in names.items()},
        lost_after_s=1,
        recovery_interval_s=0.5,
    )
    delivery, app = Delivery.from_settings(settings), create_app(settings)
    try:
        submit(app, delivery, RawArticle(id="held", text="The council met on Tuesday. " * 5))
        # A worker took it 20 s ago and died; the restore sweep's lock is held (a restart kept it).
        take_message(delivery, time.time() - 20, tag="dead-tag")
        delivery.client.set(names["unacked_mutex"], "held", ex=300)
        worker = start_worker(settings, ROOT / ".pytest-worker-stuck-restore.log", concurrency=1)
        try:
            assert wait_for(delivery, "held", timeout_s=60) == "result"
        finally:
            stop_worker(worker)
        assert delivery.status("held")["recovered"] == "1"
        assert delivery.client.hexists(names["unacked"], "dead-tag")  # kombu never got to it
        published = delivery.entries(settings.keys.results_log)
        assert [json.loads(fields["result"])["article_id"] for _, fields in published] == ["held"]
    finally:
        delivery.client.delete(*names.values())
        delivery.close()
        cleanup(settings)
