"""Article-body scoring of the article-extraction benchmark: 4-token shingles as multisets.

Tokens are ``\\w+`` matches; each page gives tp/fp/fn over shingle counts, normalised by their
sum so long pages weigh no more than short ones. Precision and recall are averaged over the
pages where they are defined, and F1 is computed from the two means.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import mean

_TOKEN = re.compile(r"\w+")
SHINGLE_SIZE = 4


@dataclass(frozen=True)
class PageCounts:
    """Normalised shingle counts of one page (each in 0..1, summing to 1 unless all are 0)."""

    tp: float
    fp: float
    fn: float


@dataclass(frozen=True)
class Scores:
    """Mean precision and recall over pages, and F1 from the two means."""

    precision: float
    recall: float
    f1: float
    pages: int


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Multiset of ``size``-token shingles; a text shorter than ``size`` tokens is one shingle."""
    tokens = _TOKEN.findall(text)
    counts: Counter[tuple[str, ...]] = Counter()
    for start in range(max(1, len(tokens) - size + 1)):
        shingle = tuple(tokens[start : start + size])
        if shingle:
            counts[shingle] += 1
    return counts


def page_counts(truth: str, predicted: str) -> PageCounts:
    """tp/fp/fn of one page over shingle multisets, normalised by their sum."""
    expected, got = shingles(truth), shingles(predicted)
    tp = float(sum((expected & got).values()))
    fp = float(sum((got - expected).values()))
    fn = float(sum((expected - got).values()))
    total = tp + fp + fn
    if total > 0:
        return PageCounts(tp / total, fp / total, fn / total)
    return PageCounts(tp, fp, fn)


def _precision(page: PageCounts) -> float:
    if page.fp == page.fn == 0:
        return 1.0
    return page.tp / (page.tp + page.fp)


def _recall(page: PageCounts) -> float:
    if page.fp == page.fn == 0:
        return 1.0
    return page.tp / (page.tp + page.fn)


def aggregate(pages: Iterable[PageCounts]) -> Scores:
    """Mean precision (pages with tp+fp > 0), mean recall (tp+fn > 0), F1 of the means."""
    pages = list(pages)
    precisions = [_precision(p) for p in pages if p.tp + p.fp > 0]
    recalls = [_recall(p) for p in pages if p.tp + p.fn > 0]
    precision = mean(precisions) if precisions else 0.0
    recall = mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return Scores(precision=precision, recall=recall, f1=f1, pages=len(pages))
