"""Train the summary stage's sentence scorer on the development sets' tuning halves.

    python -m bench.summary_train [--data DIR] [--labels lead-swap|greedy] [--margin 0.02] [--seeds 5]
                                  [--budgets K ...] [--budget-share S] [--half A] [--out PATH]

For every article of every summary data set (``bench.summary_data.DATASETS``) the stage's own
candidate sentences and features (``worker.stages.summary``) are labelled by a ROUGE oracle
(``bench.summary_oracle``): by default the "beat the lead" one, a local search from Lead-k that
swaps a sentence in only when that raises the mean of ROUGE-1 and ROUGE-2 F by at least ``--margin``
(0.02: two points), so the labels ask the bench's question (what clearly beats the first k
sentences?); ``--labels greedy`` gives the from-scratch greedy oracle of earlier scorers.
A one-hidden-layer network (weighted cross-entropy, L2, full-batch Adam) is fitted on half A of each
set (sorted ids, even positions), each set and, within a set, each article weighing the same (the
bench averages over articles). ``--seeds`` networks from different starting points are averaged,
which is again one network (their hidden units side by side), so seed luck does not decide the
summary. The weights go to ``worker/stages/summary/scorer.json`` with their provenance. Both halves
are then scored against Lead-k; ``python -m bench.summaries`` gives the full table with every anchor.
"""

import argparse
import functools
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from bench.common import HALVES, half_of
from bench.summary_anchors import lead
from bench.summary_data import DATASETS, DEFAULT_DATA, RESULTS, DataSet, Item, analyse_items, read_items
from bench.summary_oracle import lead_swap_oracle, oracle
from bench.summary_scoring import Rouge, score_pairs
from schemas.entities import AnalysedArticle
from worker.config import Settings
from worker.nlp import load_nlp
from worker.stages.summary.features import FEATURE_NAMES
from worker.stages.summary.graph import bags, cosine_similarity
from worker.stages.summary.model import SCORER_FILE, Scorer, weights_digest
from worker.stages.summary.scores import ScoringParams
from worker.stages.summary.stage import DEFAULT_PARAMS, candidates, pool_features, summarise

CACHE = RESULTS / "cache"


@dataclass
class Example:
    """One article's candidate features and oracle labels."""

    dataset: str
    half: str
    features: np.ndarray
    labels: np.ndarray
    k: int  # the summary length it was labelled at
    own_length: bool = True  # labelled at the set's own k (False: at another of ``Training.budgets``)


Labeller = Callable[[list[str], str, int], list[int]]  # (sentences, reference, k) -> picked indices
ORACLES: dict[str, Labeller] = {"lead-swap": lead_swap_oracle, "greedy": oracle}


def examples_of(
    article: AnalysedArticle, reference: str, k: int, oracle: Labeller
) -> tuple[np.ndarray, np.ndarray]:
    """The stage's features for its candidates, and 1 for those ``oracle`` takes."""
    pool = candidates(article)
    texts = pool.texts
    if not texts:
        return np.zeros((0, len(FEATURE_NAMES))), np.zeros(0)
    features = pool_features(article, pool, cosine_similarity(bags(texts, pool.term_lists)), k)
    labels = np.zeros(len(texts))
    labels[oracle(texts, reference, k)] = 1.0
    return features, labels


@dataclass(frozen=True)
class Training:
    """The network's size and the optimiser's settings."""

    hidden: int = 32
    epochs: int = 800
    learning_rate: float = 0.01
    l2: float = 1e-3
    seed: int = 0
    seeds: int = 5  # networks averaged, seeds seed .. seed + seeds - 1
    labels: str = "lead-swap"
    # lead-swap labels leave the lead only for a gain of at least this much in mean ROUGE F (two
    # points): small gains on one reference are noise that a scorer learns and other news punishes
    margin: float = 0.02
    # Summary lengths every article is also labelled at besides its set's own k, and the share of
    # an article's weight they carry together: the scorer then sees k / n beyond the sets' own
    # ratios (python -m bench.summaries scores every set at other lengths too).
    budgets: tuple[int, ...] = ()
    budget_share: float = 0.0


