"""Sentence similarity and centrality: tf-idf cosine graph and PageRank (the LexRank core)."""

import math
import re
from collections import Counter

import numpy as np
from scipy import sparse
from spacy.lang.en.stop_words import STOP_WORDS

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_TERM = re.compile(r"\b\w\w+\b")


def words(text: str) -> list[str]:
    """The word tokens of ``text`` (letters and digits, inner apostrophes kept)."""
    return _WORD.findall(text)


def bags(texts: list[str]) -> list[Counter[str]]:
    """Content-term counts per text: case-folded words of two or more characters, stop words out."""
    return [Counter(w for w in _TERM.findall(t.casefold()) if w not in STOP_WORDS) for t in texts]


# Above this many cells (sentences x terms) the tf-idf matrix is built sparse: a 50,000-word
# article would otherwise take hundreds of MB; below it the dense product is faster.
DENSE_CELLS = 2_000_000


def _tfidf_cells(term_bags: list[Counter[str]]) -> tuple[list[int], list[int], np.ndarray, int]:
    """Rows, columns and unit-row tf-idf values of the non-zero cells; and the number of terms.

    Smoothed idf over the sentences themselves; a sentence without terms keeps a zero row.
    """
    document_frequency: Counter[str] = Counter(w for bag in term_bags for w in bag)
    vocabulary = {word: i for i, word in enumerate(document_frequency)}
    n = len(term_bags)
    rows: list[int] = []
    columns: list[int] = []
    weights: list[float] = []
    for row, bag in enumerate(term_bags):
        for word, count in bag.items():
            rows.append(row)
            columns.append(vocabulary[word])
            weights.append(count * (math.log((1 + n) / (1 + document_frequency[word])) + 1))
    values = np.array(weights)
    norms = np.zeros(n)
    np.add.at(norms, rows, values**2)
    norms[norms == 0] = 1.0
    return rows, columns, values / np.sqrt(norms)[rows], max(len(vocabulary), 1)


def tfidf_vectors(term_bags: list[Counter[str]]) -> sparse.csr_matrix:
    """Unit-length tf-idf rows as a sparse matrix."""
    rows, columns, values, terms = _tfidf_cells(term_bags)
    return sparse.csr_matrix((values, (rows, columns)), shape=(len(term_bags), terms))


def cosine_similarity(term_bags: list[Counter[str]]) -> np.ndarray:
    """The sentences' pairwise tf-idf cosine similarities (dense, n by n)."""
    rows, columns, values, terms = _tfidf_cells(term_bags)
    if len(term_bags) * terms > DENSE_CELLS:
        vectors = sparse.csr_matrix((values, (rows, columns)), shape=(len(term_bags), terms))
        return np.asarray((vectors @ vectors.T).toarray())
    dense = np.zeros((len(term_bags), terms))
    dense[rows, columns] = values
    return np.asarray(dense @ dense.T)


def pagerank(
    weights: np.ndarray, teleport: np.ndarray, damping: float = 0.85, *, self_loops: bool = True
) -> np.ndarray:
    """Stationary scores of a random walk on ``weights``, restarting by ``teleport``."""
    walk = weights.copy()
    if not self_loops:
        np.fill_diagonal(walk, 0.0)
    row_sums = walk.sum(axis=1, keepdims=True)
    dangling = row_sums[:, 0] == 0
    row_sums[dangling] = 1.0
    transition = walk / row_sums
    transition[dangling] = teleport
    scores = teleport.copy()
    for _ in range(100):
        updated = (1 - damping) * teleport + damping * scores @ transition
        if np.abs(updated - scores).sum() < 1e-10:
            return np.asarray(updated)
        scores = updated
    return scores
