"""bench.encoder: thinc's layers and the fused encoders on the same texts, per half."""

import pytest

import bench.encoder
from bench.encoder import compare
from worker.config import Settings
from worker.encoder import Encoder, encoders
from worker.nlp import load_nlp

TEXTS = {
    "a": "Angela Merkel met Emmanuel Macron in Berlin. They spoke for an hour.",
    "b": "Shares of Apple Inc. rose in San Francisco on Monday.",
    "c": "The United Nations met in New York.",
}


def test_compare_counts_identical_documents_per_half_and_times_both() -> None:
    row = compare(Settings().spacy_model, "tiny", TEXTS, rounds=1)
    assert row.documents == {"A": 2, "B": 1}  # sorted ids a, b, c: even positions A
    assert row.identical == row.documents
    assert row.thinc_ms > 0 and row.fused_ms > 0


def test_vectors_are_compared_bit_for_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    nlp = load_nlp(Settings().spacy_model, encoder="thinc")
    found, doc = encoders(nlp), nlp(TEXTS["a"])
    assert len(found) == 2 and bench.encoder._same_vectors(found, doc)
    real = Encoder.__call__
    monkeypatch.setattr(Encoder, "__call__", lambda self, docs: [v + 1e-6 for v in real(self, docs)])
    assert not bench.encoder._same_vectors(found, doc)
