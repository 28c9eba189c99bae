"""Cleaning one NER span: glued names split apart, trailing words and numbers, honorifics."""

import pytest

from worker.stages.entities.mentions import clean_mentions, fix_label


def _clean(text: str, label: str) -> list[tuple[str, str]]:
    return [(m.text, m.label) for m in clean_mentions(text, 0, len(text), label)]


@pytest.mark.parametrize(
    ("span", "label", "expected"),
    [
        ("Arsenal 2 Derby 2 Chelsea", "ORG", [("Arsenal", "ORG"), ("Derby", "ORG"), ("Chelsea", "ORG")]),
        ("SOCCER - FRENCH LEAGUE", "ORG", [("SOCCER", "ORG"), ("FRENCH LEAGUE", "ORG")]),
        ("Dampier / Kaohsiung", "GPE", [("Dampier", "GPE"), ("Kaohsiung", "GPE")]),
        ("Ferguson 34", "PERSON", [("Ferguson", "PERSON")]),
        ("Channel 4", "ORG", [("Channel 4", "ORG")]),  # organisations may end in a number
        ("Windows 95", "PRODUCT", [("Windows 95", "PRODUCT")]),
        ("Interfax news agency", "ORG", [("Interfax", "ORG")]),
        ("Bank of England", "ORG", [("Bank of England", "ORG")]),
        ("Mr Stearns", "ORG", [("Stearns", "PERSON")]),  # an honorific makes a person
        ("General Motors", "ORG", [("General Motors", "ORG")]),  # an office is not an honorific
        ("Coca-Cola", "ORG", [("Coca-Cola", "ORG")]),
    ],
)
def test_a_span_is_cleaned_into_its_mentions(span: str, label: str, expected: list[tuple[str, str]]) -> None:
    assert _clean(span, label) == expected


@pytest.mark.parametrize(
    ("surface", "label", "expected"),
    [
        ("Nick Price", "ORG", "PERSON"),
        ("Jean-Luc Brassard", "ORG", "PERSON"),
        ("Michael Owen", "GPE", "PERSON"),
        ("John Lewis Partnership", "ORG", "ORG"),  # a word of an organisation's name
        ("Victoria Station", "FAC", "FAC"),
        ("Manchester United", "ORG", "ORG"),  # no first name
        ("Paul", "ORG", "ORG"),  # a first name alone says nothing
        ("Ukrainian", "GPE", "NORP"),
        ("Mark Smith", "DATE", "DATE"),  # only named things change
        ("Vera Drake", "WORK_OF_ART", "WORK_OF_ART"),  # films and products are often named after people
    ],
)
def test_labels_the_surface_contradicts_are_fixed(surface: str, label: str, expected: str) -> None:
    assert fix_label(surface, label) == expected
