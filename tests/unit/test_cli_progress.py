"""The progress bar of `newsflow submit --wait` shows the rate."""

import time

from rich.console import Console
from rich.progress import Progress

from worker.cli import RateColumn


def test_rate_column_shows_articles_per_second() -> None:
    with Progress(
        RateColumn(), console=Console(force_terminal=True, file=open("/dev/null", "w"))
    ) as progress:
        task = progress.add_task("articles", total=10)
        assert RateColumn().render(progress.tasks[0]).plain == "- articles/s"
        for _ in range(5):
            time.sleep(0.02)
            progress.advance(task)
        rate = RateColumn().render(progress.tasks[0]).plain
    assert rate.endswith(" articles/s") and float(rate.split()[0]) > 1