def fit_network(
    features: np.ndarray, labels: np.ndarray, weights: np.ndarray, training: Training
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """One tanh hidden layer, logistic output, weighted cross-entropy plus L2, full-batch Adam.

    Returns (hidden weights, hidden bias, output weights, output bias). The same seed gives the
    same network.
    """
    rng = np.random.default_rng(training.seed)
    inputs = features.shape[1]
    params = [
        rng.normal(0.0, 1.0 / np.sqrt(inputs), (inputs, training.hidden)),
        np.zeros(training.hidden),
        rng.normal(0.0, 1.0 / np.sqrt(training.hidden), training.hidden),
        np.zeros(1),
    ]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    share = weights / weights.sum()
    for step in range(1, training.epochs + 1):
        hidden = np.tanh(features @ params[0] + params[1])
        p = 1.0 / (1.0 + np.exp(-(hidden @ params[2] + params[3][0])))
        error = share * (p - labels)
        back = np.outer(error, params[2]) * (1.0 - hidden**2)
        grads = [
            features.T @ back + training.l2 * params[0],
            back.sum(axis=0),
            hidden.T @ error + training.l2 * params[2],
            np.array([error.sum()]),
        ]
        for i, grad in enumerate(grads):
            first[i] = 0.9 * first[i] + 0.1 * grad
            second[i] = 0.999 * second[i] + 0.001 * grad**2
            corrected = first[i] / (1 - 0.9**step)
            params[i] = params[i] - training.learning_rate * corrected / (
                np.sqrt(second[i] / (1 - 0.999**step)) + 1e-8
            )
    return params[0], params[1], params[2], float(params[3][0])


def example_weights(examples: list[Example], budget_share: float = 0.0) -> np.ndarray:
    """Per candidate sentence its weight: each set weighs 1, split between its examples at the
    set's own length (1 - ``budget_share``) and those at other lengths (``budget_share``; a set with
    none keeps 1 on its own), every example of a kind weighing the same, shared among its sentences."""
    own: dict[str, int] = {}
    others: dict[str, int] = {}
    for e in examples:
        counts = own if e.own_length else others
        counts[e.dataset] = counts.get(e.dataset, 0) + 1

    def weight(e: Example) -> float:
        if e.own_length:
            share = budget_share if e.dataset in others else 0.0
            return (1.0 - share) / (own[e.dataset] * len(e.labels))
        return budget_share / (others[e.dataset] * len(e.labels))

    return np.concatenate([np.full(len(e.labels), weight(e)) for e in examples])


def train(examples: list[Example], training: Training, version: str, half: str = "A") -> Scorer:
    """A scorer fitted on one half's examples, each data set and each article in it weighing the same.

    The ``training.seeds`` networks are averaged into one: their hidden layers side by side, their
    output weights and biases divided by their number.
    """
    tuning = [e for e in examples if e.half == half and len(e.labels)]
    features = np.vstack([e.features for e in tuning])
    labels = np.concatenate([e.labels for e in tuning])
    weights = example_weights(tuning, training.budget_share)
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale == 0] = 1.0
    standardised = (features - mean) / scale
    networks = [
        fit_network(standardised, labels, weights, replace(training, seed=training.seed + offset))
        for offset in range(training.seeds)
    ]
    count = len(networks)
    return Scorer(
        mean,
        scale,
        np.hstack([n[0] for n in networks]),
        np.concatenate([n[1] for n in networks]),
        np.concatenate([n[2] for n in networks]) / count,
        sum(n[3] for n in networks) / count,
        version,
        (min(e.k for e in tuning), max(e.k for e in tuning)),
    )


@dataclass(frozen=True)
class Loaded:
    """One data set's items, their analysed articles and the half of each item id."""

    dataset: DataSet
    items: list[Item]
    articles: list[AnalysedArticle]
    halves: dict[str, str]


def load_examples(
    data: Path, labeller: Labeller, budgets: tuple[int, ...] = ()
) -> tuple[list[Example], list[Loaded]]:
    """Every set's articles through clean and entities (cached), and their labelled examples: one
    per article at its set's own k and one at each other length in ``budgets``."""
    settings = Settings()
    nlp = load_nlp(settings.spacy_model)
    examples: list[Example] = []
    loaded: list[Loaded] = []
    for dataset in DATASETS:
        items = read_items(data, dataset)
        articles, _ = analyse_items(items, nlp, settings, CACHE / f"{dataset.name}.analysed.jsonl")
        halves = half_of([item.id for item in items])
        for item, article in zip(items, articles, strict=True):
            for k in sorted({dataset.k, *budgets}):
                features, labels = examples_of(article, item.reference, k, labeller)
                examples.append(Example(dataset.name, halves[item.id], features, labels, k, k == dataset.k))
        loaded.append(Loaded(dataset, items, articles, halves))
    return examples, loaded


