"""The benchmark's shingle metric on tiny handmade pages (so the metric itself is tested)."""

import pytest

from bench.shingle_score import PageCounts, aggregate, page_counts, shingles


def test_shingles_are_four_token_multisets() -> None:
    assert shingles("a b c d a b c d") == {
        ("a", "b", "c", "d"): 2,
        ("b", "c", "d", "a"): 1,
        ("c", "d", "a", "b"): 1,
        ("d", "a", "b", "c"): 1,
    }
    assert shingles("only three words") == {("only", "three", "words"): 1}
    assert shingles("") == {}
    assert shingles("it's a well-known fact, isn't it") == shingles("it s a well known fact isn t it")


def test_perfect_and_disjoint_pages() -> None:
    assert page_counts("one two three four five", "one two three four five") == PageCounts(1.0, 0.0, 0.0)
    assert page_counts("one two three four", "five six seven eight") == PageCounts(0.0, 0.5, 0.5)


def test_counts_are_normalised_by_their_sum() -> None:
    # truth: (a b c d), (b c d e), (c d e f); prediction: (a b c d), (b c d e), (c d e x)
    counts = page_counts("a b c d e f", "a b c d e x")
    assert counts == PageCounts(2 / 4, 1 / 4, 1 / 4)  # tp 2, fp 1, fn 1, each over their sum 4


def test_aggregate_means_and_f1_of_means() -> None:
    pages = [PageCounts(0.5, 0.5, 0.0), PageCounts(1.0, 0.0, 0.0), PageCounts(0.0, 0.0, 1.0)]
    scores = aggregate(pages)
    # precision skips the third page (tp + fp == 0); recall is defined on all three
    assert scores.precision == pytest.approx((0.5 + 1.0) / 2)
    assert scores.recall == pytest.approx((1.0 + 1.0 + 0.0) / 3)
    assert scores.f1 == pytest.approx(2 * 0.75 * (2 / 3) / (0.75 + 2 / 3))


def test_empty_prediction_on_empty_truth_counts_as_perfect() -> None:
    scores = aggregate([page_counts("", ""), PageCounts(1.0, 0.0, 0.0)])
    assert (scores.precision, scores.recall) == (1.0, 1.0)
