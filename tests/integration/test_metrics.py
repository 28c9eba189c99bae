"""Prometheus metrics of a real prefork worker, scraped over HTTP."""

import socket
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from schemas import ArticleResult, ErrorEvent
from tests.conftest import cleanup, make_settings, start_worker, stop_worker
from worker.client import Client

ARTICLES = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode("utf-8")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


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
            ids = [
                client.submit("\n\n".join(paragraphs[n:]), id=f"m-{n}-{uuid.uuid4().hex[:6]}")
                for n in range(ARTICLES)
            ]
            failed = client.submit(html="<html><body></body></html>", id=f"m-empty-{uuid.uuid4().hex[:6]}")
            assert all(isinstance(client.wait(i, 120), ArticleResult) for i in ids)
            assert isinstance(client.wait(failed, 60), ErrorEvent)
        deadline = time.monotonic() + 15
        while True:  # the counters are written just after the publish the client saw
            samples = _scrape(url)
            summarised = _value(samples, "newsflow_stage_total", stage="summarise", outcome="done")
            if summarised == ARTICLES or time.monotonic() > deadline:
                break
            time.sleep(0.2)

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

        (directory,) = tmp_path.glob("newsflow-metrics-*")
        writers = {path.stem.rpartition("_")[2] for path in directory.glob("*.db")}
        assert len(writers) == 2, writers  # both pool processes counted, and the sum is served
    finally:
        stop_worker(process)
        cleanup(settings)
    assert list(tmp_path.glob("newsflow-metrics-*")) == []  # the directory goes with the worker


def test_the_metrics_server_binds_loopback_by_default() -> None:
    from worker.config import Settings

    assert Settings().metrics_port is None
    assert Settings().metrics_host == "127.0.0.1"
