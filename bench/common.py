"""What the benchmarks share: the data folder, article loading, process memory, result files."""

import json
import os
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "results"


HALVES = ("A", "B")  # A: even positions of the sorted ids (tuning), B: odd positions (checking)


def half_of(ids: list[str]) -> dict[str, str]:
    """Each id's half: the sorted ids' even positions are "A", the odd ones "B"."""
    return {id_: HALVES[position % 2] for position, id_ in enumerate(sorted(ids))}


def per_half(ids: list[str], same: list[bool]) -> tuple[dict[str, int], dict[str, int]]:
    """Documents per half, and those of them read the same two ways (``same`` in ``ids``' order)."""
    halves = half_of(ids)
    documents = {half: sum(halves[i] == half for i in ids) for half in HALVES}
    pairs = list(zip(ids, same, strict=True))
    identical = {half: sum(ok for i, ok in pairs if halves[i] == half) for half in HALVES}
    return documents, identical


def identical_cells(documents: dict[str, int], identical: dict[str, int]) -> str:
    """ "identical/documents" for each half, right-aligned for a printed table."""
    return " ".join(f"{f'{identical[h]}/{documents[h]}':>13s}" for h in HALVES)


def load_articles(data: Path, limit: int | None = None) -> list[str]:
    """The seed article, then BBC dev article bodies (headline line included, as scrapers give them)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    with (data / "bbc" / "bbc_dev.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if limit is not None and len(texts) >= limit:
                break
            texts.append(json.loads(line)["article"])
    return texts[:limit] if limit is not None else texts


def tree_rss_mb(pid: int) -> tuple[float, list[float]]:
    """RSS of a process and its children: the sum, and each pool child's alone (MB)."""
    try:
        parent = psutil.Process(pid)
        children = parent.children(recursive=True)
        each = [child.memory_info().rss / 2**20 for child in children]
        return parent.memory_info().rss / 2**20 + sum(each), each
    except psutil.NoSuchProcess:
        return 0.0, []


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` as bench/results/<name>.json; returns the path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def cpu_count() -> int:
    """Cores this process may use."""
    return len(os.sched_getaffinity(0))
