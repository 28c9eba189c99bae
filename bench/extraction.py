"""Article-body extraction benchmark: the clean stage against plain trafilatura, same pages, same run.

    python -m bench.extraction [--data DIR] [--sets NAME ...] [--limit N] [--out FILE]

For each set (default: ``extraction`` and ``extraction_l3s`` under ``DIR``, those present) reads
``ground-truth.json`` and ``html/<id>.html.gz`` and scores each system's body text with the
benchmark's shingle metric (``bench.shingle_score``). Pages are sorted by id and split in two
halves, even positions (A) and odd positions (B): tune on A, keep what helps B too. Besides the
figures it prints seconds per page, the stage's time against trafilatura's, the stage's
rejections by reason, and the pages the stage loses (F1 < 0.5) where trafilatura holds them
(F1 > 0.8).
"""

import argparse
import gzip
import json
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import trafilatura
from lingua import Language

from bench.shingle_score import PageCounts, aggregate, page_counts
from schemas.article import RawArticle
from worker.config import Settings
from worker.errors import InvalidArticle
from worker.stages.clean import clean

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "results" / "extraction.json"
SETS = ("extraction", "extraction_l3s")
STAGE = "newsflow clean stage"
BASELINE = "trafilatura (defaults)"
LOST_BELOW, HELD_ABOVE = 0.5, 0.8

# Published F1 on the full 181-page set of ``extraction`` (not measured here; context only).
PUBLISHED = {
    "rs_trafilatura": 0.970,
    "AutoExtract (commercial)": 0.970,
    "trafilatura 2.0": 0.958,
    "newspaper4k": 0.949,
    "readability.js": 0.947,
}


@dataclass(frozen=True)
class Page:
    """One benchmark page: its id, url, raw HTML and expected article body."""

    key: str
    url: str
    html: str
    truth: str


Extractor = Callable[[Page], str]


