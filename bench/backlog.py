"""A backlog through the ingest Stream: N articles XADDed at once, worker processes, the bounds checked.

    python -m bench.backlog [--articles 50000] [--workers 2] [--max-queued 1000] [--words 120]

The articles (BBC dev texts cycled, each cut to its first ``--words`` words, each with an id of
its own) are XADDed to the ingest Stream in one pipelined burst, as any producer would; the
bridge (`newsflow ingest`) and the workers (`newsflow worker`, one process each) take them from
there. Every ~0.25 s the run samples the stage queues, Redis's used_memory, the ingest Stream
and the results kept; at the end it checks that every article was published exactly once.
Cycled texts are near-duplicates of each other: the default `annotate` mode is kept (every copy
is still processed and published, marked with the first one). JSON: bench/results/backlog.json.
"""

import argparse
import json
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

import redis

from bench.backlog_figures import (
    MEMORY_FACTOR,
    Sample,
    distinct,
    goals,
    published_once,
    shortened,
    summarise,
)
from bench.common import DEFAULT_DATA, ROOT, cpu_count, write_results
from bench.perf import console, worker
from worker.app import create_app
from worker.config import Settings
from worker.delivery import Delivery
from worker.ingest import FIELD
from worker.overview import queue_depths

KOMBU_KEYS = ("unacked", "unacked_index", "unacked_mutex", "_kombu.binding_deadlines")  # kombu's own
_ARTICLE_ID = re.compile(r'"article_id":"([^"]+)"')


def articles(data: Path, count: int, words: int, vary: bool = False) -> Iterator[tuple[str, str]]:
    """``count`` (id, text) pairs: the BBC dev texts, shortened and cycled, each id unique.

    With ``vary``, each cycle's copies are made distinct (see ``distinct``)."""
    with (data / "bbc" / "bbc_dev.jsonl").open(encoding="utf-8") as handle:
        texts = [shortened(json.loads(line)["article"], words) for line in handle]
    for i in range(count):
        cycle, position = divmod(i, len(texts))
        yield f"bl-{i}", distinct(texts[position], cycle) if vary else texts[position]


class Sampler:
    """Samples Redis every ``interval_s`` in the background."""

    def __init__(self, delivery: Delivery, interval_s: float = 0.25) -> None:
        self.delivery, self.interval_s = delivery, interval_s
        self.samples: list[Sample] = []
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def take(self) -> Sample:
        client, keys = self.delivery.client, self.delivery.keys
        queues = queue_depths(self.delivery, list(self.delivery.settings.all_queues))
        with client.pipeline(transaction=False) as pipe:
            pipe.info("memory")
            pipe.xlen(keys.ingest)
            pipe.memory_usage(keys.ingest, samples=0)
            pipe.xlen(keys.results_log)
            pipe.memory_usage(keys.results_log, samples=0)
            info, ingest_length, ingest_bytes, results_length, results_bytes = pipe.execute()
        return Sample(
            round(time.monotonic() - self._started, 2),
            queues,
            int(info["used_memory"]),
            int(ingest_length),
            int(ingest_bytes or 0),
            int(results_length),
            int(results_bytes or 0),
        )

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.samples.append(self.take())

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def family_bytes(delivery: Delivery) -> dict[str, int]:
    """``MEMORY USAGE`` of every key of the run's prefix, summed by its first name after the prefix."""
    client, prefix = delivery.client, delivery.keys.prefix
    totals: dict[str, int] = {}
    batch: list[str] = []

    def flush() -> None:
        with client.pipeline(transaction=False) as pipe:
            for key in batch:
                pipe.memory_usage(key, samples=0)
            for key, used in zip(batch, pipe.execute(), strict=True):
                name = "results_stream" if key == delivery.keys.results_log else key[len(prefix) + 1 :]
                family = name.split(":")[0] if not name.startswith("dup:") else "dup"
                totals[family] = totals.get(family, 0) + int(used or 0)
        batch.clear()

    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        batch.append(str(key))
        if len(batch) >= 1000:
            flush()
    flush()
    return totals


