"""Articles lost when the broker Redis restarts mid-run: kombu as shipped beside newsflow.

    python -m bench.redis_restarts [--runs 6] [--articles 600] [--restarts 10] [--burners 2]

Each run starts a private Redis with an append-only file (fsync always), a worker with two
processes, and ``--burners`` processes that spin on the CPU (a busy host widens the windows).
It submits short articles, then stops Redis (SIGTERM: it writes its file and exits) and starts
it again ``--restarts`` times at random moments, and counts the articles that reached no
terminal event within ``--wait`` seconds and those published more than once.

Two workers run on the same seeds, one after the other:
- **kombu**: kombu's own Redis QoS and no recovery (``lost_after_s`` beyond the run);
- **newsflow**: ``worker/redis_qos.py`` and ``worker/recovery.py`` as shipped.
Writes bench/results/redis_restarts.json.
"""

import argparse
import json
import multiprocessing
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.common import write_results
from bench.perf import worker
from schemas import RawArticle
from worker.app import create_app
from worker.config import Settings
from worker.delivery import Delivery
from worker.embedded import EmbeddedRedis, free_port, start_redis
from worker.pipeline import submit

TEXT = (
    "The council approved the budget on Monday. Mayor Jane Smith said the plan would cut costs. "
    "Critics in London called it reckless. The vote was 7 to 2."
)
# The anchor's worker: the newsflow worker with kombu's QoS left in place.
KOMBU_WORKER = (
    "import sys, worker.app; worker.app.keep_unrecorded_messages = lambda: None; "
    "from worker.cli import cli; sys.argv[0] = 'newsflow'; cli()"
)


def _burn() -> None:
    while True:
        pass


def _settings(port: int, variant: str) -> Settings:
    tag = f"restarts-{uuid.uuid4().hex[:8]}"
    return Settings(
        redis_url=f"redis://127.0.0.1:{port}/0",
        key_prefix=tag,
        queue_clean=f"{tag}-clean",
        queue_entities=f"{tag}-entities",
        queue_summarise=f"{tag}-summarise",
        visibility_timeout_s=15,
        broker_transport_options={"unacked_restore_interval": 2, "unacked_restore_throttle": 1},
        soft_time_limits_s={"clean": 3, "entities": 5, "summarise": 2},
        hard_time_limits_s={"clean": 4, "entities": 7, "summarise": 3},
        max_retries=10,
        retry_backoff_max_s=2,
        lost_after_s=10 if variant == "newsflow" else 10**6,
        recovery_interval_s=2,
    )


def one_run(variant: str, seed: int, articles: int, restarts: int, wait_s: float) -> dict[str, Any]:
    """One run of ``variant`` ("kombu" or "newsflow"): lost and duplicated counts."""
    rng = random.Random(seed)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="newsflow-restarts-") as workdir:
        server: EmbeddedRedis = start_redis(port, directory=workdir, durable=True)
        settings = _settings(port, variant)
        app = create_app(settings)
        delivery = Delivery.from_settings(settings)
        node = f"{settings.key_prefix}@localhost"
        entry = ["-c", KOMBU_WORKER] if variant == "kombu" else ["-m", "worker.cli"]
        command = [
            sys.executable,
            *entry,
            "worker",
            "--concurrency",
            "2",
            "--hostname",
            node,
            "--loglevel",
            "WARNING",
        ]
        env = {**os.environ, **settings.as_env()}
        ids = [f"r{i:04d}-{settings.key_prefix}" for i in range(articles)]
        try:
            with worker(command, env, lambda: bool(app.control.ping(destination=[node], timeout=0.5))):
                for article_id in ids:
                    submit(app, delivery, RawArticle(id=article_id, text=f"{TEXT} Item {article_id}."))
                for _ in range(restarts):
                    time.sleep(rng.uniform(0.3, 2.0))
                    server.stop()
                    time.sleep(rng.uniform(0.2, 1.5))
                    server = start_redis(port, directory=workdir, durable=True)
                return _counts(delivery, ids, wait_s)
        finally:
            delivery.close()
            server.stop()


def _counts(delivery: Delivery, ids: list[str], wait_s: float) -> dict[str, Any]:
    """Wait up to ``wait_s`` for every article to end; how many did not, and how many twice."""
    deadline = time.monotonic() + wait_s
    states: list[Any] = [None] * len(ids)
    while time.monotonic() < deadline:
        states = delivery.states(ids)
        if all(state is not None for state in states):
            break
        time.sleep(0.5)
    log = delivery.entries(delivery.keys.results_log, count=10**6)
    published = Counter(json.loads(fields["result"])["article_id"] for _, fields in log)
    return {
        "lost": sum(state is None for state in states),
        "dead_lettered": sum(state == "error" for state in states),
        "published_twice": sum(count > 1 for count in published.values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--restarts", type=int, default=10)
    parser.add_argument("--burners", type=int, default=2)
    parser.add_argument("--wait", type=float, default=150.0, help="seconds for the last articles to end")
    args = parser.parse_args(argv)
    burners = [multiprocessing.Process(target=_burn, daemon=True) for _ in range(args.burners)]
    for process in burners:
        process.start()
    rows: list[dict[str, Any]] = []
    try:
        for run in range(args.runs):
            for variant in ("kombu", "newsflow"):
                counts = one_run(variant, run, args.articles, args.restarts, args.wait)
                rows.append({"run": run, "variant": variant, **counts})
                print(json.dumps(rows[-1]), flush=True)
    finally:
        for process in burners:
            process.terminate()
    table = Table(title=f"{args.runs} runs × {args.articles} articles, {args.restarts} Redis restarts each")
    for column in ("worker", "runs with a loss", "articles lost", "dead-lettered", "published twice"):
        table.add_column(column)
    totals = {}
    kinds = ("lost", "dead_lettered", "published_twice")
    for variant in ("kombu", "newsflow"):
        mine = [row for row in rows if row["variant"] == variant]
        totals[variant] = {key: sum(row[key] for row in mine) for key in kinds}
        table.add_row(
            variant,
            str(sum(row["lost"] > 0 for row in mine)),
            str(totals[variant]["lost"]),
            str(totals[variant]["dead_lettered"]),
            str(totals[variant]["published_twice"]),
        )
    console = Console()
    console.print(table)
    payload = {"args": vars(args), "runs": rows, "totals": totals}
    console.print(f"[dim]wrote {write_results('redis_restarts', payload)}[/]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
