"""Both ways round: train the summary scorer on one half, score the other, then the reverse.

    python -m bench.summary_crossfit [--data DIR] [--margin M] [--hidden H] [--seeds S] [--l2 L]
                                     [--lead-bonus B [B ...]] [--budgets K ...] [--budget-share S]

``bench.summary_train`` fits on half A and ``bench.summaries`` reports half B as the check; with
a few hundred CNN/DM stories, one check half is a small sample. This fits the same network twice
(on A, then on B) and scores each on the half it did not see, printing per set R1/R2 and their gap
to Lead-k on the same sentence splits. A setting that generalises keeps both directions at or above
Lead-k; one that only suits the tuning half shows it in the reverse direction. Nothing is written
to the package.
"""

import argparse
import functools
from dataclasses import replace
from pathlib import Path

from bench import summary_train
from bench.common import HALVES
from bench.summary_data import DEFAULT_DATA
from bench.summary_oracle import lead_swap_oracle
from worker.stages.summary.scores import ScoringParams
from worker.stages.summary.stage import DEFAULT_PARAMS


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
    parser.add_argument(
        "--lead-bonus",
        type=float,
        nargs="+",
        default=[ScoringParams.lead_bonus],
        help="log-odds added to the first k candidates; several values are scored side by side",
    )
    parser.add_argument("--budgets", type=int, nargs="*", default=[], help="other lengths to label at")
    parser.add_argument("--budget-share", type=float, default=summary_train.Training.budget_share)
    args = parser.parse_args(argv)
    examples, loaded = summary_train.load_examples(
        args.data, functools.partial(lead_swap_oracle, margin=args.margin), tuple(args.budgets)
    )
    training = summary_train.Training(
        hidden=args.hidden,
        seeds=args.seeds,
        l2=args.l2,
        margin=args.margin,
        budgets=tuple(args.budgets),
        budget_share=args.budget_share,
    )
    print(f"margin {args.margin}, {training.seeds} networks of {training.hidden}, L2 {training.l2}")
    for trained in HALVES:
        scorer = summary_train.train(examples, training, version="crossfit", half=trained)
        scored = other(trained)
        for bonus in args.lead_bonus:
            params = replace(DEFAULT_PARAMS, lead_bonus=bonus)
            for data in loaded:
                ours, leads = summary_train.score_half(scorer, data, scored, params)
                print(
                    f"{data.dataset.name:<12} {trained} -> {scored}  lead bonus {bonus:<4g}"
                    f"  newsflow {ours.r1:6.2f} {ours.r2:6.2f}  Lead-k {leads.r1:6.2f} {leads.r2:6.2f}"
                    f"  gap {ours.r1 - leads.r1:+6.2f} {ours.r2 - leads.r2:+6.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