def article_ids(delivery: Delivery, stream: str) -> list[str]:
    """The article id of every entry of ``stream`` (the results Stream or the dead letters)."""
    ids, last = [], "0-0"
    while batch := delivery.entries(stream, after=last, count=1000):
        for _, fields in batch:
            for value in fields.values():
                if found := _ARTICLE_ID.search(value, 0, 400):
                    ids.append(found.group(1))
        last = batch[-1][0]
    return ids


def xadd_all(client: redis.Redis, stream: str, items: list[tuple[str, str]], chunk: int = 1000) -> None:
    """XADD every article to the ingest Stream, pipelined (what any producer's client can do)."""
    for start in range(0, len(items), chunk):
        with client.pipeline(transaction=False) as pipe:
            for article_id, text in items[start : start + chunk]:
                pipe.xadd(stream, {FIELD: json.dumps({"id": article_id, "text": text})})
            pipe.execute()


def wait_published(delivery: Delivery, total: int, timeout_s: float) -> None:
    """Until the results Stream and the dead letters hold ``total`` entries between them."""
    deadline, last_print = time.monotonic() + timeout_s, 0.0
    while (
        done := delivery.client.xlen(delivery.keys.results_log) + delivery.client.xlen(delivery.keys.dead)
    ) < total:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{done} of {total} articles published in {timeout_s:.0f} s")
        if time.monotonic() - last_print > 30:
            last_print = time.monotonic()
            console.print(f"[dim]{done}/{total} published, {delivery.queued()} queued[/]")
        time.sleep(1.0)


def start_pipeline(stack: ExitStack, settings: Settings, workers: int) -> None:
    """``workers`` `newsflow worker` processes (one pool process each) and one ingest bridge."""
    app, env = create_app(settings), {**os.environ, **settings.as_env()}
    for number in range(workers):
        node = f"{settings.key_prefix}-{number}@localhost"
        command = [sys.executable, "-m", "worker.cli", "worker", "--concurrency", "1"]
        command += ["--hostname", node, "--loglevel", "WARNING"]
        stack.enter_context(
            worker(command, env, lambda n=node: bool(app.control.ping(destination=[n], timeout=0.5)))  # type: ignore[misc]
        )
    stack.enter_context(worker([sys.executable, "-m", "worker.cli", "ingest"], env, lambda: True))


def run(
    settings: Settings, items: list[tuple[str, str]], workers: int, distinct_texts: bool
) -> dict[str, object]:
    """The benchmark on ``settings`` (a database and prefix of its own); the figures and goals."""
    delivery = Delivery.from_settings(settings)
    client, keys = delivery.client, delivery.keys
    with ExitStack() as stack:
        start_pipeline(stack, settings, workers)
        warm = [(f"warm-{i}", items[i % len(items)][1]) for i in range(workers)]
        xadd_all(client, keys.ingest, warm)  # each worker loads its models before the clock starts
        wait_published(delivery, len(warm), 300)
        time.sleep(1.0)
        baseline = int(client.info("memory")["used_memory"])
        with Sampler(delivery) as sampler:
            started = time.monotonic()
            xadd_all(client, keys.ingest, items)
            added_s = time.monotonic() - started
            after_xadd = sampler.take()
            wait_published(delivery, len(warm) + len(items), 600 + len(items) / 2)
            seconds = time.monotonic() - started
        samples = [after_xadd, *sampler.samples]
    kept = family_bytes(delivery)
    results_kept = kept.get("results_stream", 0) + kept.get("result", 0)
    other_kept = sum(v for k, v in kept.items() if k not in {"results_stream", "result", "ingest"})
    summary = summarise(samples, baseline, results_kept, other_kept)
    once = published_once(
        [i for i, _ in items], article_ids(delivery, keys.results_log), article_ids(delivery, keys.dead)
    )
    met = goals(summary, once, settings.max_queued)
    return {
        "articles": len(items),
        "workers": workers,
        "max_queued": settings.max_queued,
        "duplicates": settings.duplicates,
        "distinct_texts": distinct_texts,
        "xadd_seconds": round(added_s, 2),
        "seconds": round(seconds, 1),
        "articles_per_s": round(len(items) / seconds, 2),
        "baseline_used_memory": baseline,
        "ingest_bytes_after_xadd": after_xadd.ingest_bytes,
        "summary": {
            **asdict(summary),
            "memory_ratio": summary.memory_ratio,
            "memory_ratio_all_kept": summary.memory_ratio_all_kept,
        },
        "kept_bytes_by_family": kept,
        "once": {
            "missing": len(once.missing),
            "twice": len(once.twice),
            "errors": len(once.errors),
            "examples": (once.missing + once.twice + once.errors)[:10],
        },
        "goals": met,
        "samples": [asdict(s) for s in samples],
    }


