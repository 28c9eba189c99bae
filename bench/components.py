"""What each loading choice of the entities stage buys, measured side by side in one process.

    python -m bench.components [--articles N]

Parses the same articles (the seed and BBC dev bodies) one at a time, each in a memory zone as
the entities stage does, with: the full pipeline; tok2vec+senter+ner (the shared tok2vec kept);
then senter+ner with one loading choice more per row, as ``load_nlp`` makes them: the model's
words pre-made and in the tokenizer's cache; the NER moves decoded by ``worker/ner_decoder.py``;
the matrices multiplied as ``worker/matmul.py`` chooses; the token encoders run as one function
each by ``worker/encoder.py`` (the pipeline as loaded). Then ``nlp.pipe`` batch sizes with
either decoding, the gain micro-batching could bring. Each configuration is timed in
alternating rounds; the best round counts.
Results go to bench/results/components.json.
"""

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import spacy
from spacy.language import Language

from bench.common import DEFAULT_DATA, load_articles, write_results
from worker.config import Settings
from worker.matmul import library_of
from worker.nlp import load_nlp, warm_vocabulary

PRUNED = ["tagger", "parser", "attribute_ruler", "lemmatizer"]


def _load(model: str, exclude: list[str]) -> Language:
    nlp = spacy.load(model, exclude=exclude)
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    return nlp


def _one_by_one(nlp: Language, texts: list[str]) -> int:
    tokens = 0
    for text in texts:
        with nlp.memory_zone():
            tokens += len(nlp(text))
    return tokens


def _batched(nlp: Language, texts: list[str], size: int) -> int:
    with nlp.memory_zone():
        return sum(len(doc) for doc in nlp.pipe(texts, batch_size=size))


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _warm_up_cost(model: str) -> dict[str, float]:
    """Time and resident memory that ``warm_vocabulary`` adds to a freshly loaded pipeline."""
    nlp = _load(model, ["tok2vec", *PRUNED])
    before, started = _rss_mb(), time.perf_counter()
    warm_vocabulary(nlp)
    return {"seconds": round(time.perf_counter() - started, 2), "rss_mb": round(_rss_mb() - before, 1)}


def main(argv: list[str] | None = None) -> int:
    """Time every configuration; print tokens/s and the ratios to the full pipeline; write JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    model = Settings().spacy_model
    texts = [text.strip().partition("\n\n")[2] or text for text in load_articles(args.data, args.articles)]
    as_loaded, full, with_tok2vec = load_nlp(model), _load(model, []), _load(model, PRUNED)
    spacy_decoding, on_blis = (
        load_nlp(model, "spacy", "blis", "thinc"),
        load_nlp(model, "vectorised", "blis", "thinc"),
    )
    thinc_encoders = load_nlp(model, encoder="thinc")
    cold = _load(model, ["tok2vec", *PRUNED])  # spaCy decoding and BLIS, words not pre-made
    cold.add_pipe("paragraph_boundaries", after="senter")
    configurations: dict[str, Callable[[], int]] = {
        "full pipeline": lambda: _one_by_one(full, texts),
        "tok2vec+senter+ner": lambda: _one_by_one(with_tok2vec, texts),
        "senter+ner, words not pre-made or cached": lambda: _one_by_one(cold, texts),
        "senter+ner, words pre-made and cached, spaCy decoding": lambda: _one_by_one(spacy_decoding, texts),
        "the same, vectorised decoding": lambda: _one_by_one(on_blis, texts),
        f"the same, matmul={library_of(as_loaded)}": lambda: _one_by_one(thinc_encoders, texts),
        "as loaded (the same, encoders fused)": lambda: _one_by_one(as_loaded, texts),
    }
    for size in (1, 4, 16):
        configurations[f"as loaded, nlp.pipe batch {size}"] = lambda s=size: _batched(as_loaded, texts, s)  # type: ignore[misc]
        configurations[f"spaCy decoding, nlp.pipe batch {size}"] = lambda s=size: _batched(  # type: ignore[misc]
            spacy_decoding, texts, s
        )
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, run in configurations.items():
            started = time.perf_counter()
            tokens = run()
            rate = tokens / (time.perf_counter() - started)
            best[name] = max(best.get(name, 0.0), rate)
    for name, rate in best.items():
        print(f"{name:54s} {rate:8.0f} tokens/s   {rate / best['full pipeline']:5.2f}x full")
    warm = _warm_up_cost(model)
    print(f"pre-making and caching the model's words: {warm['seconds']:.2f} s, +{warm['rss_mb']:.1f} MB RSS")
    payload = {"articles": len(texts), "tokens_per_s": best, "vocabulary_warm_up": warm}
    print(f"wrote {write_results('components', payload)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
