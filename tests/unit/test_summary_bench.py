"""The summary benchmark's own code, on tiny handmade inputs: ROUGE means, anchors, the cache."""

from pathlib import Path

import numpy as np
import pytest

from bench.summaries import SWEEP, sweep_table
from bench.summary_anchors import lead, lexrank, lexrank_scores, textrank, top_k
from bench.summary_data import Item, cached_map
from bench.summary_scoring import Rouge, article_scores, beats, paired_gap, score_pairs


def test_rouge_means_are_percent_f_measures() -> None:
    assert score_pairs([("the cat sat", "the cat sat")]).r1 == pytest.approx(100.0)
    assert score_pairs([("dogs bark", "the cat sat")]).r2 == 0.0
    mixed = score_pairs([("the cat sat", "the cat sat"), ("dogs bark", "the cat sat")])
    assert mixed.r1 == pytest.approx(50.0) and mixed.n == 2
    # Porter stemming: "running" matches "runs"
    assert score_pairs([("running", "runs")]).r1 == pytest.approx(100.0)
    assert score_pairs([]).r1 == 0.0


def test_goal_needs_both_r1_and_r2_at_least_the_best_anchor() -> None:
    anchors = [Rouge(40.0, 17.0, 25.0, 1), Rouge(38.0, 18.0, 25.0, 1)]
    assert beats(Rouge(40.0, 18.0, 20.0, 1), anchors)
    assert not beats(Rouge(41.0, 17.5, 30.0, 1), anchors)


def test_anchor_picks() -> None:
    assert lead(2, 3) == [0, 1] and lead(5, 3) == [0, 1, 2]
    assert top_k([0.1, 0.5, 0.5, 0.9], 2) == [1, 3]  # earlier wins the tie
    texts = ["rates rise at the bank", "the bank lifts rates", "a cat sleeps", "bank rates rise"]
    assert lexrank_scores(texts).sum() == pytest.approx(1.0)
    assert 2 not in lexrank(texts, 2)
    assert textrank([0.3, 0.1, 0.2], 2) == [1, 2]


def test_cache_is_reused_and_refreshed(tmp_path: Path) -> None:
    items = [Item("a", "one", "ref"), Item("b", "two", "ref")]
    calls: list[str] = []

    def compute(item: Item) -> str:
        calls.append(item.id)
        return item.article.upper()

    cache = tmp_path / "c.jsonl"
    assert cached_map(items, cache, "m", compute) == (["ONE", "TWO"], 0)
    assert cached_map(items, cache, "m", compute) == (["ONE", "TWO"], 2)
    assert cached_map(items, cache, "other-model", compute)[1] == 0
    assert cached_map(items, cache, "m", compute, refresh=True)[1] == 0
    assert calls == ["a", "b", "a", "b", "a", "b"]


def test_paired_gap_is_the_mean_difference_with_an_interval_around_it() -> None:
    ours = article_scores([("the cat sat", "the cat sat"), ("dogs bark", "the cat sat")] * 20)
    lead_like = article_scores([("the cat", "the cat sat"), ("the dogs", "the cat sat")] * 20)
    gap = paired_gap(ours, lead_like)
    assert gap.r1 == pytest.approx(float((ours[:, 0] - lead_like[:, 0]).mean()))
    assert gap.low < gap.r1 < gap.high  # the articles disagree, so the interval has width
    same = paired_gap(ours, ours)
    assert (same.r1, same.low, same.high) == (0.0, 0.0, 0.0)
    assert paired_gap(np.zeros((0, 3)), np.zeros((0, 3))).r1 == 0.0
    assert paired_gap(ours, lead_like, seed=1) == paired_gap(ours, lead_like, seed=1)  # runs repeat


def test_the_length_sweep_prints_newsflow_minus_lead_per_half_and_length() -> None:
    def row(k: int, half: str, ours: float) -> dict[str, object]:
        return {
            "k": k,
            "half": half,
            "newsflow": {"r1": ours, "r2": ours / 2},
            "lead": {"r1": 30.0, "r2": 15.0},
        }

    rows = [row(k, half, 30.0 + k + (half == "B")) for k in SWEEP for half in ("A", "B")]
    printed = sweep_table([{"dataset": "toy", "k": 3, "length_sweep": rows}]).splitlines()
    assert printed[1].split()[:4] == ["toy", "A", "+1.00", "+0.50"]  # k=1: 31 vs 30, 15.5 vs 15
    assert printed[2].split()[:4] == ["toy", "B", "+2.00", "+1.00"]
    assert "+3.00*" not in printed[1] and "+1.50*" in printed[1]  # the set's own k is starred