def clean_up(settings: Settings) -> None:
    """Delete the run's keys (its prefix, its queues' bindings) and kombu's bookkeeping keys."""
    delivery = Delivery.from_settings(settings)
    delivery.purge()
    delivery.client.delete(*KOMBU_KEYS)
    delivery.client.close()


def main(argv: list[str] | None = None) -> int:
    """Run the backlog benchmark; print the figures and the goals; write JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (one pool process each)")
    parser.add_argument("--max-queued", type=int, default=Settings.model_fields["max_queued"].default)
    parser.add_argument("--words", type=int, default=120, help="cut each text to this many words (0: whole)")
    parser.add_argument(
        "--distinct", action="store_true", help="vary the cycled texts so that none is a near-duplicate"
    )
    parser.add_argument("--duplicates", choices=["annotate", "skip", "off"], default="annotate")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13", help="a database of its own")
    args = parser.parse_args(argv)

    tag = f"backlog-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        redis_url=args.redis_url,
        key_prefix=tag,
        queue_clean=f"{tag}-clean",
        queue_entities=f"{tag}-entities",
        queue_summarise=f"{tag}-summarise",
        max_queued=args.max_queued,
        duplicates=args.duplicates,
        results_log_maxlen=max(100_000, 2 * args.articles),  # the Stream keeps every result of the run
    )
    probe = redis.Redis.from_url(args.redis_url)
    if probe.dbsize():
        console.print(f"[red]{args.redis_url} holds keys: the benchmark needs a database of its own[/]")
        return 2
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    items = list(articles(args.data, args.articles, args.words, args.distinct))
    console.print(
        f"[dim]{len(items)} articles of up to {args.words} words, {args.workers} workers,"
        f" max_queued {args.max_queued}, {cpu_count()} cores, prefix {tag}[/]"
    )
    try:
        payload = run(settings, items, args.workers, args.distinct)
    finally:
        clean_up(settings)
    s: dict[str, object] = payload["summary"]  # type: ignore[assignment]
    console.print(
        f"{payload['articles']} articles in {payload['seconds']} s ({payload['articles_per_s']} articles/s);"
        f" stage queues at most {s['max_queued_seen']} (max_queued {args.max_queued});"
        f" peak used_memory +{s['peak_used_memory_delta']} B against ingest Stream {s['ingest_peak_bytes']} B"
        f" + results kept {s['results_kept_bytes']} B: {s['memory_ratio']}x (goal <= {MEMORY_FACTOR};"
        f" {s['memory_ratio_all_kept']}x with the other kept keys, {s['other_kept_bytes']} B)"
    )
    console.print(f"once: {payload['once']}; goals: {payload['goals']}")
    console.print(f"[dim]wrote {write_results('backlog', payload)}[/]")
    return 0 if all(payload["goals"].values()) else 1  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main())
