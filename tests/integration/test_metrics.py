"""Prometheus metrics of a real prefork worker, scraped over HTTP."""

import os
import signal
import socket
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from schemas import ArticleResult, ErrorEvent
from tests.conftest import cleanup, make_settings, start_worker, stop_worker
from worker.client import Client

ARTICLES = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _scrape(url: str) -> Samples:
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode("utf-8")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _scrape_until(url: str, done: Callable[[Samples], bool], timeout_s: float) -> Samples:
    deadline = time.monotonic() + timeout_s
    while True:
        samples = _scrape(url)
        if done(samples) or time.monotonic() > deadline:
            return samples
        time.sleep(0.2)


def _running(samples: Samples) -> float:
    return sum(v for (name, _), v in samples.items() if name == "newsflow_stage_in_progress")


def test_a_prefork_worker_serves_counts_summed_over_its_processes(
    redis_url: str, seed_text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _free_port()
    settings = make_settings(redis_url, metrics_port=port)
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # where the worker makes its multiprocess directory
    process = start_worker(settings, tmp_path / "worker.log", concurrency=2)
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        with Client(settings) as client:
            paragraphs = seed_text.split("\n\n")
            # A long article first keeps one pool process busy, so the short ones after it go to
            # the other (the pool hands a task only to an idle process) and both processes count.
            ids = [
                client.submit(
                    "Long.\n\n" + "\n\n".join([seed_text] * 20), id=f"m-long-{uuid.uuid4().hex[:6]}"
                )
            ]
            ids += [
                client.submit("\n\n".join(paragraphs[n:]), id=f"m-{n}-{uuid.uuid4().hex[:6]}")
                for n in range(ARTICLES - 1)
            ]
            failed = client.submit(html="<html><body></body></html>", id=f"m-empty-{uuid.uuid4().hex[:6]}")
            assert all(isinstance(client.wait(i, 120), ArticleResult) for i in ids)
            assert isinstance(client.wait(failed, 60), ErrorEvent)
        # The counters are written just after the publish the client saw: wait for the last
        # stage runs of the results and of the error to end.
        samples = _scrape_until(
            url,
            lambda s: (
                _value(s, "newsflow_stage_total", stage="summarise", outcome="done") == ARTICLES
                and _value(s, "newsflow_stage_total", stage="clean", outcome="failed") == 1
                and _running(s) == 0
            ),
            15,
        )

        assert _value(samples, "newsflow_published_total", kind="result") == ARTICLES
        assert _value(samples, "newsflow_published_total", kind="error") == 1
        assert _value(samples, "newsflow_stage_total", stage="clean", outcome="done") == ARTICLES
        assert _value(samples, "newsflow_stage_total", stage="clean", outcome="failed") == 1
        for stage in ("entities", "summarise"):
            assert _value(samples, "newsflow_stage_total", stage=stage, outcome="done") == ARTICLES
        # The histogram counts every run of a stage, whatever its outcome.
        assert _value(samples, "newsflow_stage_duration_seconds_count", stage="clean") == ARTICLES + 1
        assert _value(samples, "newsflow_stage_duration_seconds_count", stage="summarise") == ARTICLES
        assert _value(samples, "newsflow_stage_duration_seconds_sum", stage="entities") > 0
        for queue in settings.queues:
            assert ("newsflow_queue_length", (("queue", queue),)) in samples
        assert _value(samples, "newsflow_dead_letters") == 1
        assert _value(samples, "newsflow_in_flight") == 0  # every article ended

        (directory,) = tmp_path.glob("newsflow-metrics-*")
        writers = {path.stem.rpartition("_")[2] for path in directory.glob("*.db")}
        assert len(writers) == 2, writers  # both pool processes counted, and the sum is served
    finally:
        stop_worker(process)
        cleanup(settings)
    assert list(tmp_path.glob("newsflow-metrics-*")) == []  # the directory goes with the worker


def _file_values(path: Path) -> Samples:
    """The samples one process wrote to one file of the multiprocess directory."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in MultiProcessCollector.merge([str(path)], accumulate=False)  # type: ignore[no-untyped-call]
        for sample in family.samples
    }


def test_a_killed_pool_process_keeps_its_counts_and_leaves_no_stage_run_behind(
    redis_url: str, seed_text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL runs no exit hook in the killed process: the main process must drop its live gauge."""
    port = _free_port()
    settings = make_settings(redis_url, metrics_port=port)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    process = start_worker(settings, tmp_path / "worker.log", concurrency=2)
    url = f"http://127.0.0.1:{port}/metrics"
    tag = uuid.uuid4().hex[:6]
    try:
        with Client(settings) as client:
            paragraphs = seed_text.split("\n\n")
            short = [client.submit("\n\n".join(paragraphs[n:]), id=f"k-{n}-{tag}") for n in range(ARTICLES)]
            assert all(isinstance(client.wait(i, 120), ArticleResult) for i in short)
            _scrape_until(
                url,
                lambda s: (
                    _value(s, "newsflow_published_total", kind="result") == ARTICLES and _running(s) == 0
                ),
                15,
            )
            # Two long articles keep the pool processes inside stage runs long enough to kill one.
            long = [
                client.submit(f"Copy {n}.\n\n" + "\n\n".join([seed_text] * 40), id=f"k-long-{n}-{tag}")
                for n in range(2)
            ]
            (directory,) = tmp_path.glob("newsflow-metrics-*")

            def inside_a_stage() -> int | None:
                """A pool process that has counted results and is inside a stage run now (between
                two fused stages its gauge is briefly 0, so look again until one is)."""
                for pid in (child.pid for child in psutil.Process(process.pid).children()):
                    counts, gauge = directory / f"counter_{pid}.db", directory / f"gauge_livesum_{pid}.db"
                    if not counts.exists() or not gauge.exists():
                        continue
                    mine = _value(_file_values(counts), "newsflow_published_total", kind="result")
                    running = sum(_file_values(gauge).values())
                    if mine > 0 and running == 1:
                        return pid
                return None

            deadline = time.monotonic() + 60
            while (found := inside_a_stage()) is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert found is not None, "no pool process with results of its own was inside a stage run"
            victim = found
            live = directory / f"gauge_livesum_{victim}.db"
            os.kill(victim, signal.SIGKILL)

            # The killed run is redelivered to the replacement process and published once.
            assert all(isinstance(client.wait(i, 300), ArticleResult) for i in long)
        done = ARTICLES + 2
        samples = _scrape_until(
            url,
            lambda s: _value(s, "newsflow_published_total", kind="result") == done and _running(s) == 0,
            30,
        )
        assert _value(samples, "newsflow_published_total", kind="result") == done  # the dead one's too
        assert _running(samples) == 0
        assert not live.exists()  # its live gauge went with it
        assert (directory / f"counter_{victim}.db").exists()  # its counts did not
    finally:
        stop_worker(process)
        cleanup(settings)


def test_the_metrics_server_binds_loopback_by_default() -> None:
    from worker.config import Settings

    assert Settings().metrics_port is None
    assert Settings().metrics_host == "127.0.0.1"
