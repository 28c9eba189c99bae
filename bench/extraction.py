"""Article-body extraction benchmark: the clean stage against plain trafilatura, same pages, same run.

    python -m bench.extraction [--data DIR] [--limit N]

Reads ``DIR/extraction/ground-truth.json`` and ``DIR/extraction/html/<id>.html.gz`` and scores
each system's body text with the benchmark's shingle metric (``bench.shingle_score``).
"""

import argparse
import gzip
import json
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import trafilatura
from lingua import Language

from bench.shingle_score import PageCounts, Scores, aggregate, page_counts
from schemas.article import RawArticle
from worker.config import Settings
from worker.errors import InvalidArticle
from worker.stages.clean import clean

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "results" / "extraction.json"

# Published F1 on the full 181-page set (not measured here; context only).
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


def load_pages(data: Path, limit: int | None = None) -> list[Page]:
    """The benchmark pages with ground truth, in id order."""
    folder = data / "extraction"
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
    """trafilatura with ``favor_precision=True`` (the stage's first pass, without its post-filters)."""
    return trafilatura.extract(page.html, url=page.url, favor_precision=True) or ""


def clean_stage(settings: Settings) -> Extractor:
    """The project's clean stage on the page's HTML; an empty body when it rejects the page."""

    def run(page: Page) -> str:
        try:
            return clean(RawArticle(html=page.html, url=page.url or None), settings).text
        except InvalidArticle:
            return ""

    return run


def any_language_settings() -> Settings:
    """Settings accepting every language lingua knows: the benchmark is multilingual."""
    codes = tuple(sorted(lang.iso_code_639_1.name.lower() for lang in Language.all()))
    return Settings(languages=codes)


def score(pages: list[Page], extractor: Extractor) -> tuple[Scores, list[PageCounts], float]:
    """Scores of one system over the pages, per-page counts and the seconds it took."""
    started = time.perf_counter()
    counts = [page_counts(page.truth, extractor(page)) for page in pages]
    return aggregate(counts), counts, time.perf_counter() - started


def _print_halves(pages: list[Page], results: dict[str, dict[str, object]]) -> None:
    """F1 of each system on the two halves of the pages (by id): a gain should hold on both."""
    half = len(pages) // 2
    print(f"{'F1 by half (pages sorted by id)':<32} {'first':>9} {'second':>7}")
    for name, result in results.items():
        detail = result["pages_detail"]
        assert isinstance(detail, dict)
        counts = [PageCounts(**detail[page.key]) for page in pages]
        first, second = aggregate(counts[:half]).f1, aggregate(counts[half:]).f1
        result["f1_halves"] = [round(first, 4), round(second, 4)]
        print(f"{name:<32} {first:>9.4f} {second:>7.4f}")


def main(argv: list[str] | None = None) -> None:
    """Run every system on the same pages, print the table, write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (by id)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    pages = load_pages(args.data, args.limit)
    systems: dict[str, Extractor] = {
        "trafilatura (defaults)": trafilatura_default,
        "trafilatura (favor_precision)": trafilatura_precision,
        "newsflow clean stage": clean_stage(any_language_settings()),
    }
    results: dict[str, dict[str, object]] = {}
    print(f"extraction benchmark: {len(pages)} pages from {args.data / 'extraction'}")
    print(f"{'system':<32} {'precision':>9} {'recall':>7} {'F1':>7} {'seconds':>8}")
    for name, extractor in systems.items():
        scores, counts, seconds = score(pages, extractor)
        results[name] = {
            **asdict(scores),
            "seconds": round(seconds, 2),
            "pages_detail": {p.key: asdict(c) for p, c in zip(pages, counts, strict=True)},
        }
        print(f"{name:<32} {scores.precision:>9.4f} {scores.recall:>7.4f} {scores.f1:>7.4f} {seconds:>8.1f}")
    _print_halves(pages, results)
    print("published F1 on the full 181-page set (not measured here):")
    for name, f1 in PUBLISHED.items():
        print(f"  {name:<30} {f1:.3f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"pages": len(pages), "systems": results, "published": PUBLISHED}, indent=2)
    )
    print(f"results written to {args.out}")


if __name__ == "__main__":
    main()
