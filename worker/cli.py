"""The ``newsflow`` command: process, submit, subscribe, replay, worker, health, top, demo."""

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from schemas.result import ArticleResult, ErrorEvent, Stage
from worker import PIPELINE_VERSION, metrics
from worker.app import create_app
from worker.checkout import NO_CHECKOUT, importable_bench
from worker.cli_consume import register_consumer_commands
from worker.cli_errors import run_explained
from worker.cli_top import top
from worker.config import Settings
from worker.delivery import Delivery
from worker.errors import InvalidArticle
from worker.eviction import refusal_for
from worker.html_page import render_page
from worker.inputs import read_items
from worker.logging import configure_logging
from worker.payloads import payload_id
from worker.pipeline import process_in_process, submit
from worker.render import output, wants_json

cli = typer.Typer(
    help="newsflow: clean, entities, summarise and publish news articles.", no_args_is_help=True
)
_err = Console(stderr=True)

Paths = Annotated[
    list[str], typer.Argument(help="Files or folders of them (.txt, .html, .jsonl), or '-' for stdin.")
]
SummaryK = Annotated[int | None, typer.Option("--summary-sentences", "-k", min=1, help="Summary length.")]
MaxWords = Annotated[
    int | None, typer.Option("--max-words", min=1, help="At most this many words in the summary.")
]


def _settings() -> Settings:
    return Settings()


def _error_event(error: InvalidArticle, payload: object, stage: Stage) -> ErrorEvent:
    return ErrorEvent(
        article_id=payload_id(payload),
        stage=stage,
        reason=error.reason,
        message=error.message,
        pipeline_version=PIPELINE_VERSION,
    )


@cli.command()
def process(
    paths: Paths,
    summary_sentences: SummaryK = None,
    max_words: MaxWords = None,
    pretty: Annotated[bool, typer.Option(help="Indented JSON.")] = False,
    html: Annotated[
        Path | None,
        typer.Option(help="Also write each result as an HTML page: this file, or <id>.html in this folder."),
    ] = None,
) -> None:
    """Run the stages in this process (no Redis); one ArticleResult JSON per line."""
    settings = _settings()
    failed = 0
    for item in read_items(paths):
        if item.article is None:
            assert item.error is not None
            output(_error_event(item.error, item.payload, Stage.SUBMIT))
            failed += 1
            continue
        try:
            result = process_in_process(item.article, settings, summary_sentences, max_words)
            output(result, pretty=pretty)
            if html is not None:
                _write_page(result, html)
        except InvalidArticle as exc:
            output(_error_event(exc, item.article.model_dump(mode="json"), Stage.CLEAN))
            failed += 1
    raise typer.Exit(1 if failed else 0)


def _write_page(result: ArticleResult, target: Path) -> None:
    path = target / f"{result.article_id.replace('/', '_')}.html" if target.is_dir() else target
    path.write_text(render_page(result), encoding="utf-8")
    _err.print(f"[dim]wrote {path}[/]")


@cli.command("submit")
def submit_command(
    paths: Paths,
    summary_sentences: SummaryK = None,
    max_words: MaxWords = None,
    wait: Annotated[bool, typer.Option(help="Wait until each is published or failed.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait with --wait.")] = 600.0,
    reprocess: Annotated[bool, typer.Option(help="Process again as a new revision even if done.")] = False,
) -> None:
    """Enqueue articles; prints one article id per line."""
    settings = _settings()
    app, delivery = create_app(settings), Delivery.from_settings(settings)
    ids: list[str] = []
    for item in read_items(paths):
        if item.article is None:
            assert item.error is not None
            event = _error_event(item.error, item.payload, Stage.SUBMIT)
            delivery.publish_error(event)
            output(event)
            continue
        receipt = submit(
            app, delivery, item.article, summary_sentences, reprocess=reprocess, max_words=max_words
        )
        ids.append(receipt.article_id)
        if not wait:
            print(receipt.article_id if receipt.enqueued else f"{receipt.article_id}\talready-done")
    if wait:
        failed = _wait(delivery, ids, timeout)
        raise typer.Exit(1 if failed else 0)


