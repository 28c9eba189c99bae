"""What Prometheus metrics cost a pool process per article, counted in instructions.

    python -m bench.metrics_cost [--articles 12] [--events 2000]

``newsflow bench --metrics-only`` compares throughput with and without metrics end to end, but
on a shared 2-core machine identical runs swing by far more than the 1% it should resolve.
Callgrind (``valgrind --tool=callgrind``) counts the instructions a piece of code executes, the
same whatever else the machine runs. This bench runs one Python process under callgrind and
counts, with instrumentation on only around each part (callgrind's client requests, from a few
lines of C compiled with ``cc`` at run time, so that importing and loading spaCy run
uninstrumented):

- ``pipeline``: the stages in-process (clean, entities with spaCy, summarise: what ``newsflow
  process`` runs) on N articles, the seed and the first BBC dev bodies, after one warm-up article;
- ``recording``: what a pool process adds per article when it serves metrics, K times: three
  stage runs (``stage_started``, ``stage_ended``, ``stage_left``, as ``StageRunner.guard`` calls
  them, around a ``perf_counter`` pair) and one ``published_one``, with a ``Metrics`` object
  writing to a multiprocess directory as in the worker;
- ``off``: the same loop with metrics ``None`` (the ``is not None`` checks of a worker without).

Cost per article = (recording - off) / K; ratio = (pipeline + cost) / pipeline. The metric calls
are measured apart from the pipeline rather than by running the pipeline twice, with and
without: a second pass over the same articles is cheaper (spaCy's string store and caches are
warm), by more than the metrics cost, always in the same direction. The pipeline leaves out the
Celery and Redis work a pool process also does per article, so the ratio overstates the share.
An instruction is not a fixed time: spaCy's vectorised loops do more per cycle than the Python
interpreter running the metric calls, so the time share (printed beside it) can be larger; the
instruction ratio is the figure that repeats, the timed one says what it costs on this machine.
Outside valgrind the bench also times the same calls with timeit (µs per event), the pipeline's
time per article, and one scrape of a two-process multiprocess directory (the main process's
cost). Results go to bench/results/metrics_cost.json.
"""

import argparse
import ctypes
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

from bench.callgrind import SHIM_ENV, build_shim, read_totals
from bench.common import DEFAULT_DATA, load_articles, write_results

STAGES = ("clean", "entities", "summarise")


def record_article(metrics: Any) -> None:
    """The metric calls a pool process makes for one article: three stage runs, one publish."""
    for stage in STAGES:
        started = time.perf_counter()
        if metrics is not None:
            metrics.stage_started(stage)
        if metrics is not None:
            metrics.stage_ended(stage, "done", time.perf_counter() - started)
        if metrics is not None:
            metrics.stage_left(stage)
    if metrics is not None:
        metrics.published_one("result")


def _multiprocess_dir() -> str:
    """A private PROMETHEUS_MULTIPROC_DIR for this process, set before prometheus_client is used."""
    from worker.metrics import MULTIPROC_ENV

    directory = tempfile.mkdtemp(prefix="newsflow-metrics-cost-")
    os.environ[MULTIPROC_ENV] = directory
    from prometheus_client import values

    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    return directory


def _pipeline(texts: list[str]) -> None:
    from schemas import RawArticle
    from worker.config import Settings
    from worker.pipeline import process_in_process

    settings = Settings()
    for text in texts:
        process_in_process(RawArticle(text=text), settings)


def inside(texts: list[str], events: int) -> None:
    """Under callgrind: warm up, then count each part between client requests."""
    directory = _multiprocess_dir()
    from worker.metrics import Metrics

    shim = ctypes.CDLL(os.environ[SHIM_ENV])
    metrics = Metrics()
    _pipeline(texts[:1])
    for _ in range(10):
        record_article(metrics)
        record_article(None)
    shim.part_start()
    _pipeline(texts[1:])
    shim.part_end(b"pipeline")
    shim.part_start()
    for _ in range(events):
        record_article(None)
    shim.part_end(b"off")
    shim.part_start()
    for _ in range(events):
        record_article(metrics)
    shim.part_end(b"recording")
    shutil.rmtree(directory, ignore_errors=True)


def counted(texts: list[str], events: int, data: Path) -> dict[str, int]:
    """Run ``inside`` under callgrind; the instructions of its parts."""
    with tempfile.TemporaryDirectory(prefix="newsflow-callgrind-") as folder:
        shim = build_shim(Path(folder))
        command = [
            *("valgrind", "--tool=callgrind", "--instr-atstart=no", "--dump-instr=no"),
            f"--callgrind-out-file={folder}/callgrind.out",
            *(sys.executable, "-m", "bench.metrics_cost", "--inside"),
            *("--articles", str(len(texts)), "--events", str(events), "--data", str(data)),
        ]
        env = {**os.environ, SHIM_ENV: str(shim), "PYTHONHASHSEED": "0"}
        subprocess.run(command, env=env, check=True, stderr=subprocess.DEVNULL)
        parts = read_totals(Path(folder))
    missing = {"pipeline", "off", "recording"} - set(parts)
    if missing:
        raise RuntimeError(f"callgrind dumped no count for {sorted(missing)}")
    return parts


