"""Throughput, latency and memory: bare spaCy, the stages in-process, a naive Celery task, Celery
and Redis alone, newsflow.

    python -m bench.perf [--articles N] [--soak N]     (or: newsflow bench ...)

Everything is measured in one run on the same articles and printed side by side, with the
ratios the project's goals are stated in, and the best each of two goals allows on this machine
(``BOUNDS``): the stages alone in two processes against the bare model, and the stages with
nothing but Celery's and Redis's own path for one article (``bench/floor_app.py``) against the
stages in-process. Results go to bench/results/perf.json.
"""

import argparse
import importlib
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import redis
import spacy
from celery import Celery
from rich.console import Console
from rich.table import Table

from bench.common import DEFAULT_DATA, ROOT, cpu_count, load_articles, percentile, tree_rss_mb, write_results
from bench.latency_parts import PARTS, latency_parts, median_parts
from schemas import RawArticle
from worker.app import create_app
from worker.config import Encoding, Matmul, NerDecoder, Settings
from worker.delivery import Delivery
from worker.embedded import free_port, reachable, start_redis, stop_process
from worker.nlp import load_nlp
from worker.pipeline import process_in_process, submit

console = Console(width=None if sys.stdout.isatty() else 140)


@dataclass
class Run:
    """One configuration's figures."""

    name: str
    articles: int
    seconds: float
    tokens: int
    latencies_ms: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    peak_child_rss_mb: float = 0.0
    rss_samples: list[list[float]] = field(default_factory=list)
    stage_ms: dict[str, list[float]] = field(default_factory=dict)  # (b): each stage's own time
    redis_bytes: dict[str, int] = field(default_factory=dict)  # (d): kept per article, by key family

    @property
    def per_second(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    @classmethod
    def through_worker(
        cls, name: str, texts: list[str], seconds: float, latencies: list[float], rss: "RssSampler"
    ) -> "Run":
        """A run through a worker process tree: whitespace tokens of ``texts``, the tree's RSS."""
        tokens = sum(len(t.split()) for t in texts)
        return cls(name, len(texts), seconds, tokens, latencies, rss.peak_total, rss.peak_child, rss.samples)

    def row(self) -> dict[str, float | int | str]:
        return {
            "name": self.name,
            "articles": self.articles,
            "seconds": round(self.seconds, 3),
            "articles_per_s": round(self.per_second, 2),
            "tokens_per_s": round(self.tokens / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(percentile(self.latencies_ms, 50), 1),
            "p95_ms": round(percentile(self.latencies_ms, 95), 1),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "peak_process_rss_mb": round(self.peak_child_rss_mb, 1),
        }


class RssSampler:
    """Samples the RSS of a process tree in the background; keeps the peaks."""

    def __init__(self, pid: int, interval_s: float = 0.2) -> None:
        self.pid, self.interval_s = pid, interval_s
        self.peak_total = self.peak_child = 0.0
        self.samples: list[list[float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            total, each = tree_rss_mb(self.pid)
            self.peak_total = max(self.peak_total, total)
            self.peak_child = max([self.peak_child, *each])
            self.samples.append(each)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def bare_spacy(settings: Settings, bodies: list[str]) -> Run:
    """(a) nlp.pipe with the model's full pipeline on all cores."""
    nlp = spacy.load(settings.spacy_model)
    list(nlp.pipe(bodies[:4]))
    with RssSampler(os.getpid()) as rss:
        started = time.perf_counter()
        tokens = sum(len(doc) for doc in nlp.pipe(bodies, n_process=cpu_count(), batch_size=16))
        seconds = time.perf_counter() - started
    return Run("(a) bare spaCy nlp.pipe, full pipeline", len(bodies), seconds, tokens, [], rss.peak_total)


def bare_stage_model(settings: Settings, bodies: list[str], decoder: NerDecoder = "vectorised") -> Run:
    """(e) nlp.pipe on all cores with exactly the pipeline the entities stage runs (``load_nlp``:
    the sentence and NER components, vocabulary warmed): the model's own speed, newsflow's floor.
    With ``decoder="spacy"``, (e0): the same with spaCy decoding the NER model's moves."""
    nlp = load_nlp(settings.spacy_model, decoder)
    list(nlp.pipe(bodies[:4]))
    with RssSampler(os.getpid()) as rss:
        started = time.perf_counter()
        tokens = sum(len(doc) for doc in nlp.pipe(bodies, n_process=cpu_count(), batch_size=16))
        seconds = time.perf_counter() - started
    what = (
        "(e0) bare nlp.pipe, spaCy decoding the NER"
        if decoder == "spacy"
        else "(e) bare nlp.pipe, the entities stage's components"
    )
    name = f"{what} ({', '.join(nlp.pipe_names)})"
    return Run(name, len(bodies), seconds, tokens, [], rss.peak_total)


def in_process(settings: Settings, texts: list[str]) -> Run:
    """(b) the project's stages in one process, no Redis."""
    process_in_process(RawArticle(text=texts[0]), settings)
    latencies, tokens = [], 0
    stages: dict[str, list[float]] = {}
    with RssSampler(os.getpid()) as rss:
        started = time.perf_counter()
        for text in texts:
            begun = time.perf_counter()
            result = process_in_process(RawArticle(text=text), settings)
            latencies.append((time.perf_counter() - begun) * 1000)
            tokens += len(result.text.split())
            for stage, ms in result.timings.items():
                stages.setdefault(stage, []).append(ms)
        seconds = time.perf_counter() - started
    run = Run("(b) newsflow stages in-process", len(texts), seconds, tokens, latencies, rss.peak_total)
    run.stage_ms = stages
    return run


@contextmanager
def worker(
    command: list[str], env: dict[str, str], ready: Callable[[], bool]
) -> Iterator[subprocess.Popen[bytes]]:
    """A worker subprocess, started and waited for, stopped afterwards."""
    log = open(ROOT / "bench" / "results" / "worker.log", "ab")  # noqa: SIM115
    # From the checkout, so that ``-A bench.naive_app`` imports whatever directory the command ran in.
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    log.close()
    try:
        deadline = time.monotonic() + 120
        while not ready():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker {command} did not start; see bench/results/worker.log")
            time.sleep(0.2)
        yield process
    finally:
        stop_process(process, group=True, timeout_s=60)


def tagged_settings(tag: str, **overrides: Any) -> Settings:
    """Settings whose keys and queues (dead letters included) are the run's own, under ``tag``."""
    return Settings(
        key_prefix=tag,
        queue_clean=f"{tag}-clean",
        queue_entities=f"{tag}-entities",
        queue_summarise=f"{tag}-summarise",
        queue_dead_letters=f"{tag}-dead-letters",
        **overrides,
    )


@contextmanager
def newsflow_worker(settings: Settings, app: Celery, concurrency: int) -> Iterator[subprocess.Popen[bytes]]:
    """``newsflow worker`` with ``settings``, named after their key prefix, answering pings."""
    node = f"{settings.key_prefix}@localhost"
    command = [sys.executable, "-m", "worker.cli", "worker", "--concurrency", str(concurrency)]
    with worker(
        [*command, "--hostname", node, "--loglevel", "WARNING"],
        {**os.environ, **settings.as_env()},
        lambda: bool(app.control.ping(destination=[node], timeout=0.5)),
    ) as process:
        yield process


@dataclass(frozen=True)
class Baseline:
    """A hand-written Celery app in ``bench/`` (its ``app`` and its one task, ``TASK``, called with
    an article's id, its text and a channel) that records each article's end in the hash
    ``<channel>:done``, and the name of its rows."""

    module: str
    name: str


NAIVE = Baseline("bench.naive_app", "(c) naive Celery task")
FLOOR = Baseline("bench.floor_app", "(f) Celery and Redis alone, a task that only publishes")


def celery_baseline(
    baseline: Baseline, redis_url: str, texts: list[str], concurrency: int, idle_samples: int = 0
) -> tuple[Run, list[float]]:
    """One of the hand-written Celery apps on the articles; with ``idle_samples``, first that many
    one-at-a-time latencies (ms), spaced as (d)'s idle samples are."""
    module = importlib.import_module(baseline.module)
    app: Celery = module.app
    channel = f"{module.TASK.split('.')[0]}-{uuid.uuid4().hex[:8]}"
    done = f"{channel}:done"
    env = {**os.environ, "BASELINE_REDIS_URL": redis_url, "BASELINE_QUEUE": channel}
    app.conf.broker_url = redis_url
    node = f"{channel}@localhost"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        baseline.module,
        "worker",
        "-c",
        str(concurrency),
        "-Q",
        channel,
        "-n",
        node,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        "WARNING",
    ]
    client = redis.Redis.from_url(redis_url, decode_responses=True)

    def send(article_id: str, text: str) -> None:
        app.send_task(module.TASK, args=[article_id, text, channel], queue=channel)

    idle: list[float] = []
    with worker(command, env, lambda: bool(app.control.ping(destination=[node], timeout=0.5))) as process:
        send("warm", texts[0])  # the naive task loads its model
        _wait(lambda: client.hlen(done) >= 1, 120)
        for _ in range(concurrency):
            send("warm", texts[0])
        time.sleep(3)
        for i in range(idle_samples):
            article_id = f"idle-{i}"
            sent = time.time() * 1000
            send(article_id, texts[i % len(texts)])
            _wait(lambda aid=article_id: bool(client.hexists(done, aid)), 60)  # type: ignore[misc]
            idle.append(float(client.hget(done, article_id) or 0) - sent)
            time.sleep(_POLL_S)  # as far apart as (d)'s samples: the poll, then the paired run's pause
        submitted: dict[str, float] = {}
        with RssSampler(process.pid) as rss:
            started = time.perf_counter()
            for i, text in enumerate(texts):
                article_id = f"n{i}"
                submitted[article_id] = time.time() * 1000
                send(article_id, text)
            _wait(lambda: client.hlen(done) >= len(texts) + 1 + idle_samples, 1800)
            seconds = time.perf_counter() - started
        ended = client.hgetall(done)
    client.delete(done, channel)
    latencies = [float(ended[k]) - v for k, v in submitted.items() if k in ended]
    name = f"{baseline.name}, {concurrency} processes"
    return Run.through_worker(name, texts, seconds, latencies, rss), idle


_POLL_S = 0.05
# In an idle sample's parts: the same article through the stages in this process right after it.
PAIRED = "in-process, paired"


def _wait(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark run did not finish in time")
        time.sleep(_POLL_S)


def _in_process_ms(settings: Settings, text: str) -> float:
    """(b) for one idle sample, at its moment: the same article through the stages in this
    process (ms), once the worker has published it and after a pause as long as the poll's, so
    that the machine's speed, which drifts over minutes here, is the sample's."""
    time.sleep(_POLL_S)
    begun = time.perf_counter()
    process_in_process(RawArticle(text=text), settings)
    return (time.perf_counter() - begun) * 1000


def newsflow(
    redis_url: str,
    texts: list[str],
    concurrency: int,
    *,
    idle_samples: int = 0,
    fuse: bool = True,
    duplicates: Literal["annotate", "skip", "off"] = "annotate",
    metrics: bool = False,
    broker_url: str | None = None,
    matmul: Matmul = "auto",
    encoder: Encoding = "fused",
) -> tuple[Run, list[dict[str, float]]]:
    """(d) newsflow through Redis and Celery; with ``idle_samples``, also one-at-a-time latencies,
    each split into its parts (bench/latency_parts.py).

    ``fuse``: the worker runs the stages of an article in one task (the default for a worker on
    every queue); without it every stage is a message of its own through Redis. ``metrics``: the
    worker serves Prometheus metrics, scraped every 15 s during the run (as compose's Prometheus
    does) and once at the end, where the served result count must match the run's. ``broker_url``:
    the stage queues on that broker (RabbitMQ) instead of Redis; results stay in Redis.
    ``matmul``: who multiplies the model's matrices (worker/matmul.py). ``encoder``: who runs the
    token encoders (worker/encoder.py).
    """
    settings = tagged_settings(
        f"bench-{uuid.uuid4().hex[:8]}",
        redis_url=redis_url,
        fuse_stages=fuse,
        duplicates=duplicates,
        metrics_port=free_port() if metrics else None,
        broker_url=broker_url,
        matmul=matmul,
        encoder=encoder,
    )
    app, delivery = create_app(settings), Delivery.from_settings(settings)
    idle: list[dict[str, float]] = []
    with newsflow_worker(settings, app, concurrency) as process:
        warm = [
            submit(app, delivery, RawArticle(id=f"warm-{i}", text=texts[0])).article_id
            for i in range(concurrency)
        ]
        _wait(lambda: all(delivery.states(warm)), 120)
        for i in range(idle_samples):
            article_id = submit(
                app, delivery, RawArticle(id=f"idle-{i}", text=texts[i % len(texts)])
            ).article_id
            returned_ms = time.time() * 1000
            _wait(lambda aid=article_id: delivery.state(aid) is not None, 60)  # type: ignore[misc]
            idle.append(_idle_parts(delivery, article_id, returned_ms))
            idle[-1][PAIRED] = _in_process_ms(settings, texts[i % len(texts)])
        ids = [f"run-{i}" for i in range(len(texts))]
        scraper = Scraper(settings.metrics_port) if metrics else nullcontext()
        with RssSampler(process.pid) as rss, scraper:
            started = time.perf_counter()
            for article_id, text in zip(ids, texts, strict=True):
                submit(app, delivery, RawArticle(id=article_id, text=text))
            _wait_done(delivery, ids, 3600)
            seconds = time.perf_counter() - started
        if isinstance(scraper, Scraper):
            scraper.check_published(len(warm) + idle_samples + len(ids))
    latencies = list(_latencies_ms(delivery, ids).values())
    kept = redis_bytes_per_article(delivery)
    delivery.purge()
    if settings.broker_is_amqp:
        delivery.rabbit.delete([*settings.all_queues, settings.queue_dead_letters])
    delivery.close()
    via = "RabbitMQ" if settings.broker_is_amqp else "Redis"
    name = f"(d) newsflow via {via}+Celery, {concurrency} process{'es' if concurrency > 1 else ''}"
    name += "" if fuse else ", stages not fused"
    name += "" if duplicates == "annotate" else f", duplicates={duplicates}"
    name += ", metrics on" if metrics else ""
    name += "" if matmul == "auto" else f", matmul={matmul}"
    name += "" if encoder == "fused" else f", encoders by {encoder}"
    run = Run.through_worker(name, texts, seconds, latencies, rss)
    run.redis_bytes = kept
    return run, idle


def _family(delivery: Delivery, key: str) -> str:
    """The key's kind: its first name after the prefix (two for the duplicate index's keys)."""
    if key == delivery.keys.results_log:
        return "results_stream"
    parts = key.removeprefix(delivery.keys.prefix + ":").split(":")
    return ":".join(parts[:2]) if parts[0] == "dup" else parts[0]


def redis_bytes_per_article(delivery: Delivery) -> dict[str, int]:
    """Bytes Redis keeps per published article once the queues are drained, by key family.

    ``MEMORY USAGE`` of every key of the run's prefix, divided by the articles in the results
    Stream: the stored result, status hash, done marker, Stream entry and duplicate index.
    """
    articles = int(delivery.client.xlen(delivery.keys.results_log)) or 1
    totals: dict[str, int] = {}
    for key in delivery.client.scan_iter(match=f"{delivery.keys.prefix}:*", count=1000):
        family = _family(delivery, str(key))
        totals[family] = totals.get(family, 0) + int(delivery.client.memory_usage(key) or 0)
    per_article = {family: round(total / articles) for family, total in sorted(totals.items())}
    per_article["total"] = sum(per_article.values())
    return per_article


def report_redis_bytes(redis_url: str, texts: list[str], run: Run) -> dict[str, object]:
    """Print and return what an article costs in Redis: queued, and kept once published."""
    queued = queued_bytes_per_article(redis_url, texts[:100])
    console.print(f"Redis bytes per article: {queued} while queued; kept after publishing {run.redis_bytes}")
    return {"kept": run.redis_bytes, "queued": queued}


def queued_bytes_per_article(redis_url: str, texts: list[str]) -> int:
    """Bytes one article takes while it waits: its message in the clean queue (kombu's envelope
    included) and, for recovery, its entry in the in-flight set and its kept input."""
    tag = f"bench-q-{uuid.uuid4().hex[:8]}"
    settings = Settings(redis_url=redis_url, key_prefix=tag, queue_clean=f"{tag}-clean")
    app, delivery = create_app(settings), Delivery.from_settings(settings)
    try:
        for i, text in enumerate(texts):
            submit(app, delivery, RawArticle(id=f"q-{i}", text=text))
        keys = [settings.queue_clean, settings.keys.inflight]
        keys += [settings.keys.inflight_input(f"q-{i}") for i in range(len(texts))]
        used = sum(int(delivery.client.memory_usage(key, samples=0) or 0) for key in keys)
        return round(used / max(1, len(texts)))
    finally:
        delivery.client.delete(settings.queue_clean)
        delivery.purge()
        delivery.client.close()


class Scraper:
    """Scrapes a worker's /metrics every ``interval_s`` in the background, as Prometheus would."""

    def __init__(self, port: int | None, interval_s: float = 15.0) -> None:
        self.url, self.interval_s = f"http://127.0.0.1:{port}/metrics", interval_s
        self.scrapes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def scrape(self) -> str:
        with urllib.request.urlopen(self.url, timeout=10) as response:
            return str(response.read().decode("utf-8"))

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.scrape()
            self.scrapes += 1

    def check_published(self, expected: int) -> None:
        """The served result count is the number of articles the run published."""
        found = re.search(r'^newsflow_published_total\{kind="result"\} (\S+)$', self.scrape(), re.MULTILINE)
        served = float(found.group(1)) if found else 0.0
        if served != expected:
            raise RuntimeError(f"/metrics counts {served} results, the run published {expected}")

    def __enter__(self) -> "Scraper":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


_ARTICLE_ID = re.compile(r'"article_id":"([^"]+)"')


def _latencies_ms(delivery: Delivery, ids: list[str]) -> dict[str, float]:
    """Submit-to-publish time per article: the status hash's submit time to the Stream entry's."""
    published: dict[str, float] = {}
    for entry_id, fields in replay_entries(delivery):
        found = _ARTICLE_ID.search(fields["result"], 0, 400)
        if found:
            published[found.group(1)] = float(entry_id.split("-")[0])
    with delivery.client.pipeline(transaction=False) as pipe:
        for article_id in ids:
            pipe.hget(delivery.keys.status(article_id), "submitted")
        submitted = pipe.execute()
    return {
        article_id: published[article_id] - float(sent)
        for article_id, sent in zip(ids, submitted, strict=True)
        if sent is not None and article_id in published
    }


def _idle_parts(delivery: Delivery, article_id: str, returned_ms: float) -> dict[str, float]:
    """The parts of one published article's latency, read back from Redis."""
    event = delivery.fetch(article_id)
    if event is None or event.kind != "result" or event.entry_id is None:
        raise RuntimeError(f"idle sample {article_id} was not published: {event}")
    timings = json.loads(event.document)["timings"]
    published_ms = float(event.entry_id.split("-")[0])
    return latency_parts(delivery.status(article_id), timings, published_ms, returned_ms)


def replay_entries(delivery: Delivery) -> Iterator[tuple[str, dict[str, str]]]:
    """Every entry of the results Stream, oldest first."""
    last = "0-0"
    while batch := delivery.entries(delivery.keys.results_log, after=last, count=1000):
        yield from batch
        last = batch[-1][0]


def _wait_done(delivery: Delivery, ids: list[str], timeout_s: float) -> None:
    pending = list(ids)

    def done() -> bool:
        nonlocal pending
        head = pending[:500]
        still = [i for i, state in zip(head, delivery.states(head), strict=True) if state is None]
        pending = still + pending[500:]
        return not pending

    _wait(done, timeout_s)


def soak(redis_url: str, texts: list[str], total: int) -> dict[str, object]:
    """RSS of each worker pool process across ``total`` articles (newsflow, 2 processes)."""
    cycle = [texts[i % len(texts)] for i in range(total)]
    run, _ = newsflow(redis_url, cycle, 2)
    per_sample = [max(each) for each in run.rss_samples if each]
    tenth = max(1, len(per_sample) // 10)
    early = percentile(per_sample[tenth : 2 * tenth], 50)  # after warm-up: 10-20% of the run
    late = percentile(per_sample[-tenth:], 50)  # the last 10%
    return {
        "articles": total,
        "seconds": round(run.seconds, 1),
        "articles_per_s": round(run.per_second, 2),
        "process_rss_mb_at_10_20_percent": round(early, 1),
        "process_rss_mb_at_end": round(late, 1),
        "growth": round(late / early - 1, 4) if early else None,
        "peak_process_rss_mb": round(run.peak_child_rss_mb, 1),
    }


def _table(runs: list[Run]) -> Table:
    table = Table(
        "configuration", "articles/s", "tokens/s", "p50 ms", "p95 ms", "peak RSS MB", "max/process MB"
    )
    for run in runs:
        row = run.row()
        table.add_row(
            str(row["name"]),
            f"{row['articles_per_s']:.2f}",
            f"{row['tokens_per_s']:.0f}",
            f"{row['p50_ms']:.0f}" if run.latencies_ms else "-",
            f"{row['p95_ms']:.0f}" if run.latencies_ms else "-",
            f"{row['peak_rss_mb']:.0f}" if run.peak_rss_mb else "-",  # (f) ends before a sample
            f"{row['peak_process_rss_mb']:.0f}" if run.peak_child_rss_mb else "-",
        )
    return table


GOALS = {
    "d2_over_e_articles_per_s": ">= 0.9",  # newsflow within 10% of the model's own speed
    "d2_over_e0_articles_per_s": "none",  # against the model as spaCy decodes it
    "d2_over_a_articles_per_s": ">= 0.9",
    "d2_over_c_articles_per_s": ">= 1.5",
    "idle_p50_d_over_b": "<= 1.3",
    "idle_p50_d_over_b_paired": "<= 1.15",  # each sample against the stages in-process right after it
    "d2_over_d1": ">= 1.85",
    "unfused_d2_over_c_articles_per_s": ">= 1.5",
    "unfused_idle_p50_d_over_b": "<= 1.3",
    "metrics_d2_over_d2": ">= 0.99",  # Prometheus metrics cost at most 1% of throughput
    "d2_over_d2_blis": "none",  # the matrices multiplied as chosen (worker/matmul.py) against BLIS
    "d2_over_d2_thinc_encoders": "none",  # the token encoders fused (worker/encoder.py) against thinc
}
# What the goal's ratio could be at best, whatever newsflow did beyond its stages' own work.
BOUNDS = {
    # (d, 2) / (e) if two processes ran the stages in-process, perfectly in parallel, with no
    # Redis, Celery or producer: 2 x (b) / (e).
    "twice_b_over_e": "d2_over_e_articles_per_s",
    # The idle ratio of a pipeline that added to the stages in-process only what Celery and Redis
    # take to carry one message and publish: (paired (b) + (f)'s idle p50) / paired (b).
    "idle_floor_over_b_paired": "idle_p50_d_over_b_paired",
}
# The ratios of (d, 2) to the runs after the first six of a round: (e), (e0), (d, 2) on BLIS and
# (d, 2) with thinc's encoders, in ``one_round``'s order.
AGAINST_D2 = (
    "d2_over_e_articles_per_s",
    "d2_over_e0_articles_per_s",
    "d2_over_d2_blis",
    "d2_over_d2_thinc_encoders",
)


@dataclass
class Round:
    """One pass over every configuration, in the same order, on the same articles."""

    runs: list[Run]
    idle_ms: list[float]
    idle_unfused_ms: list[float]
    with_metrics: Run | None = None  # (d) 2 processes again, serving and scraped for metrics
    idle_parts: list[dict[str, float]] = field(default_factory=list)  # of idle_ms (latency_parts)
    idle_unfused_parts: list[dict[str, float]] = field(default_factory=list)
    floor: Run | None = None  # (f) Celery and Redis alone
    floor_idle_ms: list[float] = field(default_factory=list)

    def b_p50_ms(self) -> float:
        """(b)'s median latency on the articles the idle samples sent (the first ones, in turn)."""
        b = self.runs[1].latencies_ms
        return percentile([b[i % len(b)] for i in range(len(self.idle_ms))], 50)

    def paired_p50_ms(self) -> float:
        """The median of the idle samples' paired in-process latencies (``PAIRED``); 0 without."""
        return percentile([s[PAIRED] for s in self.idle_parts if PAIRED in s], 50)

    def ratios(self) -> dict[str, float]:
        a, _, c, d1, d2, d2_unfused, *rest = self.runs
        b_p50 = self.b_p50_ms()
        ratios = {
            "d2_over_a_articles_per_s": round(d2.per_second / a.per_second, 3),
            "d2_over_c_articles_per_s": round(d2.per_second / c.per_second, 3),
            "idle_p50_d_over_b": round(percentile(self.idle_ms, 50) / b_p50, 3),
            "d2_over_d1": round(d2.per_second / d1.per_second, 3),
            "unfused_d2_over_c_articles_per_s": round(d2_unfused.per_second / c.per_second, 3),
            "unfused_idle_p50_d_over_b": round(percentile(self.idle_unfused_ms, 50) / b_p50, 3),
        }
        # (d, 2) against each of the runs after the first six that the round has.
        against = zip(AGAINST_D2, rest, strict=False)  # a round may lack the last runs
        ratios |= {name: round(d2.per_second / run.per_second, 3) for name, run in against}
        if rest:  # (e): the bound the stages alone set on its ratio
            ratios["twice_b_over_e"] = round(2 * self.runs[1].per_second / rest[0].per_second, 3)
        if any(PAIRED in s for s in self.idle_parts):
            paired = self.paired_p50_ms()
            ratios["idle_p50_d_over_b_paired"] = round(percentile(self.idle_ms, 50) / paired, 3)
            if self.floor_idle_ms:
                floor = percentile(self.floor_idle_ms, 50)
                ratios["idle_floor_over_b_paired"] = round((paired + floor) / paired, 3)
        if self.with_metrics:
            ratios["metrics_d2_over_d2"] = round(self.with_metrics.per_second / d2.per_second, 3)
        return ratios


def idle_breakdown(rounds: list[Round]) -> dict[str, dict[str, float]]:
    """The idle samples' latency parts, median over every round's samples: (d, 1) fused, (d, 2)
    not fused, and (b) on the same articles (its stage times and its latency)."""
    samples = [s for r in rounds for s in r.idle_parts]
    in_process: list[dict[str, float]] = []
    for r in rounds:
        b = r.runs[1]
        for i in range(len(r.idle_parts)):
            row = {name: 0.0 for name in (*PARTS, "total")}
            row |= {stage: ms[i % len(ms)] for stage, ms in b.stage_ms.items() if stage in row}
            row["total"] = b.latencies_ms[i % len(b.latencies_ms)]
            in_process.append(row)
    return {
        "d1": median_parts(samples),
        "d2_unfused": median_parts([s for r in rounds for s in r.idle_unfused_parts]),
        "b": median_parts(in_process),
    }


def _breakdown_table(breakdown: dict[str, dict[str, float]]) -> Table:
    table = Table("one article on an idle system, p50 ms", "(d, 1)", "(d, 2) not fused", "(b) in-process")
    for name in (*PARTS, "total"):
        table.add_row(name, *(f"{breakdown[key].get(name, 0.0):.2f}" for key in ("d1", "d2_unfused", "b")))
    return table


def one_round(settings: Settings, redis_url: str, texts: list[str], idle_samples: int) -> Round:
    """(a), (b), (c), (f), (d) with 1 and 2 processes, (d) 2 processes without fusion, (e), (e0),
    (d) 2 processes with BLIS multiplying the model's matrices and with thinc running its
    token encoders layer by layer."""
    bodies = [text.strip().partition("\n\n")[2] or text for text in texts]
    a = bare_spacy(settings, bodies)
    e = bare_stage_model(settings, bodies)
    e0 = bare_stage_model(settings, bodies, "spacy")
    b = in_process(settings, texts)
    c, _ = celery_baseline(NAIVE, redis_url, texts, 2)
    f, floor_idle = celery_baseline(FLOOR, redis_url, texts, 2, idle_samples)
    d1, idle_parts = newsflow(redis_url, texts, 1, idle_samples=idle_samples)
    d2, _ = newsflow(redis_url, texts, 2)
    d2_metrics, _ = newsflow(redis_url, texts, 2, metrics=True)  # right after d2: the same load
    d2_unfused, unfused_parts = newsflow(redis_url, texts, 2, idle_samples=idle_samples, fuse=False)
    d2_blis, _ = newsflow(redis_url, texts, 2, matmul="blis")
    d2_thinc, _ = newsflow(redis_url, texts, 2, encoder="thinc")
    return Round(
        [a, b, c, d1, d2, d2_unfused, e, e0, d2_blis, d2_thinc],
        [sample["total"] for sample in idle_parts],
        [sample["total"] for sample in unfused_parts],
        d2_metrics,
        idle_parts,
        unfused_parts,
        f,
        floor_idle,
    )


def with_copies(texts: list[str], share: float, seed: int = 15) -> list[str]:
    """A feed of ``texts`` where ``share`` of the articles are re-publications of others.

    A copy has a new headline and its last paragraph cut; each copy comes after its original.
    """
    rng = random.Random(seed)
    copies = round(len(texts) * share)
    originals = texts[: len(texts) - copies]
    feed = list(originals)
    for _ in range(copies):
        source = rng.choice(originals)
        paragraphs = source.strip().split("\n\n")
        body = paragraphs[1:-1] if len(paragraphs) > 3 else paragraphs[1:]
        feed.insert(
            rng.randrange(feed.index(source) + 1, len(feed) + 1),
            "Updated: the story so far\n\n" + "\n\n".join(body),
        )
    return feed


def duplicate_saving(redis_url: str, texts: list[str], share: float) -> dict[str, float]:
    """Throughput on a feed with ``share`` copies: the index off, copies annotated, copies skipped.

    Run in the order off, annotate, skip, skip, annotate, off, each mode's figure the mean of its
    two runs, so that a drift in the machine's load over the run weighs on every mode alike.
    """
    feed = with_copies(texts, share)
    modes: tuple[Literal["annotate", "skip", "off"], ...] = ("off", "annotate", "skip")
    rates: dict[str, list[float]] = {mode: [] for mode in modes}
    for mode in (*modes, *reversed(modes)):
        run, _ = newsflow(redis_url, feed, 2, duplicates=mode)
        rates[mode].append(run.per_second)
    mean = {mode: sum(values) / len(values) for mode, values in rates.items()}
    return {
        "copies": share,
        "articles": len(feed),
        "off_articles_per_s": round(mean["off"], 3),
        "annotate_articles_per_s": round(mean["annotate"], 3),
        "skip_articles_per_s": round(mean["skip"], 3),
        "skip_over_annotate": round(mean["skip"] / mean["annotate"], 3),
        "annotate_over_off": round(mean["annotate"] / mean["off"], 3),
    }


def metrics_overhead(redis_url: str, texts: list[str], pairs: int) -> dict[str, object]:
    """Throughput of newsflow (2 processes) without and with metrics, side by side.

    Pairs alternate their order (off, on, then on, off, ...) so that a drift in the machine's load
    weighs on both alike; the figure is the median of the pairs' ratios.
    """
    ratios, rows = [], []
    for pair in range(pairs):
        order = (False, True) if pair % 2 == 0 else (True, False)
        rates = {}
        for metrics in order:
            run, _ = newsflow(redis_url, texts, 2, metrics=metrics)
            rates[metrics] = run.per_second
            rows.append(run.row())
        ratios.append(round(rates[True] / rates[False], 3))
        console.print(f"[dim]pair {pair + 1}: off {rates[False]:.2f} art/s, on {rates[True]:.2f} art/s[/]")
    return {"pairs": pairs, "ratios": ratios, "metrics_d2_over_d2": _median(ratios), "runs": rows}


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=200, help="articles per configuration")
    parser.add_argument("--idle-samples", type=int, default=20, help="one-at-a-time latency samples")
    parser.add_argument("--rounds", type=int, default=1, help="passes over all configurations")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument(
        "--copies", type=float, default=0.3, help="share of copies in the near-duplicate feed (0: skip it)"
    )
    parser.add_argument("--soak", type=int, default=0, help="also run N articles and report worker RSS")
    parser.add_argument(
        "--broker",
        default=None,
        metavar="URL",
        help="only compare newsflow on this broker (amqp://...) with Redis, over --rounds pairs of runs",
    )
    parser.add_argument(
        "--metrics-only",
        type=int,
        default=0,
        metavar="PAIRS",
        help="only compare newsflow without and with Prometheus metrics, over PAIRS pairs of runs",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run every configuration on the same articles; print the table and the ratios; write JSON."""
    args = _arguments(argv)

    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    embedded = None if reachable(args.redis_url) else start_redis()
    redis_url = embedded.url if embedded else args.redis_url
    settings = Settings(redis_url=redis_url)
    texts = load_articles(args.data, args.articles)
    try:
        console.print(f"[dim]{len(texts)} articles, {cpu_count()} cores, model {settings.spacy_model}[/]")
        if args.broker:
            from bench.brokers import compare_brokers

            return compare_brokers(redis_url, args.broker, texts, args.rounds)
        if args.metrics_only:
            overhead = metrics_overhead(redis_url, texts, args.metrics_only)
            console.print(
                f"metrics_d2_over_d2 {overhead['metrics_d2_over_d2']:.3f}"
                f"   (goal {GOALS['metrics_d2_over_d2']}; pairs {overhead['ratios']})"
            )
            console.print(f"[dim]wrote {write_results('perf_metrics', overhead)}[/]")
            return 0
        rounds, per_round = [], []
        for number in range(1, args.rounds + 1):
            rounds.append(one_round(settings, redis_url, texts, args.idle_samples))
            per_round.append(rounds[-1].ratios())
            console.print(f"[dim]round {number}: {per_round[-1]}[/]")
        # The table shows, per configuration, the round with its median throughput.
        middle = [
            sorted((r.runs[i] for r in rounds), key=lambda run: run.per_second)[len(rounds) // 2]
            for i in range(len(rounds[0].runs))
        ]
        floors = sorted((r.floor for r in rounds if r.floor), key=lambda run: run.per_second)
        extra = [*(r.with_metrics for r in rounds[:1] if r.with_metrics), *floors[len(floors) // 2 :][:1]]
        console.print(_table([*middle, *extra]))
        # A ratio some round lacks (no idle samples, say) is left out.
        ratios = {
            name: _median([r[name] for r in per_round])
            for name in (*GOALS, *BOUNDS)
            if all(name in r for r in per_round)
        }
        for name, value in ratios.items():
            spread = sorted(r[name] for r in per_round)
            what = f"goal {GOALS[name]}" if name in GOALS else f"best {BOUNDS[name]}"
            console.print(f"{name:34s} {value:.3f}   ({what}; rounds {spread[0]:.3f}..{spread[-1]:.3f})")
        idle = _median([percentile(r.idle_ms, 50) for r in rounds])
        idle_unfused = _median([percentile(r.idle_unfused_ms, 50) for r in rounds])
        b_p50 = _median([r.b_p50_ms() for r in rounds])
        paired = _median([r.paired_p50_ms() for r in rounds])
        floor_idle = _median([percentile(r.floor_idle_ms, 50) for r in rounds if r.floor_idle_ms] or [0.0])
        console.print(
            f"idle p50: newsflow {idle:.0f} ms (stages not fused {idle_unfused:.0f} ms),"
            f" in-process {b_p50:.0f} ms, in-process right after each sample {paired:.1f} ms,"
            f" Celery and Redis alone {floor_idle:.1f} ms"
        )
        stage_p50 = {
            stage: round(_median([percentile(r.runs[1].stage_ms.get(stage, []), 50) for r in rounds]), 1)
            for stage in rounds[0].runs[1].stage_ms
        }
        console.print(f"(b) p50 ms per stage: {stage_p50}")
        breakdown = idle_breakdown(rounds)
        console.print(_breakdown_table(breakdown))
        payload: dict[str, object] = {
            "articles": len(texts),
            "in_process_stage_p50_ms": stage_p50,
            "idle_breakdown_p50_ms": breakdown,
            "idle_paired_in_process_p50_ms": round(paired, 2),
            "idle_floor_p50_ms": round(floor_idle, 2),
            "rounds": [
                {
                    "runs": [run.row() for run in (*r.runs, *(x for x in (r.with_metrics, r.floor) if x))],
                    "ratios": ratios_of_round,
                }
                for r, ratios_of_round in zip(rounds, per_round, strict=True)
            ],
            "median_ratios": ratios,
            "goals": GOALS,
            "bounds": BOUNDS,
        }
        payload["redis_bytes_per_article"] = report_redis_bytes(redis_url, texts, middle[4])
        if args.copies:
            payload["duplicates"] = saving = duplicate_saving(redis_url, texts, args.copies)
            console.print(
                f"feed with {args.copies:.0%} copies, 2 processes:"
                f" annotate {saving['annotate_articles_per_s']} art/s,"
                f" skip {saving['skip_articles_per_s']} art/s ({saving['skip_over_annotate']}x),"
                f" index off {saving['off_articles_per_s']} art/s"
            )
        if args.soak:
            payload["soak"] = soak(redis_url, texts, args.soak)
            console.print(f"soak: {payload['soak']}")
        console.print(f"[dim]wrote {write_results('perf', payload)}[/]")
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