def load_pages(folder: Path, limit: int | None = None) -> list[Page]:
    """The pages of one set that have ground truth, in id order."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        with gzip.open(folder / "html" / f"{key}.html.gz", "rt", encoding="utf-8", errors="replace") as fh:
            html = fh.read()
        pages.append(Page(key, truth[key].get("url", ""), html, truth[key].get("articleBody", "")))
    return pages


def trafilatura_default(page: Page) -> str:
    """Plain trafilatura with its default settings."""
    return trafilatura.extract(page.html, url=page.url) or ""


def trafilatura_precision(page: Page) -> str:
    """trafilatura with ``favor_precision=True``."""
    return trafilatura.extract(page.html, url=page.url, favor_precision=True) or ""


def clean_stage(settings: Settings, rejected: Counter[str] | None = None) -> Extractor:
    """The project's clean stage on the page's HTML; an empty body (its reason counted) when it rejects."""

    def run(page: Page) -> str:
        try:
            return clean(RawArticle(html=page.html, url=page.url or None), settings).text
        except InvalidArticle as exc:
            if rejected is not None:
                rejected[exc.reason.value] += 1
            return ""

    return run


def any_language_settings() -> Settings:
    """Settings accepting every language lingua knows: the benchmark is multilingual."""
    codes = tuple(sorted(lang.iso_code_639_1.name.lower() for lang in Language.all()))
    return Settings(languages=codes)


def score(pages: list[Page], systems: dict[str, Extractor]) -> dict[str, tuple[list[PageCounts], float]]:
    """Each system's per-page counts and seconds, the systems taking turns page by page.

    Interleaving makes the time ratios fair on a shared machine: a burst of load elsewhere
    slows every system alike.
    """
    counts: dict[str, list[PageCounts]] = {name: [] for name in systems}
    seconds = dict.fromkeys(systems, 0.0)
    for page in pages:
        for name, extractor in systems.items():
            started = time.perf_counter()
            text = extractor(page)
            seconds[name] += time.perf_counter() - started
            counts[name].append(page_counts(page.truth, text))
    return {name: (counts[name], seconds[name]) for name in systems}


def page_f1(counts: PageCounts) -> float:
    """F1 of one page (1.0 when truth and prediction are both empty)."""
    if counts.fp == counts.fn == 0:
        return 1.0
    return 2 * counts.tp / (2 * counts.tp + counts.fp + counts.fn)


def halves(counts: list[PageCounts]) -> tuple[float, float]:
    """F1 over the even positions (half A) and the odd positions (half B) of id-sorted pages."""
    return aggregate(counts[0::2]).f1, aggregate(counts[1::2]).f1


def run_set(name: str, pages: list[Page]) -> dict[str, object]:
    """Every system on one set's pages: printed table, and the figures as a JSON-ready dict."""
    rejected: Counter[str] = Counter()
    systems: dict[str, Extractor] = {
        BASELINE: trafilatura_default,
        "trafilatura (favor_precision)": trafilatura_precision,
        STAGE: clean_stage(any_language_settings(), rejected),
    }
    per_page = 1 / max(1, len(pages))
    print(f"\n== {name}: {len(pages)} pages (half A {len(pages[0::2])}, half B {len(pages[1::2])})")
    print(f"{'system':<31} {'precision':>9} {'recall':>7} {'F1':>7} {'F1 A':>7} {'F1 B':>7} {'s/page':>7}")
    results: dict[str, dict[str, object]] = {}
    counts_of: dict[str, list[PageCounts]] = {}
    for extractor in systems.values():  # once untimed (imports, lazy models): a warm worker's seconds
        if pages:
            extractor(pages[0])
    rejected.clear()
    measured = score(pages, systems)
    for system, (counts, seconds) in measured.items():
        scores = aggregate(counts)
        first, second = halves(counts)
        counts_of[system] = counts
        results[system] = {
            **asdict(scores),
            "f1_halves": [round(first, 4), round(second, 4)],
            "seconds": round(seconds, 2),
            "seconds_per_page": round(seconds * per_page, 4),
            "pages_detail": {p.key: asdict(c) for p, c in zip(pages, counts, strict=True)},
        }
        print(
            f"{system:<31} {scores.precision:>9.4f} {scores.recall:>7.4f} {scores.f1:>7.4f}"
            f" {first:>7.4f} {second:>7.4f} {seconds * per_page:>7.3f}"
        )
    base_seconds = float(str(results[BASELINE]["seconds"])) or 1e-9
    ratio = float(str(results[STAGE]["seconds"])) / base_seconds
    lost = [
        page.key
        for page, mine, theirs in zip(pages, counts_of[STAGE], counts_of[BASELINE], strict=True)
        if page_f1(mine) < LOST_BELOW and page_f1(theirs) > HELD_ABOVE
    ]
    print(f"stage time / trafilatura (defaults) time: {ratio:.2f}x")
    print(f"stage rejections: {dict(rejected) or 'none'}")
    print(f"pages below F1 {LOST_BELOW} where trafilatura is above {HELD_ABOVE}: {len(lost)} {lost}")
    return {
        "pages": len(pages),
        "systems": results,
        "time_ratio": round(ratio, 3),
        "rejected": dict(rejected),
        "lost_pages": lost,
    }


def main(argv: list[str] | None = None) -> None:
    """Run every system on the same pages of each set, print the tables, write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", nargs="+", default=list(SETS), help="set folders under --data")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (by id)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    present = [name for name in args.sets if (args.data / name / "ground-truth.json").exists()]
    if not present:
        parser.error(f"none of {args.sets} under {args.data}")
    report = {name: run_set(name, load_pages(args.data / name, args.limit)) for name in present}
    print("\npublished F1 on the full 181-page extraction set (not measured here):")
    for name, f1 in PUBLISHED.items():
        print(f"  {name:<30} {f1:.3f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"sets": report, "published": PUBLISHED}, indent=2))
    print(f"results written to {args.out}")


if __name__ == "__main__":
    main()
