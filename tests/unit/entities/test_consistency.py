"""One sense per discourse: missed occurrences become mentions, honorifics make persons."""

import re

from worker.stages.entities.consistency import after_honorific, occurrences, propagate
from worker.stages.entities.mentions import RawMention


def _mention(text: str, form: str, label: str, nth: int = 0) -> RawMention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(form, start + 1)
    return RawMention(start, start + len(form), form, label)


def _found(mentions: list[RawMention]) -> list[tuple[str, str]]:
    return [(m.text, m.label) for m in mentions]


def test_later_occurrences_surnames_and_honorifics_become_mentions() -> None:
    text = "Ed Balls spoke. Later Mr Balls left, and Balls said Ed Balls would return."
    result = propagate(text, [_mention(text, "Ed Balls", "PERSON")], [], [0, 16])
    assert _found(result) == [
        ("Ed Balls", "PERSON"),
        ("Balls", "PERSON"),
        ("Balls", "PERSON"),
        ("Ed Balls", "PERSON"),
    ]
    for mention in result:
        assert text[mention.start : mention.end] == mention.text


def test_an_honorific_makes_a_person_whatever_the_model_said() -> None:
    text = "Talks went on. Mr Shiga said no, and Dr. Stearns agreed with Mr Shiga."
    result = propagate(text, [_mention(text, "Shiga", "GPE")], [], [0, 15])
    assert _found(result) == [("Shiga", "PERSON"), ("Stearns", "PERSON"), ("Shiga", "PERSON")]
    assert after_honorific(text, text.index("Stearns"))
    assert not after_honorific(text, text.index("Talks"))


def test_occurrences_inside_other_spans_and_ambiguous_capitals_are_left_alone() -> None:
    text = "Gordon Brown met Brown Shipley. Brown shoes were brown. Brown replied."
    shipley = text.index("Brown Shipley")
    result = propagate(
        text,
        [_mention(text, "Gordon Brown", "PERSON"), RawMention(shipley, shipley + 13, "Brown Shipley", "ORG")],
        [],
        [0, 32, 56],
    )
    # "Brown" inside the bank's name, and at sentence starts of a text that writes "brown", stays out
    assert _found(result) == [("Gordon Brown", "PERSON"), ("Brown Shipley", "ORG")]


def test_dates_the_model_tagged_block_a_form_and_capitals_match() -> None:
    text = "Theresa May spoke in May. CAMPESE RETIRES as Campese leaves."
    may_date = text.index("May.")
    result = propagate(
        text,
        [_mention(text, "Theresa May", "PERSON"), _mention(text, "Campese", "PERSON")],
        [(may_date, may_date + 3)],
        [0, 26],
    )
    assert _found(result) == [("Theresa May", "PERSON"), ("CAMPESE", "PERSON"), ("Campese", "PERSON")]


def test_a_surname_takes_in_the_misspelt_first_name_before_it() -> None:
    text = "Liam Gallagher sang. Later Linm Gallagher left, and Oasis Gallagher stayed."
    gallagher = text.index("Gallagher", 30)
    result = propagate(text, [_mention(text, "Liam Gallagher", "PERSON")], [], [0, 21])
    assert ("Linm Gallagher", "PERSON") in _found(result)
    assert ("Gallagher", "PERSON") in _found(result)  # "Oasis" is no spelling of "Liam"
    assert all(m.start != gallagher for m in result)


def test_a_form_that_starts_a_longer_name_is_left_alone() -> None:
    text = "Ford sold more. The Ford Mustang sold well, and Ford said so."
    result = propagate(text, [_mention(text, "Ford", "ORG")], [], [0, 15])
    assert [m.start for m in result] == [0, text.index("Ford said")]


def test_occurrences_are_what_one_alternation_would_find() -> None:
    text = "Kim Jong Un met Kim. Kimberly and Kim's aide saw US-led U.S. forces; KIM, Kim Jong Un-style."
    forms = ["Kim Jong Un", "Kim", "US", "U.S.", "KIM"]
    alternation = re.compile(r"(?<![\w'’-])(?:" + "|".join(map(re.escape, forms)) + r")(?![\w-]|['’]\w\w)")
    expected = [(m.start(), m.end(), m.group()) for m in alternation.finditer(text)]
    assert occurrences(text, forms) == expected
    assert [form for _, _, form in expected] == ["Kim Jong Un", "Kim", "Kim", "U.S.", "KIM", "Kim"]
