"""ROUGE scoring for the summary benchmark: rouge-score, F-measure, Porter stemmer on."""

from dataclasses import dataclass

from rouge_score import rouge_scorer

METRICS = ("rouge1", "rouge2", "rougeL")


@dataclass(frozen=True)
class Rouge:
    """Mean ROUGE F-measures over a set, in percent."""

    r1: float
    r2: float
    rl: float
    n: int


def score_pairs(pairs: list[tuple[str, str]]) -> Rouge:
    """Mean F-measure of (candidate, reference) pairs; an empty list scores zero."""
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    totals = dict.fromkeys(METRICS, 0.0)
    for candidate, reference in pairs:
        scores = scorer.score(reference, candidate)
        for metric in METRICS:
            totals[metric] += scores[metric].fmeasure
    n = len(pairs)
    mean = {metric: 100.0 * total / n if n else 0.0 for metric, total in totals.items()}
    return Rouge(r1=mean["rouge1"], r2=mean["rouge2"], rl=mean["rougeL"], n=n)


def beats(candidate: Rouge, anchors: list[Rouge]) -> bool:
    """True when ``candidate`` is at least the best anchor on both R1 and R2."""
    return all(candidate.r1 >= a.r1 and candidate.r2 >= a.r2 for a in anchors)
