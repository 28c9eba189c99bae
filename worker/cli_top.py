"""``newsflow top``: the pipeline at a glance, refreshed every second (or once, as JSON)."""

import time
from typing import Annotated

import typer
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from worker.app import create_app
from worker.config import Settings
from worker.delivery import Delivery
from worker.health import workers_on_queues
from worker.overview import Overview, overview
from worker.render import emit_json

_WORKER_REPLY_S = 0.5


def render_overview(snapshot: Overview) -> Group:
    """Queues, stage rates, errors and workers as rich tables."""
    title = f"pipeline (last 60 s; in flight: {snapshot.in_flight})"
    stages = Table("stage", "queued", "done last minute", "articles/s", title=title)
    queued = list(snapshot.queues.values())  # the stage queues first, in pipeline order
    for (stage, rate), waiting in zip(snapshot.stages.items(), queued, strict=False):
        stages.add_row(stage, str(waiting), str(rate.last_minute), f"{rate.per_s:.2f}")
    for name, rate in (("published", snapshot.published), ("dead-lettered", snapshot.failed)):
        stages.add_row(name, "", str(rate.last_minute), f"{rate.per_s:.2f}")
    extra = [f"{queue} {depth}" for queue, depth in list(snapshot.queues.items())[len(snapshot.stages) :]]
    errors = Table("reason", "last minute", title=f"errors (dead letters kept: {snapshot.dead_letters})")
    for reason, count in snapshot.errors.items():
        errors.add_row(reason, str(count))
    workers = Table("worker", title=f"workers on these queues: {len(snapshot.workers)}")
    for worker in snapshot.workers or ["(none replied)"]:
        workers.add_row(worker)
    parts: list[Table | str] = [stages, errors, workers]
    if extra:
        parts.insert(1, "other queues: " + ", ".join(extra))
    return Group(*parts)


def top(
    once: Annotated[bool, typer.Option(help="Print one snapshot and exit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="With --once: one JSON document.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between refreshes.", min=0.2)] = 1.0,
) -> None:
    """Queue depths, articles/s per stage over the last minute, error reasons, dead letters, workers."""
    settings = Settings()
    delivery = Delivery.from_settings(settings)
    app = create_app(settings)

    def snapshot() -> Overview:
        return overview(delivery, workers=list(workers_on_queues(app, settings, _WORKER_REPLY_S)))

    if once:
        current = snapshot()
        emit_json(current.to_json()) if as_json else Console().print(render_overview(current))
        return
    with Live(render_overview(snapshot()), auto_refresh=False) as live:
        try:
            while True:
                time.sleep(max(0.0, interval - _WORKER_REPLY_S))
                live.update(render_overview(snapshot()), refresh=True)
        except KeyboardInterrupt:
            pass