def _per_call_us(call: str, namespace: dict[str, Any], number: int = 20_000) -> float:
    """The fastest of five timeit runs of ``call``, in µs per call."""
    return min(timeit.repeat(call, globals=namespace, number=number, repeat=5)) / number * 1e6


def timed(texts: list[str]) -> dict[str, float]:
    """The same calls with timeit, beside the pipeline's time per article and one scrape."""
    directory = _multiprocess_dir()
    from prometheus_client import CollectorRegistry, generate_latest

    from worker.metrics import LiveCollector, Metrics

    metrics = Metrics()
    namespace = {"metrics": metrics, "record_article": record_article}
    figures = {
        "stage_started_us": _per_call_us("metrics.stage_started('entities')", namespace),
        "stage_ended_us": _per_call_us("metrics.stage_ended('entities', 'done', 0.01)", namespace),
        "stage_left_us": _per_call_us("metrics.stage_left('entities')", namespace),
        "published_one_us": _per_call_us("metrics.published_one('result')", namespace),
        "article_recording_us": _per_call_us("record_article(metrics)", namespace, 5_000),
        "article_off_us": _per_call_us("record_article(None)", namespace, 5_000),
    }
    _pipeline(texts[:1])
    cpu, wall = time.process_time(), time.perf_counter()
    _pipeline(texts[1:])
    figures["pipeline_cpu_ms_per_article"] = (time.process_time() - cpu) / (len(texts) - 1) * 1000
    figures["pipeline_wall_ms_per_article"] = (time.perf_counter() - wall) / (len(texts) - 1) * 1000
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"]) as child:
        try:  # the files of a second pool process: a child of this one, still running
            for path in Path(directory).glob(f"*_{os.getpid()}.db"):
                shutil.copy(path, path.with_name(path.name.replace(str(os.getpid()), str(child.pid))))
            registry = CollectorRegistry()
            registry.register(LiveCollector(directory))
            scrapes = sorted(timeit.repeat(lambda: generate_latest(registry), number=1, repeat=50))
            assert len(list(Path(directory).glob(f"*_{child.pid}.db"))) == 3  # none reaped
        finally:
            child.kill()
    figures["scrape_ms"] = scrapes[len(scrapes) // 2] * 1000
    shutil.rmtree(directory, ignore_errors=True)
    return {name: round(value, 3) for name, value in figures.items()}


def main(argv: list[str] | None = None) -> int:
    """Count the parts under callgrind, time the calls natively, print both; write JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=12, help="articles, the first one a warm-up")
    parser.add_argument("--events", type=int, default=2000, help="article-loops of metric calls (K)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    texts = load_articles(args.data, args.articles)
    if args.inside:
        inside(texts, args.events)
        return 0
    started = time.monotonic()
    parts = counted(texts, args.events, args.data)
    pipeline = parts["pipeline"] / (len(texts) - 1)
    cost = (parts["recording"] - parts["off"]) / args.events
    native = timed(texts)
    native_cost = native["article_recording_us"] - native["article_off_us"]
    payload = {
        "articles": len(texts) - 1,
        "events": args.events,
        "instructions": parts,
        "pipeline_instructions_per_article": round(pipeline),
        "metrics_instructions_per_article": round(cost),
        "metrics_instruction_ratio": round((pipeline + cost) / pipeline, 6),
        "timed": native,
        "metrics_time_share": round(native_cost / (native["pipeline_cpu_ms_per_article"] * 1000), 6),
        "seconds": round(time.monotonic() - started, 1),
    }
    print(
        f"instructions per article: pipeline {pipeline:,.0f}, metrics {cost:,.0f}"
        f" -> ratio {payload['metrics_instruction_ratio']:.6f}"
        f" (+{(payload['metrics_instruction_ratio'] - 1) * 100:.4f}%;"
        f" {len(texts) - 1} articles, {args.events} metric loops, callgrind)"
    )
    print(
        "timeit, µs per call: "
        + ", ".join(f"{k.removesuffix('_us')} {native[k]:.2f}" for k in native if k.endswith("_us"))
    )
    print(
        f"per article: metrics {native_cost:.2f} µs against {native['pipeline_cpu_ms_per_article']:.1f} ms"
        f" of CPU in the stages ({payload['metrics_time_share'] * 100:.4f}%); one scrape of two"
        f" processes' files {native['scrape_ms']:.2f} ms (median of 50)"
    )
    print(json.dumps(parts))
    print(f"wrote {write_results('metrics_cost', payload)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
