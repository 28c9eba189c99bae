"""Sentence similarity and centrality: tf-idf cosine graph and PageRank (the LexRank core)."""

import math
import re
from collections import Counter

import numpy as np
from scipy import sparse
from spacy.lang.en.stop_words import STOP_WORDS

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_TERM = re.compile(r"\b\w\w+\b")
# Scripts written without spaces between words: kana, CJK ideographs, Thai, Lao, Myanmar, Khmer.
_UNSPACED_CHARS = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
)
_UNSPACED = re.compile(f"[{_UNSPACED_CHARS}]+")
_PIECE = re.compile(f"[{_UNSPACED_CHARS}]+|[^{_UNSPACED_CHARS}]+")


def words(text: str) -> list[str]:
    """The word tokens of ``text`` (letters and digits, inner apostrophes kept).

    In scripts without spaces each character counts as a word, for lengths and budgets.
    """
    found = _WORD.findall(text)
    if _UNSPACED.search(text) is None:
        return found
    return [part for token in found for piece in _PIECE.findall(token) for part in _split_unspaced(piece)]


def _split_unspaced(piece: str) -> list[str]:
    return list(piece) if _UNSPACED.fullmatch(piece) else [piece]


def terms(text: str) -> list[str]:
    """The case-folded words of two or more characters of ``text``, stop words included.

    Runs of a script without spaces give their character bigrams instead (a run of one
    character, itself): tf-idf over bigrams is the usual stand-in for word segmentation.
    """
    folded = text.casefold()
    if _UNSPACED.search(folded) is None:
        return _TERM.findall(folded)
    out: list[str] = []
    for token in re.findall(r"\w+", folded):
        for piece in _PIECE.findall(token):
            if _UNSPACED.fullmatch(piece):
                out.extend([piece[i : i + 2] for i in range(len(piece) - 1)] or [piece])
            elif len(piece) >= 2:
                out.append(piece)
    return out


def bags(texts: list[str], term_lists: list[list[str]] | None = None) -> list[Counter[str]]:
    """Content-term counts per text: case-folded words of two or more characters, stop words out.

    ``term_lists`` (``terms`` of each text) saves tokenising again when the caller has them.
    """
    lists = term_lists if term_lists is not None else [terms(t) for t in texts]
    return [Counter(w for w in found if w not in STOP_WORDS) for found in lists]


# Above this many cells (sentences x terms) the tf-idf matrix is built sparse: a 50,000-word
# article would otherwise take hundreds of MB; below it the dense product is faster.
DENSE_CELLS = 2_000_000
# Up to this many multiply-adds (sentences x sentences x terms) the product is a plain loop
# (``einsum``): for a news story (30 x 600) BLAS spends more starting its threads than computing,
# and much more on a busy machine; above it BLAS wins.
LOOP_PRODUCT = 4_000_000


def _tfidf_cells(term_bags: list[Counter[str]]) -> tuple[list[int], list[int], np.ndarray, int]:
    """Rows, columns and unit-row tf-idf values of the non-zero cells; and the number of terms.

    Smoothed idf over the sentences themselves; a sentence without terms keeps a zero row.
    """
    document_frequency: Counter[str] = Counter(w for bag in term_bags for w in bag)
    vocabulary = {word: i for i, word in enumerate(document_frequency)}
    n = len(term_bags)
    idf = np.array([math.log((1 + n) / (1 + df)) + 1 for df in document_frequency.values()])
    rows = [row for row, bag in enumerate(term_bags) for _ in bag]
    columns = [vocabulary[word] for bag in term_bags for word in bag]
    counts = np.array([count for bag in term_bags for count in bag.values()], dtype=float)
    values = counts * idf[columns] if columns else np.zeros(0)
    norms = np.bincount(rows, weights=values**2, minlength=n) if rows else np.zeros(n)
    norms[norms == 0] = 1.0
    return rows, columns, values / np.sqrt(norms)[rows], max(len(vocabulary), 1)


def tfidf_vectors(term_bags: list[Counter[str]]) -> sparse.csr_matrix:
    """Unit-length tf-idf rows as a sparse matrix."""
    rows, columns, values, term_count = _tfidf_cells(term_bags)
    return sparse.csr_matrix((values, (rows, columns)), shape=(len(term_bags), term_count))


def cosine_similarity(term_bags: list[Counter[str]]) -> np.ndarray:
    """The sentences' pairwise tf-idf cosine similarities (dense, n by n)."""
    rows, columns, values, term_count = _tfidf_cells(term_bags)
    n = len(term_bags)
    if n * term_count > DENSE_CELLS:
        vectors = sparse.csr_matrix((values, (rows, columns)), shape=(n, term_count))
        return np.asarray((vectors @ vectors.T).toarray())
    dense = np.zeros((n, term_count))
    dense[rows, columns] = values
    if n * n * term_count <= LOOP_PRODUCT:
        return np.asarray(np.einsum("ik,jk->ij", dense, dense))
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
