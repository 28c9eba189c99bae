"""Where an article's time goes in-process, beside the model's own parse of the same text.

    python -m bench.profile [--articles N] [--rounds R] [--top T]

The seed and BBC dev articles go through the stages one at a time in this process, as a fused
worker runs them (clean, entities, summarise, the published document's JSON), and every part is
timed per article: the clean stage, the spaCy parse the entities stage runs (the same components,
one article per call, in a memory zone, just before the stage parses it), the rest of the entities
stage (mention clean-up, canonical merging, salience, quotes), the summary and the JSON.
``--rounds`` passes are made; the fastest in all counts. One more pass counts the model's matrix
products (multiply-adds and time) beside one large product's rate on this core, and one more
under cProfile lists the functions of newsflow's own code (``worker/``, ``schemas/``) with the
most time of their own, and the largest outside it. Results go to bench/results/profile.json.
"""

import argparse
import cProfile
import pstats
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language

from bench.common import DEFAULT_DATA, load_articles, write_results
from schemas import RawArticle
from schemas.article import CleanArticle
from worker.config import Settings
from worker.matmul import NumpyBlasOps
from worker.nlp import load_nlp
from worker.stages.clean import clean
from worker.stages.entities import analyse_in_language
from worker.stages.summary import summarise

PARTS = ("clean", "parse", "entities rest", "summarise", "json")


def _parse_ms(nlp: Language, article: CleanArticle) -> float:
    """The entities stage's model alone on the body, one call, in a memory zone."""
    started = time.perf_counter()
    with nlp.memory_zone():
        nlp(article.text)
    return (time.perf_counter() - started) * 1000


def one_round(settings: Settings, nlp: Language, texts: list[str]) -> dict[str, float]:
    """Milliseconds per article for every part, averaged over ``texts``.

    Each article is parsed alone right before the entities stage parses it again, so "entities
    rest" (the stage less that parse) compares two parses of the same text under the same load.
    """
    totals = dict.fromkeys(PARTS, 0.0)
    for text in texts:
        started = time.perf_counter()
        article = clean(RawArticle(text=text), settings)
        totals["clean"] += (time.perf_counter() - started) * 1000
        parse = _parse_ms(nlp, article)
        started = time.perf_counter()
        analysed = analyse_in_language(article, nlp, chunk_chars=settings.ner_chunk_chars)
        middle = time.perf_counter()
        result = summarise(analysed, settings.summary_sentences)
        after = time.perf_counter()
        result.model_dump_json()
        ended = time.perf_counter()
        totals["parse"] += parse
        totals["entities rest"] += (middle - started) * 1000 - parse
        totals["summarise"] += (after - middle) * 1000
        totals["json"] += (ended - after) * 1000
    return {part: total / len(texts) for part, total in totals.items()}


def _own(path: str) -> bool:
    return "/worker/" in path or "/schemas/" in path


