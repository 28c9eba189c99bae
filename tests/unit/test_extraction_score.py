"""The benchmark's shingle metric on tiny handmade pages (so the metric itself is tested)."""

import gzip
import json
from pathlib import Path

import pytest

from bench import extraction
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


def test_the_benchmark_runs_end_to_end_on_two_handmade_pages(tmp_path: Path) -> None:
    story = "The council approved the new budget on Tuesday after a long debate about schools and roads."
    other = "Residents said the plan would close two libraries and cut bus routes in the north of the city."
    folder = tmp_path / "extraction"
    (folder / "html").mkdir(parents=True)
    pages = {
        "a" * 64: (
            f"<h1>Budget passes</h1><p>{story}</p><p>{other}</p><p>Advertisement</p>",
            f"{story}\n{other}",
        ),
        "b" * 64: (f"<p>{other}</p><p>{story}</p><p>Leave a Comment</p>", f"{other} {story}"),
    }
    truth = {}
    for key, (body, expected) in pages.items():
        html = f"<html><head><title>Budget passes</title></head><body><article>{body}</article></body></html>"
        with gzip.open(folder / "html" / f"{key}.html.gz", "wt", encoding="utf-8") as fh:
            fh.write(html)
        truth[key] = {"articleBody": expected, "url": f"https://example.com/{key[:4]}"}
    (folder / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    out = tmp_path / "result.json"
    extraction.main(["--data", str(tmp_path), "--out", str(out)])
    result = json.loads(out.read_text(encoding="utf-8"))["sets"]["extraction"]
    assert result["pages"] == 2
    assert result["rejected"] == {} and result["lost_pages"] == []
    stage = result["systems"]["newsflow clean stage"]
    assert len(stage["f1_halves"]) == 2 and stage["seconds_per_page"] >= 0
    assert stage["precision"] == pytest.approx(1.0) and stage["recall"] == pytest.approx(1.0)
    assert set(stage["pages_detail"]) == set(truth)


def test_halves_are_even_and_odd_positions() -> None:
    perfect, lost = PageCounts(1.0, 0.0, 0.0), PageCounts(0.0, 0.5, 0.5)
    assert extraction.halves([perfect, lost, perfect, lost]) == (1.0, 0.0)
    assert extraction.page_f1(lost) == 0.0 and extraction.page_f1(perfect) == 1.0
