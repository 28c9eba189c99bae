"""``newsflow health``: Redis answers and a worker on the pipeline's queues replies, in time."""

import time
from dataclasses import dataclass

from celery import Celery

from worker.app import create_app
from worker.config import Settings
from worker.delivery import Delivery
from worker.logging import redact_url


@dataclass(frozen=True)
class Health:
    """The verdict, and the one line that says it."""

    ok: bool
    line: str
    workers: tuple[str, ...] = ()


def check_health(settings: Settings, timeout_s: float = 5.0, node: str | None = None) -> Health:
    """Ping Redis, then wait up to ``timeout_s`` for a worker consuming one of the stage queues.

    Redis unreachable raises what redis-py raises (``connection.REDIS_UNREACHABLE``). Workers of
    other deployments on the same Redis (other queues) do not count; with ``node`` (a Celery
    node name, e.g. ``celery@$HOSTNAME`` in a container's healthcheck) only that one does.
    """
    deadline = time.monotonic() + timeout_s
    url = redact_url(settings.redis_url)
    delivery = Delivery.from_settings(settings, timeout_s=timeout_s)
    try:
        delivery.client.ping()
    finally:
        delivery.client.close()
    app = create_app(settings)
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            workers = workers_on_queues(app, settings, min(0.5, remaining), node=node)
            if workers:
                return Health(True, f"ok: Redis at {url} answers; workers: {', '.join(workers)}", workers)
    finally:
        app.close()
    return Health(
        False,
        f"unhealthy: Redis at {url} answers, but {f'worker {node}' if node else 'no worker'} on the"
        f" queues {', '.join(settings.queues)} {'did not reply' if node else 'replied'} within"
        f" {timeout_s:g} s; start one with: newsflow worker",
    )


def workers_on_queues(
    app: Celery, settings: Settings, timeout_s: float, *, node: str | None = None
) -> tuple[str, ...]:
    """The workers (or only ``node``) that consume one of the pipeline's queues and reply in time."""
    queues = {*settings.queues, *settings.entities_queues.values()}
    destination = None if node is None else [node]
    replies = app.control.inspect(timeout=timeout_s, destination=destination).active_queues() or {}
    return tuple(sorted(node for node, consumed in replies.items() if queues & {q["name"] for q in consumed}))
