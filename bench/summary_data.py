"""The summary benchmark's data: the data sets, and clean -> entities per article with a disk cache."""

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from schemas import RawArticle
from schemas.entities import AnalysedArticle
from worker.config import Settings
from worker.stages.clean import clean
from worker.stages.entities import analyse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_DATA = ROOT.parent / "shared" / "data"


@dataclass(frozen=True)
class DataSet:
    """One scored set: where it lives, how many sentences to pick, which field is the reference."""

    name: str
    path: str
    k: int
    reference_field: str


DATASETS = (
    DataSet("bbc_dev", "bbc/bbc_dev.jsonl", 5, "reference_spaced"),
    DataSet("realsumm100", "cnndm_realsumm/realsumm100.jsonl", 3, "reference"),
    DataSet("cnndm_cased", "cnndm_frank/cnndm_cased_dev.jsonl", 3, "reference"),
)


@dataclass(frozen=True)
class Item:
    """One article with its reference summary."""

    id: str
    article: str
    reference: str


def read_items(data_dir: Path, dataset: DataSet, limit: int | None = None) -> list[Item]:
    """The records of ``dataset`` as items (the raw article text goes to the clean stage as is)."""
    items: list[Item] = []
    with (data_dir / dataset.path).open(encoding="utf-8") as handle:
        for line in handle:
            if limit is not None and len(items) >= limit:
                break
            record = json.loads(line)
            items.append(Item(str(record["id"]), record["article"], record[dataset.reference_field]))
    return items


def _code_fingerprint() -> str:
    """A hash of the code an analysis depends on (clean and entities stages, model loading,
    contracts): a change there makes every cached analysis stale."""
    root = Path(__file__).resolve().parent.parent
    paths = sorted(
        [
            *(root / "worker" / "stages").rglob("*.py"),
            root / "worker" / "nlp.py",
            *(root / "schemas").glob("*.py"),
        ]
    )
    digest = hashlib.sha256()
    for path in paths:
        if "summary" not in path.parts:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_CODE = _code_fingerprint()


def _fingerprint(item: Item, model: str) -> str:
    return hashlib.sha256(f"{model}\0{_CODE}\0{item.id}\0{item.article}".encode()).hexdigest()


def _read_cache(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    cached: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            cached[record["key"]] = record["value"]
    return cached


def _write_cache(path: Path, entries: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for key, value in entries.items():
            handle.write(json.dumps({"key": key, "value": value}) + "\n")


def cached_map(
    items: list[Item], cache: Path, model: str, compute: Callable[[Item], str], *, refresh: bool = False
) -> tuple[list[str], int]:
    """``compute`` per item, reusing the entries of ``cache`` (JSON Lines) unless ``refresh``.

    Returns the values and how many came from the cache.
    """
    stored = _read_cache(cache)
    if refresh:
        stored = {}
    values: list[str] = []
    fresh: dict[str, str] = {}
    hits = 0
    for item in items:
        key = _fingerprint(item, model)
        if key in stored:
            hits += 1
            value = stored[key]
        else:
            value = compute(item)
        fresh[key] = value
        values.append(value)
    if hits < len(items):
        _write_cache(cache, {**stored, **fresh})
    return values, hits


def analyse_items(
    items: list[Item], nlp: Language, settings: Settings, cache: Path, *, refresh: bool = False
) -> tuple[list[AnalysedArticle], float]:
    """Run clean -> entities on every item (or reuse the cache); and the wall time in seconds."""

    def run(item: Item) -> str:
        raw = RawArticle(id=item.id, text=item.article)
        return analyse(clean(raw, settings), nlp, chunk_chars=settings.ner_chunk_chars).model_dump_json()

    started = time.perf_counter()
    documents, _ = cached_map(items, cache, settings.spacy_model, run, refresh=refresh)
    articles = [AnalysedArticle.model_validate_json(document) for document in documents]
    return articles, time.perf_counter() - started
