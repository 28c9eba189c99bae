"""The anchors the summariser is measured against, all on the entities stage's sentence splits.

- Lead-k: the first k sentences.
- LexRank (Erkan and Radev 2004, continuous variant): tf-idf cosine graph over the sentences,
  PageRank with uniform teleport, the k highest.
- TextRank as pytextrank ranks it: keyphrase TextRank over the article, then the sentences
  closest to the unit vector of the top phrases (pytextrank's ``summary``), computed over our spans.
"""

import contextlib
import io
import math
import re
from collections import Counter

import numpy as np
import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

_WORD = re.compile(r"\b\w\w+\b")


def lead(n_sentences: int, k: int) -> list[int]:
    """The first ``k`` sentences."""
    return list(range(min(k, n_sentences)))


def _tfidf(texts: list[str]) -> np.ndarray:
    """Like scikit-learn's TfidfVectorizer: 2+ letter tokens, smoothed idf, unit rows; stop words out."""
    bags = [Counter(w for w in _WORD.findall(t.casefold()) if w not in STOP_WORDS) for t in texts]
    document_frequency: Counter[str] = Counter(w for bag in bags for w in bag)
    vocabulary = {word: i for i, word in enumerate(document_frequency)}
    matrix = np.zeros((len(texts), max(len(vocabulary), 1)))
    for row, bag in enumerate(bags):
        for word, count in bag.items():
            idf = math.log((1 + len(texts)) / (1 + document_frequency[word])) + 1.0
            matrix[row, vocabulary[word]] = count * idf
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(matrix / norms)


def lexrank_scores(texts: list[str], damping: float = 0.85) -> np.ndarray:
    """Continuous LexRank centrality of each sentence."""
    n = len(texts)
    if n == 0:
        return np.zeros(0)
    vectors = _tfidf(texts)
    weights = vectors @ vectors.T
    row_sums = weights.sum(axis=1, keepdims=True)
    row_sums[row_sums == 0] = 1.0
    transition = weights / row_sums
    scores = np.full(n, 1.0 / n)
    for _ in range(100):
        updated = (1 - damping) / n + damping * scores @ transition
        if np.abs(updated - scores).sum() < 1e-10:
            break
        scores = updated
    return np.asarray(scores)


def top_k(scores: list[float] | np.ndarray, k: int) -> list[int]:
    """Indices of the ``k`` highest scores (earlier wins ties), in article order."""
    order = sorted(range(len(scores)), key=lambda i: (-float(scores[i]), i))
    return sorted(order[:k])


def lexrank(texts: list[str], k: int) -> list[int]:
    """The LexRank anchor's picks."""
    return top_k(lexrank_scores(texts), k)


def load_textrank(model: str) -> Language:
    """The full spaCy pipeline (pytextrank needs noun chunks, so the parser) plus ``textrank``."""
    with contextlib.redirect_stdout(io.StringIO()):  # pytextrank prints a path on import
        import pytextrank  # noqa: F401  (registers the "textrank" spaCy factory)
    nlp = spacy.load(model, exclude=["ner", "lemmatizer"])
    nlp.add_pipe("textrank")
    return nlp


def textrank_distances(
    nlp: Language, text: str, spans: list[tuple[int, int]], limit_phrases: int = 10
) -> list[float]:
    """pytextrank's sentence distance to the top-phrase unit vector, for each span (lower is better)."""
    doc = nlp(text)
    phrases = list(doc._.phrases)[:limit_phrases]
    total = sum(p.rank for p in phrases)
    coords = [p.rank / total if total > 0 else 0.0 for p in phrases]
    present: list[set[int]] = [set() for _ in spans]
    for phrase_id, phrase in enumerate(phrases):
        for chunk in phrase.chunks:
            for index, (start, end) in enumerate(spans):
                if chunk.start_char >= start and chunk.end_char <= end:
                    present[index].add(phrase_id)
                    break
    return [
        math.sqrt(sum(c**2 for pid, c in enumerate(coords) if pid not in present[index]))
        for index in range(len(spans))
    ]


def textrank(distances: list[float], k: int) -> list[int]:
    """The TextRank anchor's picks: the ``k`` sentences nearest the unit vector."""
    return top_k([-d for d in distances], k)
