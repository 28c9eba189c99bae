"""The entities stage's pipeline with its matrices multiplied by BLIS and by numpy's BLAS.

    python -m bench.matmul [--data DIR] [--limit N] [--rounds R]

On the texts of ``bench.ner_decode`` (each summary dev set's articles after the clean stage, the
CoNLL-2003 test documents, the French sample), for each model of ``Settings().spacy_models``:
the pipeline ``load_nlp`` builds (sentences, NER) parses every text once with each library, one
document per call as the stage does. Printed per set and half (sorted ids, even and odd
positions): the documents parsed identically by both (sentence starts, entity spans, labels and
every token's IOB tag) and each library's CPU time per document, the fastest of ``--rounds``
alternating rounds. Then, per model, the articles per second of ``nlp.pipe`` on every core
with each library over all the texts (wall clock, alternating rounds, the best kept), and what
``matmul="auto"`` chose on this CPU. Results go to bench/results/matmul.json.
"""

import time
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from bench.common import cpu_count, per_half, write_results
from bench.ner_decode import texts_by_set
from bench.side_by_side import HEADER, SideBySide, arguments, differing
from worker.config import Matmul, Settings
from worker.matmul import library_of
from worker.nlp import load_nlp

LIBRARIES: tuple[Matmul, ...] = ("blis", "numpy")


@dataclass
class Row(SideBySide):
    """One model on one set: documents and identical ones per half, CPU ms per document."""

    blis_ms: float
    numpy_ms: float

    @property
    def speed_up(self) -> float:
        return self.blis_ms / self.numpy_ms if self.numpy_ms else 0.0


def _parse(nlp: Language, texts: list[str]) -> tuple[float, list[Doc]]:
    started = time.process_time()
    docs = [nlp(text) for text in texts]
    return time.process_time() - started, docs


def _reading(doc: Doc) -> tuple[list[int], list[tuple[int, int, str]], list[int]]:
    return (
        [sentence.start for sentence in doc.sents],
        [(e.start, e.end, e.label_) for e in doc.ents],
        [token.ent_iob for token in doc],
    )


def compare(model: str, name: str, texts: dict[str, str], rounds: int) -> Row:
    """``model``'s pipeline on ``texts`` with each library."""
    ids = sorted(texts)
    ordered = [texts[i] for i in ids]
    best = dict.fromkeys(LIBRARIES, float("inf"))
    readings: dict[str, list[object]] = {}
    for _ in range(rounds):
        for library in LIBRARIES:
            seconds, docs = _parse(load_nlp(model, matmul=library), ordered)
            best[library] = min(best[library], seconds)
            readings[library] = [_reading(doc) for doc in docs]
    same = [a == b for a, b in zip(readings["blis"], readings["numpy"], strict=True)]
    documents, identical = per_half(ids, same)
    return Row(
        model,
        name,
        documents,
        identical,
        round(best["blis"] * 1000 / len(ids), 3),
        round(best["numpy"] * 1000 / len(ids), 3),
    )


def all_cores(model: str, texts: list[str], rounds: int) -> dict[str, float]:
    """Articles per second of ``nlp.pipe`` on every core, per library (the best round)."""
    best = dict.fromkeys(LIBRARIES, 0.0)
    for _ in range(rounds):
        for library in LIBRARIES:
            nlp = load_nlp(model, matmul=library)
            started = time.perf_counter()
            for _doc in nlp.pipe(texts, n_process=cpu_count(), batch_size=16):
                pass
            best[library] = max(best[library], len(texts) / (time.perf_counter() - started))
    return {library: round(rate, 2) for library, rate in best.items()}


def auto_choice(model: str) -> str:
    """What ``matmul="auto"`` chose for ``model`` on this CPU."""
    return library_of(load_nlp(model, matmul="auto"))


def main(argv: list[str] | None = None) -> None:
    args = arguments(__doc__, argv)
    sets = texts_by_set(args.data, args.limit)
    rows: list[Row] = []
    parallel: dict[str, dict[str, float]] = {}
    chosen: dict[str, str] = {}
    print(f"{HEADER} {'BLIS ms':>9s} {'numpy ms':>9s} {'speed-up':>8s}")
    for model in dict.fromkeys(Settings().spacy_models.values()):
        for name, texts in sets.items():
            row = compare(model, name, texts, args.rounds)
            rows.append(row)
            print(f"{row.cells()} {row.blis_ms:9.2f} {row.numpy_ms:9.2f} {row.speed_up:7.2f}x")
        everything = [text for texts in sets.values() for text in texts.values()]
        parallel[model] = all_cores(model, everything, args.rounds)
        chosen[model] = auto_choice(model)
        rates = parallel[model]
        print(
            f"{model}: {len(everything)} texts on {cpu_count()} cores: BLIS {rates['blis']:.2f},"
            f" numpy {rates['numpy']:.2f} articles/s ({rates['numpy'] / rates['blis']:.2f}x);"
            f" auto chose {chosen[model]}"
        )
    print(f"documents parsed differently: {differing(rows)}")
    payload = {
        "rows": [row.record() for row in rows],
        "all_cores_articles_per_s": parallel,
        "auto": chosen,
    }
    print(f"wrote {write_results('matmul', payload)}")


if __name__ == "__main__":
    main()
