"""``newsflow demo``: a Redis (embedded if needed), a real worker, the seeds, their results."""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from celery import Celery

from schemas.article import RawArticle
from schemas.result import ArticleResult, ErrorEvent
from worker.config import Settings
from worker.consume import parse_event
from worker.delivery import Delivery
from worker.embedded import EmbeddedRedis, reachable, start_redis, stop_process
from worker.pipeline import submit


def _start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    env = {**os.environ, **settings.as_env()}
    return subprocess.Popen(
        [sys.executable, "-m", "worker.cli", "worker", "--concurrency", "1", "--loglevel", "WARNING"],
        env=env,
        stdout=sys.stderr,
        start_new_session=True,
    )


def run_demo(
    settings: Settings,
    seeds: list[Path],
    *,
    make_app: Callable[[Settings], Celery],
    show: Callable[[ArticleResult | ErrorEvent], None],
    say: Callable[[str], None],
    timeout_s: float = 180.0,
) -> int:
    """Run the seeds through a real worker; returns the number of articles that failed."""
    embedded: EmbeddedRedis | None = None
    if not reachable(settings.redis_url, master=settings.sentinel.master if settings.sentinel else None):
        embedded = start_redis()
        say(f"no Redis at the configured URL: started a private redis-server on port {embedded.port}")
        settings = settings.model_copy(update={"redis_url": embedded.url})
    worker = _start_worker(settings)
    delivery = Delivery.from_settings(settings)
    try:
        app = make_app(settings)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        pending: dict[str, Path] = {}
        for seed in seeds:
            raw = RawArticle(id=f"demo-{seed.stem}-{stamp}", text=seed.read_text(encoding="utf-8"))
            pending[submit(app, delivery, raw).article_id] = seed
        say(f"submitted {len(pending)} article(s); waiting for the worker")
        failed = 0
        deadline = time.monotonic() + timeout_s
        while pending and time.monotonic() < deadline:
            if worker.poll() is not None:
                raise RuntimeError(f"the worker exited with code {worker.returncode}")
            for article_id in list(pending):
                event = delivery.fetch(article_id)
                if event is not None:
                    item = parse_event(event)
                    failed += isinstance(item, ErrorEvent)
                    show(item)
                    del pending[article_id]
            time.sleep(0.1)
        if pending:
            raise TimeoutError(f"no result within {timeout_s:.0f} s for {sorted(pending)}")
        return failed
    finally:
        delivery.client.close()
        stop_process(worker, group=True)
        if embedded is not None:
            embedded.stop()
