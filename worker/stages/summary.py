"""The summary stage: position-biased LexRank with redundancy control, on the entities stage's sentences."""

import math
import re
import time
from collections import Counter

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

from schemas.entities import AnalysedArticle
from schemas.result import ArticleResult, Summary, SummarySentence

METHOD = "positional-lexrank"
DAMPING = 0.85
REDUNDANCY = 0.6  # a candidate this similar (cosine) to a chosen sentence is skipped
MIN_WORDS = 4

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def _bags(texts: list[str]) -> list[Counter[str]]:
    return [
        Counter(w for w in (m.group().casefold() for m in _WORD.finditer(t)) if w not in STOP_WORDS)
        for t in texts
    ]


def _tfidf_matrix(bags: list[Counter[str]]) -> np.ndarray:
    vocabulary = {word: i for i, word in enumerate(sorted({w for bag in bags for w in bag}))}
    matrix = np.zeros((len(bags), max(len(vocabulary), 1)))
    document_frequency: Counter[str] = Counter(w for bag in bags for w in bag)
    for row, bag in enumerate(bags):
        for word, count in bag.items():
            idf = math.log((1 + len(bags)) / (1 + document_frequency[word])) + 1.0
            matrix[row, vocabulary[word]] = count * idf
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(matrix / norms)


def _pagerank(similarity: np.ndarray, teleport: np.ndarray, iterations: int = 50) -> np.ndarray:
    weights = similarity.copy()
    np.fill_diagonal(weights, 0.0)
    row_sums = weights.sum(axis=1, keepdims=True)
    dangling = row_sums[:, 0] == 0
    row_sums[row_sums == 0] = 1.0
    transition = weights / row_sums
    transition[dangling] = teleport
    scores = teleport.copy()
    for _ in range(iterations):
        updated = (1 - DAMPING) * teleport + DAMPING * scores @ transition
        if np.abs(updated - scores).sum() < 1e-9:
            return np.asarray(updated)
        scores = updated
    return scores


def rank(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Centrality scores (summing to 1) and the cosine similarity matrix of ``texts``."""
    vectors = _tfidf_matrix(_bags(texts))
    similarity = vectors @ vectors.T
    positions = 1.0 / np.arange(1, len(texts) + 1)
    scores = _pagerank(similarity, positions / positions.sum())
    return scores, similarity


def summarise(article: AnalysedArticle, k: int) -> ArticleResult:
    """Pick ``k`` sentences of the body: central, early, not redundant; in article order."""
    started = time.perf_counter()
    text = article.text
    spans = [(s.start, s.end) for s in article.sentences]
    texts = [text[start:end] for start, end in spans]
    eligible = [i for i, t in enumerate(texts) if len(_WORD.findall(t)) >= MIN_WORDS] or list(
        range(len(texts))
    )
    chosen: list[int] = []
    scores = np.zeros(0)
    if eligible:
        scores, similarity = rank([texts[i] for i in eligible])
        for local in np.argsort(-scores, kind="stable"):
            if len(chosen) == k:
                break
            if all(similarity[local, other] < REDUNDANCY for other in chosen):
                chosen.append(int(local))
    picked = sorted(chosen, key=lambda local: eligible[local])
    sentences = tuple(
        SummarySentence(
            text=texts[eligible[local]],
            start=spans[eligible[local]][0],
            end=spans[eligible[local]][1],
            score=round(float(scores[local]), 6),
        )
        for local in picked
    )
    summary = Summary(
        sentences=sentences,
        text=" ".join(s.text for s in sentences),
        method=METHOD,
        params={"k": k, "damping": DAMPING, "redundancy": REDUNDANCY, "min_words": MIN_WORDS},
    )
    timings = {**article.timings, "summarise": round((time.perf_counter() - started) * 1000, 3)}
    return ArticleResult.model_validate({**article.model_dump(), "summary": summary, "timings": timings})
