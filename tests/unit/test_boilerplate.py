"""Boilerplate lines go; story sentences that merely mention the same words stay.

The cases live in ``tests/data/boilerplate_corpus.tsv``: a kind (or ``keep``) and a line.
"""

from pathlib import Path

import pytest

from worker.stages.boilerplate import boilerplate_kind, is_comment_heading

CORPUS = Path(__file__).resolve().parent.parent / "data" / "boilerplate_corpus.tsv"


def _corpus() -> list[tuple[str, str]]:
    rows = []
    for raw in CORPUS.read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            label, line = raw.split("\t", 1)
            rows.append((label, line))
    return rows


BOILERPLATE = [(label, line) for label, line in _corpus() if label != "keep"]
STORY = [line for label, line in _corpus() if label == "keep"]


def test_the_corpus_is_big_enough() -> None:
    assert len(BOILERPLATE) >= 40 and len(STORY) >= 40


@pytest.mark.parametrize(("kind", "line"), BOILERPLATE)
def test_boilerplate_lines_are_recognised(kind: str, line: str) -> None:
    assert boilerplate_kind(line) == kind


@pytest.mark.parametrize("line", STORY)
def test_story_lines_stay(line: str) -> None:
    assert boilerplate_kind(line) is None


def test_bullets_and_bars_around_a_line_are_ignored() -> None:
    assert boilerplate_kind("| Share this: |") == "share_bar"
    assert boilerplate_kind("• Advertisement •") == "advertisement"
    assert boilerplate_kind("   ") is None


def test_long_lines_are_never_boilerplate() -> None:
    long_line = "Leave a Comment " + "and the council kept talking about the budget " * 6
    assert boilerplate_kind(long_line) is None


@pytest.mark.parametrize(
    ("line", "opens"),
    [
        ("Comments", True),
        ("6 thoughts on “A post”", True),
        ("Leave a Reply", True),
        ("12 Comments", False),
        ("The comments were taken out of context.", False),
    ],
)
def test_comment_headings(line: str, opens: bool) -> None:
    assert is_comment_heading(line) is opens
