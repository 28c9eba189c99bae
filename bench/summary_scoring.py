"""ROUGE scoring for the summary benchmark: rouge-score, F-measure, Porter stemmer on."""

from dataclasses import dataclass

import numpy as np
from rouge_score import rouge_scorer

METRICS = ("rouge1", "rouge2", "rougeL")


@dataclass(frozen=True)
class Rouge:
    """Mean ROUGE F-measures over a set, in percent."""

    r1: float
    r2: float
    rl: float
    n: int


def article_scores(pairs: list[tuple[str, str]]) -> np.ndarray:
    """Per (candidate, reference) pair its F-measures in percent: one row of ``METRICS`` each."""
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    rows = []
    for candidate, reference in pairs:
        scores = scorer.score(reference, candidate)
        rows.append([100.0 * scores[metric].fmeasure for metric in METRICS])
    return np.array(rows, dtype=float).reshape(len(pairs), len(METRICS))


def mean_of(scores: np.ndarray) -> Rouge:
    """The means of ``article_scores`` rows; no rows score zero."""
    n = scores.shape[0]
    r1, r2, rl = (float(scores[:, i].mean()) if n else 0.0 for i in range(len(METRICS)))
    return Rouge(r1=r1, r2=r2, rl=rl, n=n)


def score_pairs(pairs: list[tuple[str, str]]) -> Rouge:
    """Mean F-measure of (candidate, reference) pairs; an empty list scores zero."""
    return mean_of(article_scores(pairs))


@dataclass(frozen=True)
class Gap:
    """A system's mean ROUGE-1 minus another's on the same articles, with a 95% bootstrap interval."""

    r1: float
    low: float
    high: float


def paired_gap(ours: np.ndarray, theirs: np.ndarray, *, resamples: int = 2000, seed: int = 0) -> Gap:
    """Mean R1 difference of two systems' ``article_scores`` on the same articles.

    The interval resamples articles with replacement (a paired bootstrap, seeded so runs repeat):
    when it spans zero, the data cannot tell the two systems apart on R1.
    """
    differences = ours[:, 0] - theirs[:, 0]
    if differences.size == 0:
        return Gap(0.0, 0.0, 0.0)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, differences.size, (resamples, differences.size))
    means = differences[picks].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return Gap(float(differences.mean()), float(low), float(high))


def beats(candidate: Rouge, anchors: list[Rouge]) -> bool:
    """True when ``candidate`` is at least the best anchor on both R1 and R2."""
    return all(candidate.r1 >= a.r1 and candidate.r2 >= a.r2 for a in anchors)
