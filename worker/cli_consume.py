"""The reading side of the ``newsflow`` command: subscribe, replay, consume, status, show, dead."""

import json
import os
import socket
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from schemas.result import ErrorEvent
from worker.config import Settings
from worker.consume import GroupConsumer, Subscription, parse_event, replay
from worker.delivery import Delivery
from worker.html_page import render_page
from worker.render import emit_json, output, wants_json

_err = Console(stderr=True)


def _delivery() -> Delivery:
    return Delivery.from_settings(Settings())


def subscribe(
    count: Annotated[int | None, typer.Option(help="Stop after N events.")] = None,
    timeout: Annotated[float | None, typer.Option(help="Stop after S seconds.")] = None,
) -> None:
    """Print results and errors as they are published (live, at most once)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    seen = 0
    with Subscription(_delivery()) as subscription:
        while count is None or seen < count:
            remaining = 1.0 if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                break
            event = subscription.get(min(remaining, 1.0))
            if event is not None:
                output(parse_event(event))
                seen += 1


def replay_command(
    since: Annotated[str, typer.Option(help="Stream entry id to start after.")] = "0-0",
    count: Annotated[int | None, typer.Option(help="At most N results.")] = None,
) -> None:
    """Print published results from the Stream (for consumers that were offline)."""
    for event in replay(_delivery(), since=since, count=count):
        if wants_json():
            emit_json(event.document)
        else:
            output(parse_event(event))


def consume(
    group: Annotated[str, typer.Option(help="Consumer group name (created on first use).")],
    consumer: Annotated[str | None, typer.Option(help="Consumer name (default: host-pid).")] = None,
    count: Annotated[int | None, typer.Option(help="Stop after N results.")] = None,
    timeout: Annotated[float | None, typer.Option(help="Stop after S seconds without a result.")] = None,
    min_idle_ms: Annotated[int, typer.Option(help="Claim results pending longer than this.")] = 60_000,
) -> None:
    """Print results through a consumer group: each acknowledged after it is printed (at least once)."""
    reader = GroupConsumer(
        _delivery(), group, consumer or f"{socket.gethostname()}-{os.getpid()}", min_idle_ms=min_idle_ms
    )
    seen, idle_since = 0, time.monotonic()
    while count is None or seen < count:
        if timeout is not None and time.monotonic() - idle_since > timeout:
            break
        limit = 100 if count is None else min(100, count - seen)
        events = reader.read(count=limit, block_ms=500)
        for event in events:
            emit_json(event.document) if wants_json() else output(parse_event(event))
            reader.ack(event.entry_id or "")
            seen += 1
        if events:
            idle_since = time.monotonic()


def status(article_id: Annotated[str, typer.Argument(help="The article id.")]) -> None:
    """Show an article's progress per stage and its terminal event."""
    delivery = _delivery()
    fields = delivery.status(article_id)
    done = delivery.done(article_id)
    if not fields and done is None:
        _err.print(f"[red]unknown article {article_id}[/] (never submitted, or its TTL ran out)")
        raise typer.Exit(1)
    state = {"article_id": article_id, **fields, "terminal": done.kind if done else None}
    if wants_json():
        emit_json(json.dumps(state))
        return
    table = Table("field", "value", title=f"article {article_id}")
    for key, value in state.items():
        table.add_row(key, str(value))
    Console().print(table)


def show(
    article_id: Annotated[str, typer.Argument(help="The article id.")],
    html: Annotated[Path | None, typer.Option(help="Write the result as an HTML page here.")] = None,
) -> None:
    """Show an article's published result (or its error), or write it as an HTML page."""
    event = _delivery().fetch(article_id)
    if event is None:
        _err.print(f"[red]no stored result for {article_id}[/] (not done yet, or its TTL ran out)")
        raise typer.Exit(1)
    item = parse_event(event)
    if html is None or isinstance(item, ErrorEvent):
        output(item)
        raise typer.Exit(1 if isinstance(item, ErrorEvent) else 0)
    html.write_text(render_page(item), encoding="utf-8")
    _err.print(f"[dim]wrote {html}[/]")


def dead(
    count: Annotated[int, typer.Option(help="At most N dead letters.")] = 100,
    requeue: Annotated[
        bool, typer.Option(help="Run each again from its failed stage, as a new revision.")
    ] = False,
) -> None:
    """List dead-lettered articles; with --requeue, put them back into the pipeline."""
    from worker.app import create_app
    from worker.pipeline import requeue as requeue_event

    settings = Settings()
    delivery = Delivery.from_settings(settings)
    app = create_app(settings) if requeue else None
    for entry_id, fields in delivery.entries(delivery.keys.dead, count=count):
        event = ErrorEvent.model_validate_json(fields["error"])
        if app is None:
            emit_json(fields["error"]) if wants_json() else output(event)
            continue
        receipt = requeue_event(app, delivery, event)
        if receipt is None:
            typer.echo(f"{event.article_id}\tnot-requeued\t{event.reason.value}: input not kept")
            continue
        delivery.client.xdel(delivery.keys.dead, entry_id)
        typer.echo(f"{event.article_id}\trequeued\trevision {receipt.revision}")


def register_consumer_commands(cli: typer.Typer) -> None:
    """Add the reading commands to the ``newsflow`` command."""
    cli.command()(subscribe)
    cli.command("replay")(replay_command)
    cli.command()(consume)
    cli.command()(status)
    cli.command()(show)
    cli.command()(dead)
