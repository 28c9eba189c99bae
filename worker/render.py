"""Output for people (rich, on a terminal) and for programs (one JSON document per line)."""

import sys

from rich.console import Console
from rich.table import Table

from schemas.result import ArticleResult, ErrorEvent

_err = Console(stderr=True)


def wants_json() -> bool:
    """JSON lines when stdout is not a terminal."""
    return not sys.stdout.isatty()


def emit_json(document: str) -> None:
    """One JSON document on its own line on stdout."""
    sys.stdout.write(document + "\n")
    sys.stdout.flush()


def show_result(result: ArticleResult, console: Console | None = None) -> None:
    """A readable view of one result: title, entities, summary."""
    console = console or Console()
    console.rule(f"[bold]{result.title or '(untitled)'}")
    console.print(
        f"id [cyan]{result.article_id}[/]  language {result.language}  model {result.model.name} "
        f"{result.model.version}  timings " + ", ".join(f"{k} {v:.0f} ms" for k, v in result.timings.items())
    )
    table = Table("entity", "label", "count", "salience", "aliases")
    for entity in result.entities[:15]:
        table.add_row(
            entity.name, entity.label, str(entity.count), f"{entity.salience:.2f}", ", ".join(entity.aliases)
        )
    console.print(table)
    console.print("[bold]Summary[/]")
    for sentence in result.summary.sentences:
        console.print(f"• {sentence.text}")


def show_error(event: ErrorEvent) -> None:
    """An error event, on stderr."""
    _err.print(
        f"[red]error[/] {event.article_id} at {event.stage.value}: "
        f"[bold]{event.reason.value}[/] {event.message}"
    )


def output(item: ArticleResult | ErrorEvent, *, pretty: bool = False) -> None:
    """Results to stdout (JSON when piped or ``pretty``), errors to stderr."""
    if isinstance(item, ErrorEvent):
        if wants_json():
            sys.stderr.write(item.model_dump_json() + "\n")
        else:
            show_error(item)
        return
    if pretty:
        emit_json(item.model_dump_json(indent=2))
    elif wants_json():
        emit_json(item.model_dump_json())
    else:
        show_result(item)
