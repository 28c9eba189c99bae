"""The summariser's sentence evidence: entity mass, quotes, centrality, the greedy selection."""

import numpy as np
import pytest

from schemas.entities import Entity, Mention
from worker.stages.summary import graph
from worker.stages.summary.graph import bags, cosine_similarity, pagerank
from worker.stages.summary.scores import entity_mass, is_quote
from worker.stages.summary.stage import select


def test_entity_mass_counts_each_entity_once_per_sentence() -> None:
    spans = [(0, 10), (11, 20), (21, 30)]
    mentions = (Mention(start=0, end=3, text="Ann"), Mention(start=5, end=8, text="Ann"))
    other = (Mention(start=12, end=15, text="Bob"),)
    entities = (
        Entity(
            id="e1", label="PERSON", name="Ann", key="PERSON:ann", mentions=mentions, count=2, salience=0.8
        ),
        Entity(id="e2", label="PERSON", name="Bob", key="PERSON:bob", mentions=other, count=1, salience=0.4),
    )
    assert entity_mass(spans, entities).tolist() == [1.0, 0.5, 0.0]


def test_quotes_are_recognised() -> None:
    assert is_quote("“We will win,” he said.") and is_quote('"Yes," she said.')
    assert not is_quote("He said they would win.")


def test_similar_sentences_are_central_and_duplicates_are_skipped() -> None:
    texts = ["rates rise at the bank", "the bank lifts rates", "rates rise at the bank", "a cat sleeps"]
    similarity = cosine_similarity(bags(texts))
    scores = pagerank(similarity, np.full(4, 0.25), self_loops=False)
    assert scores[3] < min(scores[:3])
    assert select(scores, similarity, [5, 4, 5, 3], k=2, redundancy=0.6) in ([0, 1], [1, 2])


def test_select_respects_the_word_budget() -> None:
    similarity = np.eye(3)
    picked = select(np.array([1.0, 0.9, 0.8]), similarity, [10, 30, 5], k=3, redundancy=0.6, max_words=20)
    assert picked == [0, 2]


def test_the_sparse_and_the_dense_similarity_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["rates rise at the bank", "the bank lifts rates", "", "a cat sleeps on the bank", "rates"]
    dense = cosine_similarity(bags(texts))
    monkeypatch.setattr(graph, "DENSE_CELLS", 0)
    assert np.allclose(cosine_similarity(bags(texts)), dense)
    assert np.allclose(np.diag(dense), [1, 1, 0, 1, 1])


def test_the_loop_and_the_blas_products_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["rates rise at the bank", "the bank lifts rates", "", "a cat sleeps on the bank", "rates"]
    looped = cosine_similarity(bags(texts))
    monkeypatch.setattr(graph, "LOOP_PRODUCT", 0)
    assert np.allclose(cosine_similarity(bags(texts)), looped)
    assert np.array_equal(looped, looped.T)


def test_precomputed_terms_give_the_same_bags() -> None:
    texts = ["Rates rise at the Bank", "", "the bank's rates"]
    assert bags(texts, [graph.terms(t) for t in texts]) == bags(texts)
