"""Typographic repair: what must change and what must stay."""

import unicodedata

import pytest

from worker.stages.clean.limits import _CONTROL, is_binary
from worker.stages.clean.repair import paragraphs, repair_encoding, repair_typography


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Russia`s(Vladimar Putin)", "Russia’s (Vladimar Putin)"),
        ("the North`s leader", "the North’s leader"),
        ("(Kim Jong Un)and", "(Kim Jong Un) and"),
        ("talks ended.The next day", "talks ended. The next day"),
        ("Paris,London and Rome", "Paris, London and Rome"),
        ("two  spaces\tand tab", "two spaces and tab"),
        ("an “alliance”and more", "an “alliance” and more"),
        ("he said:“We won.”Then", "he said: “We won.” Then"),
        ("Russia′s war", "Russia’s war"),
    ],
)
def test_noise_is_repaired(before: str, after: str) -> None:
    assert repair_typography(before) == after


@pytest.mark.parametrize(
    "kept",
    [
        "See https://example.com/a,b(c).Html?x=1 for details",
        "Growth was 3.5 per cent, or 1,000 jobs",
        "The U.N.Security Council met",
        "Call f(x) or word(s) in code",
        "Meet at 10:30 on e.g.Monday",
        "Mail press@example.org today",
        "She said “yes”, then left",
        "The “Don’t Jerk and Drive” campaign (2014)",
        "Version 2.0.1 of node.js at 09:45",
    ],
)
def test_look_alikes_are_left_alone(kept: str) -> None:
    assert repair_typography(kept) == kept


def test_encoding_is_repaired_and_quotes_stay_curly() -> None:
    assert repair_encoding("The â€œallianceâ€\x9d") == "The “alliance”"
    assert repair_encoding("zero\u200bwidth") == "zerowidth"
    assert repair_encoding("“curly” ‘quotes’") == "“curly” ‘quotes’"


def test_paragraphs_split_on_blank_lines() -> None:
    assert paragraphs("One\r\n\r\n  Two a\nTwo b \n\n\n\nThree") == ["One", "Two a\nTwo b", "Three"]


def test_binary_is_recognised() -> None:
    assert is_binary("abc\x00def")
    assert is_binary("".join(chr(i % 31 + 1) for i in range(2000)))
    assert not is_binary("An ordinary sentence.\n\nAnother one.")


def test_the_control_class_is_exactly_the_control_categories() -> None:
    """is_binary counts with one regex: it must match the categories Cc, Cs and Co, no more."""
    wrong = [
        cp
        for cp in range(0x110000)
        if (unicodedata.category(chr(cp)) in ("Cc", "Cs", "Co") and chr(cp) not in "\t\n\r")
        != bool(_CONTROL.fullmatch(chr(cp)))
    ]
    assert wrong == []
