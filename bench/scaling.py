"""How the stages' time grows with an article's length, on bodies built to stress each rule.

    python -m bench.scaling [--sizes 250 500 1000 2000] [--shapes NAME ...]

Each shape is a plain-text body of N units; it goes through the stages in this process (clean,
entities, summarise, as ``newsflow process`` runs them), and the CPU seconds are printed per size
with the growth per doubling of N: 2 is linear, 4 quadratic, 8 cubic; then, in a pass of its own
at the largest N, the most memory the stages held at once (``tracemalloc``). The shapes:

- ``paragraphs``: N short news paragraphs, each naming people and places (the ordinary case);
- ``pronoun quotes``: one paragraph of N sentences naming two people, each with a quotation
  ending "…,” he said" (the pronoun rule looks back through the paragraph for the people named);
- ``quotes, 1 sentence``: one sentence of N clauses "Anna Berg told Tom Hale “…” and" (the
  rules that look for a speaker anywhere in the quotation's sentence);
- ``quoted as saying``: one sentence of N clauses "RIA quoted Anna Berg as saying “…”";
- ``one sentence``: N clauses naming people, joined by commas with no full stop;
- ``symbol run``: a run of 10 N opening brackets between two sentences (junk a page may hold).

A page sent as plain text, a transcript or a live blog can hold thousands of such units. The
bodies are generated here, from fixed name lists. Results go to bench/results/scaling.json.
"""

import argparse
import time
import tracemalloc
from collections.abc import Callable
from itertools import pairwise

from bench.common import write_results
from schemas import RawArticle
from worker.config import Settings
from worker.pipeline import process_in_process

PEOPLE = ("Anna Berg", "Tom Hale", "Ruth Okafor", "Sam Ortiz", "Maya Patel", "Owen Clarke")
PLACES = ("Leeds", "Cardiff", "Glasgow", "Norwich", "Bristol", "Exeter")


def _paragraphs(n: int) -> str:
    return "\n\n".join(
        f"{PEOPLE[i % 6]} said on Monday that the council in {PLACES[i % 5]} would spend {i + 2} million"
        f" pounds on roads. {PEOPLE[(i + 1) % 6]} disagreed with the plan."
        for i in range(n)
    )


def _pronoun_quotes(n: int) -> str:
    return " ".join(
        f"{PEOPLE[i % 6]} met {PEOPLE[(i + 1) % 6]} in {PLACES[i % 6]}."
        f" “We will meet again on day {i},” he said."
        for i in range(n)
    )


def _quotes_in_one_sentence(n: int) -> str:
    return (
        " and ".join(
            f"{PEOPLE[i % 6]} told {PEOPLE[(i + 1) % 6]} “talks went well on day {i}”" for i in range(n)
        )
        + "."
    )


def _quoted_as_saying(n: int) -> str:
    return (
        "Reports from the capital, "
        + ", ".join(f"RIA quoted {PEOPLE[i % 6]} as saying “talks went well on day {i}”" for i in range(n))
        + "."
    )


def _one_sentence(n: int) -> str:
    return ", ".join(f"{PEOPLE[i % 6]} met officials in {PLACES[i % 6]} on day {i}" for i in range(n)) + "."


def _symbol_run(n: int) -> str:
    return f"Anna Berg met officials in Leeds. {'(' * (10 * n)} Tom Hale left on Monday."


SHAPES: dict[str, Callable[[int], str]] = {
    "paragraphs": _paragraphs,
    "pronoun quotes": _pronoun_quotes,
    "quotes, 1 sentence": _quotes_in_one_sentence,
    "quoted as saying": _quoted_as_saying,
    "one sentence": _one_sentence,
    "symbol run": _symbol_run,
}


def seconds(text: str, settings: Settings) -> float:
    """CPU seconds of the stages on ``text``."""
    started = time.process_time()
    process_in_process(RawArticle(text=text), settings)
    return time.process_time() - started


def peak_mb(text: str, settings: Settings) -> float:
    """The most memory the stages held at once on ``text``, MB, as ``tracemalloc`` traces it
    (Python's and numpy's allocations: the model's activations among them); a pass of its own,
    since tracing slows the code it traces."""
    tracemalloc.start()
    try:
        process_in_process(RawArticle(text=text), settings)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> None:
    """Time every shape at every size; print seconds and the growth per doubling."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 2000])
    parser.add_argument("--shapes", nargs="+", choices=list(SHAPES), default=list(SHAPES))
    args = parser.parse_args(argv)
    settings = Settings()
    seconds(_paragraphs(3), settings)  # loads the model
    results: dict[str, dict[str, float]] = {}
    peaks: dict[str, float] = {}
    for name in args.shapes:
        shape = SHAPES[name]
        row = {str(size): round(seconds(shape(size), settings), 3) for size in args.sizes}
        results[name] = row
        largest = shape(args.sizes[-1])
        peaks[name] = round(peak_mb(largest, settings), 1)
        times = list(row.values())
        growth = [later / earlier for earlier, later in pairwise(times) if earlier > 0]
        chars = len(largest)
        print(
            f"{name:<19} "
            + "  ".join(f"N={size}: {row[str(size)]:.3f} s" for size in args.sizes)
            + f"   growth per doubling {' '.join(f'{g:.2f}' for g in growth)}"
            + f"   ({chars:,} characters at the largest, {peaks[name]:.1f} MB at most)"
        )
    path = write_results("scaling", {"sizes": args.sizes, "cpu_seconds": results, "peak_traced_mb": peaks})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
