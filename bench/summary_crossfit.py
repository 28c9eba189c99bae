"""Both ways round: train the summary scorer on one half, score the other, then the reverse.

    python -m bench.summary_crossfit [--data DIR] [--margin M] [--hidden H] [--seeds S] [--l2 L]

``bench.summary_train`` fits on half A and ``bench.summaries`` reports half B as the check; with
a few hundred CNN/DM stories, one check half is a small sample. This fits the same network twice
(on A, then on B) and scores each on the half it did not see, printing per set R1/R2 and their gap
to Lead-k on the same sentence splits. A setting that generalises keeps both directions at or above
Lead-k; one that only suits the tuning half shows it in the reverse direction. Nothing is written
to the package.
"""

import argparse
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench import summary_train
from bench.common import HALVES, half_of
from bench.summary_anchors import lead
from bench.summary_data import DATASETS, DEFAULT_DATA, DataSet, Item, analyse_items, read_items
from bench.summary_oracle import lead_swap_oracle
from bench.summary_scoring import article_scores, mean_of
from schemas.entities import AnalysedArticle
from worker.config import Settings
from worker.nlp import load_nlp
from worker.stages.summary.model import Scorer
from worker.stages.summary.stage import summarise


@dataclass(frozen=True)
class Direction:
    """One set scored on one half by a scorer fitted on the other, beside Lead-k."""

    dataset: str
    trained: str
    scored: str
    r1: float
    r2: float
    lead_r1: float
    lead_r2: float

    def line(self) -> str:
        """One printed row."""
        return (
            f"{self.dataset:<12} {self.trained} -> {self.scored}  newsflow {self.r1:6.2f} {self.r2:6.2f}"
            f"  Lead-k {self.lead_r1:6.2f} {self.lead_r2:6.2f}"
            f"  gap {self.r1 - self.lead_r1:+6.2f} {self.r2 - self.lead_r2:+6.2f}"
        )


def score_half(
    scorer: Scorer, dataset: DataSet, items: list[Item], articles: list[AnalysedArticle], rows: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Per-article ROUGE rows of the scorer's summaries and of Lead-k, on ``rows``."""
    ours = article_scores(
        [(summarise(articles[i], dataset.k, scorer=scorer).summary.text, items[i].reference) for i in rows]
    )
    texts = [[articles[i].text[s.start : s.end] for s in articles[i].sentences] for i in rows]
    leads = article_scores(
        [
            (" ".join(t[j] for j in lead(len(t), dataset.k)), items[i].reference)
            for t, i in zip(texts, rows, strict=True)
        ]
    )
    return ours, leads


def other(half: str) -> str:
    """The half a scorer fitted on ``half`` is checked on."""
    return HALVES[1 - HALVES.index(half)]


def main(argv: list[str] | None = None) -> None:
    """Label once, fit on each half, score on the other, print every set both ways."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument(
        "--margin",
        type=float,
        default=summary_train.Training.margin,
        help="least gain in mean ROUGE F for a label to leave the lead",
    )
    parser.add_argument("--hidden", type=int, default=summary_train.Training.hidden)
    parser.add_argument("--seeds", type=int, default=summary_train.Training.seeds)
    parser.add_argument("--l2", type=float, default=summary_train.Training.l2)
    args = parser.parse_args(argv)
    settings = Settings()
    nlp = load_nlp(settings.spacy_model)
    oracle = functools.partial(lead_swap_oracle, margin=args.margin)
    examples: list[summary_train.Example] = []
    loaded = []
    for dataset in DATASETS:
        items = read_items(args.data, dataset)
        cache = summary_train.CACHE / f"{dataset.name}.analysed.jsonl"
        articles, _ = analyse_items(items, nlp, settings, cache)
        halves = half_of([item.id for item in items])
        for item, article in zip(items, articles, strict=True):
            features, labels = summary_train.examples_of(article, item.reference, dataset.k, oracle=oracle)
            examples.append(summary_train.Example(dataset.name, halves[item.id], features, labels))
        loaded.append((dataset, items, articles, halves))
    training = summary_train.Training(hidden=args.hidden, seeds=args.seeds, l2=args.l2, margin=args.margin)
    print(f"margin {args.margin}, {training.seeds} networks of {training.hidden}, L2 {training.l2}")
    for trained in HALVES:
        scorer = summary_train.train(examples, training, version="crossfit", half=trained)
        for dataset, items, articles, halves in loaded:
            rows = [i for i, item in enumerate(items) if halves[item.id] == other(trained)]
            ours, leads = score_half(scorer, dataset, items, articles, rows)
            mine, theirs = mean_of(ours), mean_of(leads)
            direction = Direction(
                dataset.name, trained, other(trained), mine.r1, mine.r2, theirs.r1, theirs.r2
            )
            print(direction.line(), flush=True)


if __name__ == "__main__":
    main()
