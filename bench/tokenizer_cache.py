"""The tokenizer's cache of the model's words: the same documents, and the time it saves.

    python -m bench.tokenizer_cache [--data DIR] [--limit N] [--rounds R]

Inside a memory zone spaCy's tokenizer caches nothing, so without a cache filled before the
first zone every word of every article goes through the prefix, suffix and infix searches.
``worker.nlp.warm_vocabulary`` fills it with the model's words at load. On the texts of
``bench.ner_decode`` (each summary dev set's articles after the clean stage, the CoNLL-2003 test
documents, the French sample), for each model of ``Settings().spacy_models``, each text is
parsed in a memory zone of its own (as the entities stage does) by the pipeline as loaded and
by a second one loaded alike with its tokenizer cache emptied. Printed per set and half (sorted
ids, even and odd positions): the documents read identically (every token and its whitespace,
sentence starts, entity spans and labels) and the tokenizer's CPU time per document either way,
the fastest of ``--rounds`` alternating rounds. Results go to bench/results/tokenizer_cache.json.
"""

import time
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from bench.common import per_half, write_results
from bench.ner_decode import texts_by_set
from bench.side_by_side import HEADER, SideBySide, arguments, differing
from worker.config import Settings
from worker.matmul import library_of
from worker.nlp import load_nlp


@dataclass
class Row(SideBySide):
    """One model on one set: documents and identical ones per half, tokenizer ms per document."""

    cached_ms: float
    empty_ms: float

    @property
    def speed_up(self) -> float:
        return self.empty_ms / self.cached_ms if self.cached_ms else 0.0


def _reading(doc: Doc) -> tuple[list[tuple[str, str]], list[int], list[tuple[int, int, str]]]:
    return (
        [(token.text, token.whitespace_) for token in doc],
        [sentence.start for sentence in doc.sents],
        [(e.start, e.end, e.label_) for e in doc.ents],
    )


def _read(nlp: Language, texts: list[str]) -> list[object]:
    readings: list[object] = []
    for text in texts:
        with nlp.memory_zone():
            readings.append(_reading(nlp(text)))
    return readings


def _tokenize_seconds(nlp: Language, texts: list[str]) -> float:
    started = time.process_time()
    for text in texts:
        with nlp.memory_zone():
            nlp.make_doc(text)
    return time.process_time() - started


def compare(
    nlp: Language, empty: Language, *, model: str, name: str, texts: dict[str, str], rounds: int
) -> Row:
    """``nlp`` on ``texts`` against ``empty``, the same pipeline with its tokenizer cache emptied."""
    ids = sorted(texts)
    ordered = [texts[i] for i in ids]
    best = {"cached": float("inf"), "empty": float("inf")}
    readings: dict[str, list[object]] = {}
    for _ in range(rounds):
        for state, pipeline in (("cached", nlp), ("empty", empty)):
            best[state] = min(best[state], _tokenize_seconds(pipeline, ordered))
            readings.setdefault(state, _read(pipeline, ordered))
    same = [a == b for a, b in zip(readings["cached"], readings["empty"], strict=True)]
    documents, identical = per_half(ids, same)
    return Row(
        model,
        name,
        documents,
        identical,
        round(best["cached"] * 1000 / len(ids), 3),
        round(best["empty"] * 1000 / len(ids), 3),
    )


def emptied_twin(nlp: Language, model: str) -> Language:
    """``model``'s pipeline loaded once more, alike ``nlp`` (the library auto chose, named: another
    cache entry of ``load_nlp``), with its tokenizer cache emptied. A copy made from the
    tokenizer's bytes would not do: it tokenizes the same, but slower than the loaded one."""
    empty = load_nlp(model, matmul=library_of(nlp))
    empty.tokenizer._flush_cache()  # type: ignore[union-attr]
    return empty


def main(argv: list[str] | None = None) -> None:
    args = arguments(__doc__, argv)
    sets = texts_by_set(args.data, args.limit)
    rows: list[Row] = []
    print(f"{HEADER} {'cached ms':>10s} {'empty ms':>9s} {'speed-up':>8s}")
    for model in dict.fromkeys(Settings().spacy_models.values()):
        nlp = load_nlp(model)
        empty = emptied_twin(nlp, model)
        for name, texts in sets.items():
            row = compare(nlp, empty, model=model, name=name, texts=texts, rounds=args.rounds)
            rows.append(row)
            print(f"{row.cells()} {row.cached_ms:10.2f} {row.empty_ms:9.2f} {row.speed_up:7.2f}x")
    print(f"documents read differently: {differing(rows)}")
    payload = {"rows": [row.record() for row in rows]}
    print(f"wrote {write_results('tokenizer_cache', payload)}")


if __name__ == "__main__":
    main()
