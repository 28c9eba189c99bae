"""Language detection: verdicts and time by the length of the evidence sample.

    python -m bench.language [--samples 3000 1000 500]

Runs the clean stage's detector on every article text of the benchmark data (extraction
ground truth, BBC dev, CNN/DM) with each sample length, and reports per length the time per
text, the verdicts by language, and the texts whose verdict differs from the longest sample's.
Results go to bench/results/language.json.
"""

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from bench.common import DEFAULT_DATA, write_results
from worker.stages.clean.language import FIRST_PASS_CHARS, SAMPLE_CHARS, detect


def texts(data: Path) -> list[str]:
    """Every article text of the extraction, BBC and CNN/DM data sets."""
    truth = json.loads((data / "extraction" / "ground-truth.json").read_text(encoding="utf-8"))
    found = [str(page["articleBody"]) for page in truth.values() if page.get("articleBody")]
    for name, key in (("bbc/bbc_dev.jsonl", "article"), ("cnndm_realsumm/realsumm100.jsonl", "article")):
        with (data / name).open(encoding="utf-8") as lines:
            found += [str(row[key]) for row in map(json.loads, lines) if row.get(key)]
    return found


def main(argv: list[str] | None = None) -> int:
    """Detect every text with each sample length; print and write the comparison."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--samples", type=int, nargs="+", default=[3000, 1000, SAMPLE_CHARS])
    args = parser.parse_args(argv)
    corpus = texts(args.data)
    detect("Loading the language models before the first text is timed.")
    report: dict[str, object] = {"texts": len(corpus)}
    # (name, sample, first pass): each fixed sample in one pass, then the stage's two passes
    runs: list[tuple[str, int, int | None]] = [(f"{size} chars", size, None) for size in args.samples]
    runs.append(
        (f"{FIRST_PASS_CHARS} first, then {SAMPLE_CHARS} (the stage's)", SAMPLE_CHARS, FIRST_PASS_CHARS)
    )
    reference: list[str] = []
    for name, size, first_pass in runs:
        started = time.perf_counter()
        found = [detect(text, size, first_pass_chars=first_pass).language for text in corpus]
        ms = (time.perf_counter() - started) / len(corpus) * 1000
        reference = reference or found
        differ = [i for i, (a, b) in enumerate(zip(reference, found, strict=True)) if a != b]
        report[name] = {
            "ms_per_text": round(ms, 2),
            "languages": dict(Counter(found).most_common()),
            "differ_from_first": [(i, reference[i], found[i]) for i in differ],
        }
        print(
            f"{name:<36} {ms:5.2f} ms/text  {len(differ)} verdicts differ from {args.samples[0]} chars: "
            f"{[(reference[i], found[i]) for i in differ]}"
        )
    print(f"wrote {write_results('language', report)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