def hot_functions(
    settings: Settings, nlp: Language, texts: list[str], top: int
) -> dict[str, list[dict[str, float | str]]]:
    """cProfile of one pass: newsflow's own functions and the others, by time of their own."""
    profiler = cProfile.Profile()
    profiler.enable()
    for text in texts:
        cleaned = clean(RawArticle(text=text), settings)
        summarise(
            analyse_in_language(cleaned, nlp, chunk_chars=settings.ner_chunk_chars),
            settings.summary_sentences,
        ).model_dump_json()
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows: list[tuple[float, float, int, str, bool]] = []
    for (path, line, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{path.split('/site-packages/')[-1]}:{line} {name}"
        rows.append((own, cumulative, calls, where, _own(path)))
    rows.sort(reverse=True)
    per_article = 1000 / len(texts)

    def listed(mine: bool) -> list[dict[str, float | str]]:
        listing: list[dict[str, float | str]] = []
        for own, cumulative, _, where, is_own in rows:
            if is_own is mine and len(listing) < top:
                own_ms, cumulative_ms = round(own * per_article, 3), round(cumulative * per_article, 3)
                listing.append({"function": where, "own_ms": own_ms, "cumulative_ms": cumulative_ms})
        return listing

    return {"newsflow": listed(True), "other": listed(False)}


_CEILING_SIZE = 1024  # a square float32 product large enough to run at the core's full speed


def matrix_products(nlp: Language, texts: list[str]) -> dict[str, float]:
    """The model's matrix products through numpy's BLAS (``worker/matmul.py``) over one pass, one
    article per call: multiply-adds per article, their time and rate; and the rate of one large
    product on this core (best of 5, one thread), the most its products could reach. Empty when
    the model multiplies with BLIS here."""
    counted = {"multiply_adds": 0.0, "seconds": 0.0}
    original: Callable[..., Any] = NumpyBlasOps.gemm

    def counting(
        self: NumpyBlasOps, x: Any, y: Any, out: Any = None, *, trans1: bool = False, trans2: bool = False
    ) -> Any:
        rows, inner = (x.shape[1], x.shape[0]) if trans1 else x.shape
        columns = y.shape[0] if trans2 else y.shape[1]
        started = time.perf_counter()
        product = original(self, x, y, out=out, trans1=trans1, trans2=trans2)
        counted["seconds"] += time.perf_counter() - started
        counted["multiply_adds"] += rows * inner * columns
        return product

    NumpyBlasOps.gemm = counting  # type: ignore[method-assign, assignment]
    try:
        for text in texts:
            with nlp.memory_zone():
                nlp(text)
    finally:
        NumpyBlasOps.gemm = original  # type: ignore[method-assign]
    if not counted["seconds"]:
        return {}
    square = np.random.default_rng(0).random((_CEILING_SIZE, _CEILING_SIZE), dtype=np.float32)
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        np.matmul(square, square)
        best = min(best, time.perf_counter() - started)
    rate = 2 * counted["multiply_adds"] / counted["seconds"] / 1e9
    ceiling = 2 * _CEILING_SIZE**3 / best / 1e9
    return {
        "million_multiply_adds_per_article": round(counted["multiply_adds"] / len(texts) / 1e6, 2),
        "ms_per_article": round(counted["seconds"] * 1000 / len(texts), 3),
        "gflop_per_s": round(rate, 1),
        "large_product_gflop_per_s": round(ceiling, 1),
        "share_of_large_product_rate": round(rate / ceiling, 3),
    }


def main(argv: list[str] | None = None) -> None:
    """Time every part in alternating rounds, profile one pass, print and write the results."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--top", type=int, default=15, help="functions listed per group")
    args = parser.parse_args(argv)
    settings = Settings()
    texts = load_articles(args.data, args.articles)
    nlp = load_nlp(settings.spacy_model)
    one_round(settings, nlp, texts[:5])  # warm: lingua, the summary scorer, first-call caches
    rounds = [one_round(settings, nlp, texts) for _ in range(args.rounds)]
    best = min(rounds, key=lambda r: sum(r.values()))
    total = sum(best.values())
    print(f"{len(texts)} articles, the fastest of {args.rounds} rounds, ms per article:")
    for part in PARTS:
        print(f"  {part:<14} {best[part]:8.2f}  {best[part] / total:6.1%}")
    print(
        f"  {'all':<14} {total:8.2f}   newsflow's own share (all but parse): {1 - best['parse'] / total:.1%}"
    )
    products = matrix_products(nlp, texts)
    if products:
        print(
            f"\nthe model's matrix products: {products['million_multiply_adds_per_article']:.1f} million"
            f" multiply-adds per article in {products['ms_per_article']:.2f} ms,"
            f" {products['gflop_per_s']:.1f} GFLOP/s; one {_CEILING_SIZE} x {_CEILING_SIZE} product on"
            f" this core {products['large_product_gflop_per_s']:.1f} GFLOP/s"
            f" ({products['share_of_large_product_rate']:.0%})"
        )
    hot = hot_functions(settings, nlp, texts, args.top)
    for group, rows in hot.items():
        print(f"\n{group}: own ms per article (cumulative), under cProfile")
        for row in rows:
            print(f"  {row['own_ms']:7.3f} ({row['cumulative_ms']:7.3f})  {row['function']}")
    path = write_results(
        "profile",
        {
            "articles": len(texts),
            "rounds": [{p: round(v, 3) for p, v in r.items()} for r in rounds],
            "best_ms_per_article": {p: round(v, 3) for p, v in best.items()},
            "own_share": round(1 - best["parse"] / total, 4),
            "matrix_products": products,
            "hot": hot,
            "command": "python -m bench.profile",
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
