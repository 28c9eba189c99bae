"""The two NER decoders side by side: spaCy's own loop and newsflow's vectorised one.

    python -m bench.ner_decode [--data DIR] [--limit N] [--rounds R]

On what the entities stage parses (each summary dev set's articles after the clean stage) and on
the CoNLL-2003 test documents, for each model of ``Settings().spacy_models``: the sentence
components run on every text, then each decoder sets the entities of its own copy, one document
per call as the stage does. Printed per set and half (sorted ids, even and odd positions): the
documents whose entities are identical (spans, labels, every token's IOB tag), the entities, and
each decoder's CPU time per document, the fastest of ``--rounds`` alternating rounds. The French
model reads the same English texts (other labels, the same rules) and the French sample texts of
the tests. Results go to bench/results/ner_decode.json.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from bench.common import ROOT, per_half, write_results
from bench.conll import read_conll
from bench.side_by_side import HEADER, SideBySide, arguments, differing, every_model_and_set
from bench.summary_data import DATASETS, read_items
from schemas import RawArticle
from worker.config import Settings
from worker.ner_decoder import COMPONENT
from worker.nlp import load_nlp
from worker.stages.clean import clean


@dataclass
class Row(SideBySide):
    """One model on one set: documents and identical ones per half, CPU ms per document."""

    entities: int
    spacy_ms: float
    vectorised_ms: float

    @property
    def speed_up(self) -> float:
        return self.spacy_ms / self.vectorised_ms if self.vectorised_ms else 0.0


def texts_by_set(data: Path, limit: int | None) -> dict[str, dict[str, str]]:
    """Per set, each document's text by id: the cleaned articles and the CoNLL documents."""
    settings = Settings()
    sets: dict[str, dict[str, str]] = {}
    for dataset in DATASETS:
        items = read_items(data, dataset, limit)
        sets[dataset.name] = {item.id: clean(RawArticle(text=item.article), settings).text for item in items}
    documents = read_conll(data / "conll2003" / "eng.testb")[:limit]
    sets["conll_testb"] = {f"{i:04d}": document.text for i, document in enumerate(documents)}
    samples = json.loads((ROOT / "tests" / "data" / "languages.json").read_text(encoding="utf-8"))
    sets["fr_samples"] = {"fr": samples["fr"]}
    return sets


def _entities(doc: Doc) -> tuple[list[tuple[int, int, str]], list[int]]:
    return [(e.start, e.end, e.label_) for e in doc.ents], [token.ent_iob for token in doc]


def _timed(decode: Callable[[Doc], Doc], docs: list[Doc]) -> float:
    started = time.process_time()
    for doc in docs:
        decode(doc)
    return time.process_time() - started


def compare(model: str, name: str, texts: dict[str, str], rounds: int) -> Row:
    """Both decoders on ``texts`` with ``model``."""
    spacy_nlp, ours = load_nlp(model, "spacy"), load_nlp(model, "vectorised")
    ids = sorted(texts)
    best = {"spacy": float("inf"), "vectorised": float("inf")}
    decoded: dict[str, list[Doc]] = {}
    for _ in range(rounds):
        for decoder, nlp, component in (("spacy", spacy_nlp, "ner"), ("vectorised", ours, COMPONENT)):
            before = [name for name, _ in nlp.pipeline if name != component]
            docs = [_before_ner(nlp, before, texts[i]) for i in ids]
            best[decoder] = min(best[decoder], _timed(nlp.get_pipe(component), docs))
            decoded[decoder] = docs
    pairs = zip(decoded["spacy"], decoded["vectorised"], strict=True)
    same = [_entities(a) == _entities(b) for a, b in pairs]
    documents, identical = per_half(ids, same)
    return Row(
        model,
        name,
        documents,
        identical,
        sum(len(doc.ents) for doc in decoded["spacy"]),
        round(best["spacy"] * 1000 / len(ids), 3),
        round(best["vectorised"] * 1000 / len(ids), 3),
    )


def _before_ner(nlp: Language, components: list[str], text: str) -> Doc:
    doc = nlp.make_doc(text)
    for name in components:
        doc = nlp.get_pipe(name)(doc)
    return doc


def main(argv: list[str] | None = None) -> None:
    args = arguments(__doc__, argv)
    sets = texts_by_set(args.data, args.limit)
    rows: list[Row] = []
    print(f"{HEADER} {'entities':>8s} {'spaCy ms':>9s} {'vect. ms':>9s} {'speed-up':>8s}")
    for model, name, texts in every_model_and_set(sets):
        row = compare(model, name, texts, args.rounds)
        rows.append(row)
        times = f"{row.spacy_ms:9.2f} {row.vectorised_ms:9.2f} {row.speed_up:7.2f}x"
        print(f"{row.cells()} {row.entities:8d} {times}")
    print(f"documents with different entities: {differing(rows)}")
    path = write_results("ner_decode", {"rows": [row.record() for row in rows]})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
