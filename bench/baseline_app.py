"""What the hand-written Celery apps of ``bench.perf`` share: (c) ``bench/naive_app.py`` and (f)
``bench/floor_app.py``. ``bench.perf`` names their broker and queue in the environment."""

import os

from celery import Celery


def baseline_app(name: str) -> tuple[Celery, str]:
    """A Celery app called ``name`` on ``BASELINE_REDIS_URL``, consuming ``BASELINE_QUEUE`` with
    newsflow's settings for its stage tasks (``worker/app.py``), and its broker's URL."""
    broker = os.environ.get("BASELINE_REDIS_URL", "redis://127.0.0.1:6379/14")
    app = Celery(name, broker=broker)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=os.environ.get("BASELINE_QUEUE", name),
        worker_hijack_root_logger=False,
    )
    return app, broker
