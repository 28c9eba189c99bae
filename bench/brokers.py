"""newsflow on RabbitMQ beside Redis: throughput with each broker, the same articles, one run.

    newsflow bench --broker amqp://guest:guest@127.0.0.1:5672// [--articles N] [--rounds PAIRS]

Results, status and Streams are in Redis either way; only the stage queues move. Pairs alternate
their order (Redis first, then RabbitMQ first, ...) so that a drift in the machine's load weighs on
both alike; the figure is the median of the pairs' ratios.
"""

from bench.common import write_results
from bench.perf import _median, console, newsflow
from worker.logging import redact_url

GOAL = ">= 0.9"  # RabbitMQ within 10% of Redis


def broker_ratios(redis_url: str, broker_url: str, texts: list[str], pairs: int) -> dict[str, object]:
    """Articles per second of newsflow (2 processes) on Redis and on ``broker_url``, per pair."""
    ratios, rows = [], []
    for pair in range(pairs):
        order = (None, broker_url) if pair % 2 == 0 else (broker_url, None)
        rates: dict[str | None, float] = {}
        for broker in order:
            run, _ = newsflow(redis_url, texts, 2, broker_url=broker)
            rates[broker] = run.per_second
            rows.append(run.row())
        ratios.append(round(rates[broker_url] / rates[None], 3))
        console.print(
            f"[dim]pair {pair + 1}: Redis {rates[None]:.2f} art/s, RabbitMQ {rates[broker_url]:.2f} art/s[/]"
        )
    return {
        "broker": redact_url(broker_url),
        "articles": len(texts),
        "pairs": pairs,
        "ratios": ratios,
        "amqp_over_redis": _median(ratios),
        "goal": GOAL,
        "runs": rows,
    }


def compare_brokers(redis_url: str, broker_url: str, texts: list[str], pairs: int) -> int:
    """Print and write the comparison; the process's exit code."""
    figures = broker_ratios(redis_url, broker_url, texts, pairs)
    console.print(
        f"amqp_over_redis {figures['amqp_over_redis']:.3f}   (goal {GOAL}; pairs {figures['ratios']})"
    )
    console.print(f"[dim]wrote {write_results('perf_brokers', figures)}[/]")
    return 0
