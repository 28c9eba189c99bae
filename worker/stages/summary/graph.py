"""Sentence similarity and centrality: tf-idf cosine graph and PageRank (the LexRank core)."""

import math
import re
from collections import Counter

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_TERM = re.compile(r"\b\w\w+\b")


def words(text: str) -> list[str]:
    """The word tokens of ``text`` (letters and digits, inner apostrophes kept)."""
    return _WORD.findall(text)


def bags(texts: list[str]) -> list[Counter[str]]:
    """Content-term counts per text: case-folded words of two or more characters, stop words out."""
    return [Counter(w for w in _TERM.findall(t.casefold()) if w not in STOP_WORDS) for t in texts]


def tfidf_vectors(term_bags: list[Counter[str]]) -> np.ndarray:
    """Unit-length tf-idf rows; smoothed idf over the sentences themselves (zero rows stay zero)."""
    document_frequency: Counter[str] = Counter(w for bag in term_bags for w in bag)
    vocabulary = {word: i for i, word in enumerate(document_frequency)}
    matrix = np.zeros((len(term_bags), max(len(vocabulary), 1)))
    n = len(term_bags)
    for row, bag in enumerate(term_bags):
        for word, count in bag.items():
            matrix[row, vocabulary[word]] = count * (math.log((1 + n) / (1 + document_frequency[word])) + 1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(matrix / norms)


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
