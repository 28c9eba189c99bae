"""bench.tokenizer_cache: the cached and emptied tokenizers on the same texts, per half."""

from bench.tokenizer_cache import compare, emptied_twin
from worker.config import Settings
from worker.nlp import load_nlp


def test_compare_counts_identical_documents_per_half_and_times_both() -> None:
    model = Settings().spacy_model
    nlp = load_nlp(model)
    empty = emptied_twin(nlp, model)
    texts = {
        "a": "Angela Merkel met Emmanuel Macron in Berlin. They spoke for an hour.",
        "b": "Shares of Apple Inc. rose in San Francisco on Monday.",
        "c": "The United Nations met in New York.",
    }
    row = compare(nlp, empty, model=model, name="tiny", texts=texts, rounds=1)
    assert row.documents == {"A": 2, "B": 1}  # sorted ids a, b, c: even positions A
    assert row.identical == row.documents
    assert row.cached_ms > 0 and row.empty_ms > 0
