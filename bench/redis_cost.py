"""What the Redis server spends per article, beside the worker's own CPU, in one run.

    python -m bench.redis_cost [--articles N] [--rounds R]

A fused one-process worker takes the seed and BBC dev articles through Redis, once with the
near-duplicate index on (the default, ``NEWSFLOW_DUPLICATES=annotate``) and once with it off,
alternating ``--rounds`` times. For each run the CPU time of the worker's process tree and of
the Redis server (``INFO cpu``) are read before and after, and ``INFO commandstats`` (reset at
the start of the run) gives the commands that took the server's time, with calls per article.
On a machine with as many cores as worker processes, the server's time per article is taken
from the workers' (``bench.perf``'s (d) rows); this tells how much, and which commands.
The Redis at ``NEWSFLOW_REDIS_URL`` must serve nothing else meanwhile: its statistics are reset.
Results go to bench/results/redis_cost.json.
"""

import argparse
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import psutil
import redis

from bench.common import DEFAULT_DATA, load_articles, write_results
from bench.perf import _wait, newsflow_worker, tagged_settings
from schemas import RawArticle
from worker.app import create_app
from worker.delivery import Delivery
from worker.pipeline import submit

TOP_COMMANDS = 8


@dataclass(frozen=True)
class CommandCost:
    """One Redis command's server time and calls, per article."""

    command: str
    ms_per_article: float
    calls_per_article: float


@dataclass
class Cost:
    """One run: CPU milliseconds per article of the worker tree and of Redis, and Redis' commands."""

    duplicates: str
    articles: int
    main_ms: float  # the worker's main process: Celery's consumer, handing messages to the pool
    pool_ms: float  # the pool process running the tasks
    redis_ms: float
    commands: list[CommandCost] = field(default_factory=list)

    @property
    def worker_ms(self) -> float:
        """The worker's whole process tree."""
        return self.main_ms + self.pool_ms

    @property
    def redis_share(self) -> float:
        """Redis' CPU as a share of the worker's and Redis' together."""
        total = self.worker_ms + self.redis_ms
        return self.redis_ms / total if total else 0.0


def _tree_cpu_s(pid: int) -> tuple[float, float]:
    """CPU seconds of the worker's main process (Celery's consumer) and of its pool processes."""
    process = psutil.Process(pid)

    def used(p: psutil.Process) -> float:
        return p.cpu_times().user + p.cpu_times().system

    return used(process), sum(used(child) for child in process.children(recursive=True))


def _redis_cpu_s(client: redis.Redis) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def one_run(texts: list[str], duplicates: Literal["annotate", "off"]) -> Cost:
    """The articles through a fresh one-process worker; CPU per article of both sides."""
    settings = tagged_settings(f"bench-{uuid.uuid4().hex[:8]}", duplicates=duplicates)
    app, delivery = create_app(settings), Delivery.from_settings(settings)
    client = redis.Redis.from_url(settings.redis_url)
    with newsflow_worker(settings, app, 1) as process:
        warm = submit(app, delivery, RawArticle(id="warm", text=texts[0])).article_id
        _wait(lambda: delivery.state(warm) is not None, 120)
        ids = [f"run-{i}" for i in range(len(texts))]
        client.config_resetstat()
        (main_before, pool_before), redis_before = _tree_cpu_s(process.pid), _redis_cpu_s(client)
        for article_id, text in zip(ids, texts, strict=True):
            submit(app, delivery, RawArticle(id=article_id, text=text))
        # the results Stream's length, not each article's state: polling must not be what Redis spends
        _wait(lambda: client.xlen(delivery.keys.results_log) >= len(ids) + 1, 3600)
        main_after, pool_after = _tree_cpu_s(process.pid)
        redis_s = _redis_cpu_s(client) - redis_before
        stats = client.info("commandstats")
    delivery.purge()
    delivery.close()
    client.close()
    count = len(texts)
    commands = sorted(
        (
            CommandCost(
                name.removeprefix("cmdstat_"),
                float(value["usec"]) / 1000 / count,
                float(value["calls"]) / count,
            )
            for name, value in stats.items()
        ),
        key=lambda row: -row.ms_per_article,
    )
    return Cost(
        duplicates,
        count,
        (main_after - main_before) * 1000 / count,
        (pool_after - pool_before) * 1000 / count,
        redis_s * 1000 / count,
        commands[:TOP_COMMANDS],
    )


def main(argv: list[str] | None = None) -> None:
    """Alternate runs with the duplicate index on and off; print CPU per article and the commands."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    texts = load_articles(args.data, args.articles)
    runs: list[Cost] = []
    for round_number in range(args.rounds):
        for duplicates in ("annotate", "off"):
            cost = one_run(texts, duplicates)
            runs.append(cost)
            print(
                f"round {round_number + 1} duplicates={duplicates:<8} worker {cost.worker_ms:6.2f} ms"
                f" (main {cost.main_ms:5.2f}, pool {cost.pool_ms:6.2f})  Redis {cost.redis_ms:5.2f} ms"
                f" per article  (Redis {cost.redis_share:.1%} of both)",
                flush=True,
            )
    for duplicates in ("annotate", "off"):
        best = min((run for run in runs if run.duplicates == duplicates), key=lambda run: run.redis_ms)
        print(f"\nduplicates={duplicates}: Redis' commands in its run with the least Redis time")
        for row in best.commands:
            print(
                f"  {row.command:<14} {row.ms_per_article:6.3f} ms"
                f"  {row.calls_per_article:7.1f} calls per article"
            )
    path = write_results(
        "redis_cost",
        {
            "articles": len(texts),
            "rounds": args.rounds,
            "runs": [
                {**asdict(run), "worker_ms": run.worker_ms, "redis_share": run.redis_share} for run in runs
            ],
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
