"""A Redis out of memory (maxmemory reached, noeviction, as the worker requires): writes fail with
OOM, the articles wait in the broker, and each ends once there is room again."""

import json
import time
import uuid
from collections import Counter

from schemas import RawArticle
from tests.conftest import ROOT, make_settings, rabbit_vhost, start_worker, stop_worker
from worker.app import create_app
from worker.delivery import Delivery
from worker.embedded import free_port, start_redis
from worker.pipeline import submit


def test_a_full_redis_on_rabbitmq_holds_each_article_until_there_is_room(seed_text: str) -> None:
    port = free_port()
    with rabbit_vhost() as url:
        server = start_redis(port)
        settings = make_settings(
            f"redis://127.0.0.1:{port}/0", broker_url=url, max_retries=1, max_deliveries=2
        )
        delivery, app = Delivery.from_settings(settings), create_app(settings)
        tag = uuid.uuid4().hex[:6]
        ids = [f"full{i}-{tag}" for i in range(6)]
        worker = None
        try:
            for article_id in ids:
                submit(app, delivery, RawArticle(id=article_id, text=seed_text))
            delivery.client.config_set("maxmemory", 1)  # every write now fails with OOM
            log = ROOT / ".pytest-worker-redis-full.log"
            worker = start_worker(settings, log, concurrency=1)
            deadline = time.monotonic() + 60
            while "maxmemory" not in log.read_text():
                assert time.monotonic() < deadline, "no write was refused"
                time.sleep(0.2)
            time.sleep(3)
            assert delivery.states(ids) == [None] * len(ids)
            delivery.client.config_set("maxmemory", 0)
            deadline = time.monotonic() + 120
            while None in delivery.states(ids):
                assert time.monotonic() < deadline, f"unended: {delivery.states(ids)}"
                time.sleep(0.2)
            published = Counter(
                json.loads(fields["result"])["article_id"]
                for _, fields in delivery.entries(delivery.keys.results_log, count=100_000)
            )
            dead = Counter(
                json.loads(fields["error"])["article_id"]
                for _, fields in delivery.entries(delivery.keys.dead, count=100_000)
            )
            assert [i for i in ids if published[i] + dead[i] != 1] == []  # one terminal event each
            assert worker.poll() is None
        finally:
            if worker is not None:
                stop_worker(worker)
            delivery.close()
            server.stop()
