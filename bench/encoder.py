"""The token encoders two ways side by side: thinc's layer by layer and newsflow's fused function.

    python -m bench.encoder [--data DIR] [--limit N] [--rounds R]

On what the entities stage parses (each summary dev set's articles after the clean stage), the
CoNLL-2003 test documents and the French sample, for each model of ``Settings().spacy_models``:
the pipeline as the stage loads it, once with its encoders run by thinc (``encoder="thinc"``)
and once fused (``worker/encoder.py``). Printed per set and half (sorted ids, even and odd
positions): the documents read identically (every encoder's vectors bit for bit, the sentence
starts, the entities), and the whole parse's CPU time per document each way, one document per
call in a memory zone as the stage parses, the fastest of ``--rounds`` alternating rounds.
Results go to bench/results/encoder.json.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from bench.common import per_half, write_results
from bench.ner_decode import texts_by_set
from bench.side_by_side import HEADER, SideBySide, arguments, differing, every_model_and_set
from worker.encoder import Encoder, encoders
from worker.nlp import load_nlp


@dataclass
class Row(SideBySide):
    """One model on one set: documents and identical ones per half, CPU ms per document."""

    thinc_ms: float
    fused_ms: float

    @property
    def speed_up(self) -> float:
        return self.thinc_ms / self.fused_ms if self.fused_ms else 0.0


def _reading(doc: Doc) -> tuple[list[tuple[int, int, str]], list[int]]:
    return [(e.start, e.end, e.label_) for e in doc.ents], [s.start for s in doc.sents]


def _same_vectors(found: list[Encoder], doc: Doc) -> bool:
    """Whether each encoder (of the pipeline run by thinc) gives the same vectors fused as through
    thinc's layers."""
    for encoder in found:
        if not encoder.takes([doc]):
            continue
        fused, theirs = encoder([doc]), encoder.model.predict([doc])
        if not all(np.array_equal(a, b) for a, b in zip(fused, theirs, strict=True)):
            return False
    return True


def _timed(parse: Callable[[str], Doc], nlp: Language, texts: list[str]) -> float:
    started = time.process_time()
    for text in texts:
        with nlp.memory_zone():
            parse(text)
    return time.process_time() - started


def compare(model: str, name: str, texts: dict[str, str], rounds: int) -> Row:
    """Both ways on ``texts`` with ``model``."""
    thinc_nlp, fused_nlp = load_nlp(model, encoder="thinc"), load_nlp(model)
    found = encoders(thinc_nlp)
    ids = sorted(texts)
    ordered = [texts[i] for i in ids]
    best = {"thinc": float("inf"), "fused": float("inf")}
    for _ in range(rounds):
        for way, nlp in (("thinc", thinc_nlp), ("fused", fused_nlp)):
            best[way] = min(best[way], _timed(nlp, nlp, ordered))
    same = []
    for text in ordered:
        theirs, ours = thinc_nlp(text), fused_nlp(text)
        same.append(_reading(theirs) == _reading(ours) and _same_vectors(found, theirs))
    documents, identical = per_half(ids, same)
    per_document = {way: round(seconds * 1000 / len(ids), 3) for way, seconds in best.items()}
    return Row(model, name, documents, identical, per_document["thinc"], per_document["fused"])


def main(argv: list[str] | None = None) -> None:
    args = arguments(__doc__, argv)
    sets = texts_by_set(args.data, args.limit)
    rows: list[Row] = []
    print(f"{HEADER} {'thinc ms':>9s} {'fused ms':>9s} {'speed-up':>8s}")
    for model, name, texts in every_model_and_set(sets):
        row = compare(model, name, texts, args.rounds)
        rows.append(row)
        print(f"{row.cells()} {row.thinc_ms:9.2f} {row.fused_ms:9.2f} {row.speed_up:7.2f}x")
    print(f"documents read differently: {differing(rows)}")
    path = write_results("encoder", {"rows": [row.record() for row in rows]})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