def score_half(
    scorer: Scorer, data: Loaded, half: str, params: ScoringParams = DEFAULT_PARAMS, k: int | None = None
) -> tuple[Rouge, Rouge]:
    """Mean ROUGE of the scorer's summaries (with ``params``) and of Lead-k on one half of one set,
    at ``k`` sentences (the set's own k by default)."""
    rows = [i for i, item in enumerate(data.items) if data.halves[item.id] == half]
    articles, items = data.articles, data.items
    k = k or data.dataset.k
    ours = score_pairs(
        [
            (summarise(articles[i], k, scorer=scorer, params=params).summary.text, items[i].reference)
            for i in rows
        ]
    )
    texts = [[articles[i].text[s.start : s.end] for s in articles[i].sentences] for i in rows]
    leads = score_pairs(
        [
            (" ".join(t[j] for j in lead(len(t), k)), items[i].reference)
            for t, i in zip(texts, rows, strict=True)
        ]
    )
    return ours, leads


def main(argv: list[str] | None = None) -> None:
    """Label, fit, write the scorer, and print both halves against Lead-k."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--hidden", type=int, default=Training.hidden, help="hidden units")
    parser.add_argument("--epochs", type=int, default=Training.epochs)
    parser.add_argument("--l2", type=float, default=Training.l2, help="L2 penalty on the weights")
    parser.add_argument("--seeds", type=int, default=Training.seeds, help="networks averaged")
    parser.add_argument("--labels", choices=sorted(ORACLES), default=Training.labels, help="the oracle")
    parser.add_argument(
        "--margin",
        type=float,
        default=Training.margin,
        help="lead-swap labels: least gain in mean ROUGE F for a swap (0: any gain)",
    )
    parser.add_argument(
        "--budgets", type=int, nargs="*", default=[], help="other summary lengths to label at"
    )
    parser.add_argument(
        "--budget-share",
        type=float,
        default=Training.budget_share,
        help="the share of each article's weight on the other lengths",
    )
    parser.add_argument(
        "--half", choices=HALVES, default="A", help="the half trained on (B: the check the other way round)"
    )
    parser.add_argument("--out", type=Path, default=SCORER_FILE)
    args = parser.parse_args(argv)
    swaps = args.labels == "lead-swap"
    labeller = functools.partial(lead_swap_oracle, margin=args.margin) if swaps else ORACLES[args.labels]
    examples, loaded = load_examples(args.data, labeller, tuple(args.budgets))
    training = Training(
        budgets=tuple(args.budgets),
        budget_share=args.budget_share,
        hidden=args.hidden,
        epochs=args.epochs,
        l2=args.l2,
        seeds=args.seeds,
        labels=args.labels,
        margin=args.margin if swaps else 0.0,
    )
    version = f"mlp-{training.seeds}x{training.hidden}-{training.labels}"
    if training.margin:
        version += f"-m{training.margin:g}"
    scorer = train(examples, training, version=version, half=args.half)
    scorer = replace(scorer, version=f"{version}-{weights_digest(scorer)}")
    document = {
        **scorer.as_dict(),
        "trained_on": {
            dataset.name: sum(1 for e in examples if e.dataset == dataset.name and e.half == args.half)
            for dataset in DATASETS
        },
        "half": f"{args.half} ({'even' if args.half == 'A' else 'odd'} positions of the sorted ids)",
        "training": asdict(training),
        "command": "python -m bench.summary_train",
    }
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    reach = np.abs(scorer.hidden_weights) @ np.abs(scorer.output_weights)
    for name, weight in sorted(zip(FEATURE_NAMES, reach, strict=True), key=lambda p: -p[1]):
        print(f"  {name:<28} {weight:.3f}")  # how strongly the feature reaches the output
    for data in loaded:
        for half in HALVES:
            ours, leads = score_half(scorer, data, half)
            print(
                f"{data.dataset.name:<12} half {half} ({ours.n:>4}): scorer R1/R2 {ours.r1:6.2f} "
                f"{ours.r2:6.2f} Lead-{data.dataset.k} {leads.r1:6.2f} {leads.r2:6.2f}"
            )


if __name__ == "__main__":
    main()