class RateColumn(ProgressColumn):
    """Articles finished per second."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:.1f} articles/s" if task.speed else "- articles/s")


def _wait(delivery: Delivery, ids: list[str], timeout_s: float) -> int:
    pending, failed = list(dict.fromkeys(ids)), 0
    deadline = time.monotonic() + timeout_s
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=_err, disable=wants_json()) as progress:
        bar = progress.add_task("processing", total=len(pending))
        while pending and time.monotonic() < deadline:
            still = []
            for article_id, state in zip(pending, delivery.states(pending), strict=True):
                if state is None:
                    still.append(article_id)
                    continue
                failed += state == "error"
                print(f"{article_id}\t{'published' if state == 'result' else 'failed'}")
                progress.advance(bar)
            pending = still
            if pending:
                time.sleep(0.1)
    for article_id in pending:
        print(f"{article_id}\ttimeout")
    return failed + len(pending)


@cli.command()
def worker(
    queues: Annotated[str | None, typer.Option(help="Comma-separated queues (default: all).")] = None,
    concurrency: Annotated[int, typer.Option(min=1)] = 1,
    pool: Annotated[str, typer.Option(help="prefork, solo or threads.")] = "prefork",
    loglevel: Annotated[str, typer.Option()] = "INFO",
    hostname: Annotated[str | None, typer.Option(help="Node name, e.g. clean-1@%h (Celery's -n).")] = None,
) -> None:
    """Start a Celery worker on the stage queues."""
    settings = _settings()
    configure_logging(loglevel)
    _refuse_evicting_redis(settings)
    app = create_app(settings)
    consumed = queues or ",".join(settings.queues)
    if settings.broker_is_amqp:  # every worker turns RabbitMQ's dead letters into ErrorEvents
        consumed = ",".join(dict.fromkeys([*consumed.split(","), settings.queue_dead_letters]))
    argv = ["worker", "-Q", consumed, "-c", str(concurrency), "-P", pool, "--loglevel", loglevel]
    argv += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    if hostname:
        argv += ["-n", hostname]
    with metrics.serving(settings):  # before the pool forks: its processes write where this serves
        app.worker_main(argv)


def _refuse_evicting_redis(settings: Settings) -> None:
    refusal = refusal_for(settings)
    if refusal is not None:
        _err.print(f"[red]{refusal}[/]")
        raise typer.Exit(2)


@cli.command()
def ingest(
    group: Annotated[str, typer.Option(help="Consumer group on the ingest Stream.")] = "newsflow-ingest",
    consumer: Annotated[str | None, typer.Option(help="Consumer name (default: host-pid).")] = None,
    min_idle_ms: Annotated[int, typer.Option(help="Claim entries pending longer than this.")] = 60_000,
) -> None:
    """Move articles XADDed to the ingest Stream (by any Redis client) into the pipeline."""
    import signal
    import threading

    from worker.ingest import IngestBridge

    configure_logging("INFO")
    settings = _settings()
    bridge = IngestBridge(
        create_app(settings),
        Delivery.from_settings(settings),
        group=group,
        consumer=consumer,
        min_idle_ms=min_idle_ms,
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    _err.print(f"[dim]bridging {settings.keys.ingest} (group {group}, consumer {bridge.consumer})[/]")
    bridge.run(stop)


@cli.command()
def health(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a worker's reply.", min=0.1)] = 5.0,
    node: Annotated[str | None, typer.Option(help="Only this worker counts, e.g. celery@$HOSTNAME.")] = None,
) -> None:
    """Exit 0 when Redis answers and a worker on the stage queues replies within the timeout."""
    from worker.health import check_health

    verdict = check_health(_settings(), timeout, node)
    (typer.echo if verdict.ok else _err_line)(verdict.line)
    raise typer.Exit(0 if verdict.ok else 1)


def _err_line(line: str) -> None:
    sys.stderr.write(f"newsflow: {line}\n")


@cli.command()
def demo(seeds: Annotated[Path, typer.Option(help="Folder of .txt seed articles.")] = Path("seeds")) -> None:
    """Run seeds/ through a real worker (starting a private Redis if none is reachable)."""
    from worker.demo import run_demo

    configure_logging("WARNING")
    files = sorted(seeds.glob("*.txt"))
    if not files:
        _err.print(f"[red]no .txt files in {seeds}[/]")
        raise typer.Exit(2)
    started = time.perf_counter()
    failed = run_demo(
        _settings(),
        files,
        make_app=create_app,
        show=output,
        say=lambda line: _err.print(f"[dim]{line}[/]"),
    )
    _err.print(f"[dim]demo finished in {time.perf_counter() - started:.1f} s[/]")
    raise typer.Exit(1 if failed else 0)


@cli.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def bench(ctx: typer.Context) -> None:
    """Throughput, latency and memory benchmark (python -m bench.perf --help for its options)."""
    if importable_bench() is None:
        _err.print(f"[red]{NO_CHECKOUT}[/]", soft_wrap=True)
        raise typer.Exit(2)
    from bench.perf import main as perf_main

    raise typer.Exit(perf_main(list(ctx.args)))


register_consumer_commands(cli)
cli.command()(top)


def main() -> None:
    """Console-script entry point."""
    configure_logging("WARNING")
    run_explained(cli)


if __name__ == "__main__":
    main()
    sys.exit(0)
