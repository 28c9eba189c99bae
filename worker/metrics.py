"""Prometheus metrics: what the pool processes count, and the /metrics server of the worker.

``NEWSFLOW_METRICS_PORT`` turns them on for ``newsflow worker``: the main process creates a
private ``PROMETHEUS_MULTIPROC_DIR`` before the prefork pool starts, every pool process writes its
counters there (prometheus_client's multiprocess mode), and the main process serves their sum on
``/metrics``, with the queue lengths read from Redis at scrape time. Unset, nothing is imported
and every recording call is one ``None`` check.

A pool process's counts stay in the directory after it exits or is replaced; its live gauge
(stage runs under way) must not. A killed process (SIGKILL, a hard time limit, the OOM killer)
runs no exit hook of its own, so the main process drops the live gauges of every process that is
no longer one of its running children each time it is scraped, whichever way the process ended.
"""

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from worker.config import Settings
from worker.delivery import Delivery
from worker.errors import UsageError
from worker.logging import get_logger
from worker.overview import queue_depths

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric
    from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
log = get_logger("newsflow.metrics")


@dataclass(frozen=True)
class Spec:
    """One metric newsflow serves: its kind, name (without a counter's ``_total``), help, labels."""

    kind: Literal["counter", "histogram", "gauge"]
    name: str
    doc: str
    labels: tuple[str, ...]

    def samples(self) -> tuple[str, ...]:
        """The sample names Prometheus sees for this metric."""
        if self.kind == "counter":
            return (f"{self.name}_total",)
        if self.kind == "histogram":
            return tuple(f"{self.name}{suffix}" for suffix in ("_bucket", "_count", "_sum"))
        return (self.name,)


PUBLISHED = Spec("counter", "newsflow_published", "Terminal events published, by kind.", ("kind",))
STAGE = Spec(
    "counter", "newsflow_stage", "Stage runs that ended, by stage and outcome.", ("stage", "outcome")
)
DURATION = Spec(
    "histogram", "newsflow_stage_duration_seconds", "Time a stage run took, every outcome.", ("stage",)
)
RUNNING = Spec("gauge", "newsflow_stage_in_progress", "Stage runs under way, by stage.", ("stage",))
QUEUE = Spec("gauge", "newsflow_queue_length", "Messages waiting in a stage queue.", ("queue",))
DEAD = Spec("gauge", "newsflow_dead_letters", "Entries in the dead-letter Stream.", ())
IN_FLIGHT = Spec(
    "gauge", "newsflow_in_flight", "Accepted articles without a terminal event yet (Redis brokers).", ()
)
RECOVERED = Spec(
    "counter",
    "newsflow_recovered",
    "Articles whose message the broker lost: resubmitted, or dead-lettered after too many losses.",
    ("outcome",),
)
SPECS = (PUBLISHED, STAGE, DURATION, RUNNING, QUEUE, DEAD, IN_FLIGHT, RECOVERED)
# Stage outcomes: finished and handed on, retried, dead-lettered, or requeued (Redis down; or handed
# to the broker's dead letters when the error event could not be written).
OUTCOMES = ("done", "retry", "failed", "requeued")
# Stages take from milliseconds (clean) to seconds (entities on a long article).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def served_names() -> set[str]:
    """Every sample name the worker's /metrics serves (for the dashboard's check)."""
    return {name for spec in SPECS for name in spec.samples()}


class Metrics:
    """The metric objects of one process; their values go to the multiprocess directory."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Gauge, Histogram

        self.published: Counter = Counter(PUBLISHED.name, PUBLISHED.doc, PUBLISHED.labels, registry=None)
        self.stage: Counter = Counter(STAGE.name, STAGE.doc, STAGE.labels, registry=None)
        self.recovered: Counter = Counter(RECOVERED.name, RECOVERED.doc, RECOVERED.labels, registry=None)
        self.duration: Histogram = Histogram(
            DURATION.name, DURATION.doc, DURATION.labels, buckets=BUCKETS, registry=None
        )
        # Summed over the processes still running (a "live" gauge: one file per process).
        self.running: Gauge = Gauge(
            RUNNING.name, RUNNING.doc, RUNNING.labels, multiprocess_mode="livesum", registry=None
        )

    def stage_started(self, stage: str) -> None:
        """A stage run began (``stage_left`` when it ends, however it ends)."""
        self.running.labels(stage=stage).inc()

    def stage_left(self, stage: str) -> None:
        """A stage run begun by ``stage_started`` is over."""
        self.running.labels(stage=stage).dec()

    def stage_ended(self, stage: str, outcome: str, seconds: float) -> None:
        """One stage run ended with ``outcome`` after ``seconds``."""
        self.stage.labels(stage=stage, outcome=outcome).inc()
        self.duration.labels(stage=stage).observe(seconds)

    def recovered_one(self, outcome: Literal["resubmitted", "dead_lettered"]) -> None:
        """Recovery resubmitted an article whose message was lost, or gave up on it."""
        self.recovered.labels(outcome=outcome).inc()

    def published_one(self, kind: Literal["result", "error"]) -> None:
        """One result or error event was published (not a repeat of one already published)."""
        self.published.labels(kind=kind).inc()


_metrics: Metrics | None = None


def for_settings(settings: Settings) -> Metrics | None:
    """This process's metrics when ``newsflow worker`` serves them, else None."""
    global _metrics  # noqa: PLW0603 - one set of metric objects per process
    if settings.metrics_port is None or not os.environ.get(MULTIPROC_ENV):
        return None
    if _metrics is None:
        _metrics = Metrics()
    return _metrics


