"""bench.matmul: both libraries on the same texts, identical documents counted per half."""

from bench.matmul import compare
from worker.config import Settings


def test_compare_counts_identical_documents_per_half_and_times_both() -> None:
    texts = {
        "a": "Angela Merkel met Emmanuel Macron in Berlin. They spoke for an hour.",
        "b": "Shares of Apple Inc. rose in San Francisco on Monday.",
        "c": "The United Nations met in New York.",
    }
    row = compare(Settings().spacy_model, "tiny", texts, rounds=1)
    assert row.documents == {"A": 2, "B": 1}  # sorted ids a, b, c: even positions A
    assert row.identical == row.documents
    assert row.blis_ms > 0 and row.numpy_ms > 0