def _running(pid: int) -> bool:
    """Whether ``pid`` is this process or a live child of it (a pid reused since is not)."""
    if pid == os.getpid():
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except FileNotFoundError:
        return not Path("/proc/self/stat").exists() and _exists(pid)  # no /proc: ask the kernel
    except OSError:
        return False
    state, parent = stat.rpartition(")")[2].split()[:2]
    return state != "Z" and int(parent) == os.getpid()


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:  # gone, or someone else's now
        return False
    return True


def reap_exited(directory: str) -> list[int]:
    """Drop the live gauges of the processes that are no longer running; returns their pids.

    Their counter and histogram files stay, so the served counts keep what they counted.
    """
    from prometheus_client import multiprocess

    gone = sorted(
        {
            pid
            for path in Path(directory).glob("gauge_live*_*.db")
            if not _running(pid := int(path.stem.rpartition("_")[2]))
        }
    )
    for pid in gone:
        multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
    return gone


class LiveCollector:
    """The multiprocess directory's sum, once the processes that have gone are dropped from it."""

    def __init__(self, directory: str) -> None:
        from prometheus_client.multiprocess import MultiProcessCollector

        self.directory = directory
        self.files = MultiProcessCollector(None, path=directory)  # type: ignore[no-untyped-call]

    def collect(self) -> Iterable["Metric"]:
        reap_exited(self.directory)
        return cast("Iterable[Metric]", self.files.collect())  # type: ignore[no-untyped-call]


class RedisCollector:
    """Queue lengths and dead letters, read from Redis when /metrics is scraped."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.delivery = Delivery.from_settings(settings, timeout_s=2.0)

    def collect(self) -> Iterable["Metric"]:
        from prometheus_client.core import GaugeMetricFamily

        try:
            depths = queue_depths(self.delivery, list(self.settings.all_queues))
            dead = int(self.delivery.client.xlen(self.settings.keys.dead))
            in_flight = self.delivery.inflight.count()
        except Exception as exc:  # Redis down: serve the counters without the gauges
            log.warning("metrics_redis_unavailable", error=str(exc))
            return
        queue = GaugeMetricFamily(QUEUE.name, QUEUE.doc, labels=QUEUE.labels)
        for name, depth in depths.items():
            queue.add_metric([name], depth)
        yield queue
        yield GaugeMetricFamily(DEAD.name, DEAD.doc, value=dead)
        yield GaugeMetricFamily(IN_FLIGHT.name, IN_FLIGHT.doc, value=in_flight)


@contextmanager
def serving(settings: Settings) -> Iterator[str | None]:
    """Around a worker: with a metrics port, a multiprocess directory and /metrics; else nothing.

    Yields the URL served (or None). Must be entered before the pool forks; the directory is
    removed on the way out.
    """
    if settings.metrics_port is None:
        yield None
        return
    directory = tempfile.mkdtemp(prefix="newsflow-metrics-")
    os.environ[MULTIPROC_ENV] = directory
    from prometheus_client import CollectorRegistry, start_http_server, values

    # prometheus_client picks file-backed values when it is first imported: should anything have
    # imported it before the directory existed, pick again (metrics read this when created).
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]

    registry = CollectorRegistry()
    registry.register(LiveCollector(directory))
    registry.register(cast("Collector", RedisCollector(settings)))
    url = f"http://{settings.metrics_host}:{settings.metrics_port}/metrics"
    try:
        server, thread = start_http_server(
            settings.metrics_port, addr=settings.metrics_host, registry=registry
        )
    except OSError as exc:
        shutil.rmtree(directory, ignore_errors=True)
        os.environ.pop(MULTIPROC_ENV, None)
        raise UsageError(
            f"cannot serve metrics on {url}: {exc.strerror or exc} (NEWSFLOW_METRICS_PORT)"
        ) from exc
    log.info("metrics_serving", url=url)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(directory, ignore_errors=True)
