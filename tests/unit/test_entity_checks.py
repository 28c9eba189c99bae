"""How bench/entity_checks.py builds its cases, on handmade text."""

import random

from bench.entity_checks import Name, apart_cases, full_names, honorific_cases, typo, typo_case


def _spans(text: str, *forms: str) -> list[tuple[int, int]]:
    spans, cursor = [], 0
    for form in forms:
        start = text.index(form, cursor)
        spans.append((start, start + len(form)))
        cursor = start + 1
    return spans


def test_full_names_honorific_and_apart_cases() -> None:
    text = "Mr Ed Balls met Yvette Cooper and Ann Balls. Mr Balls left; Ms Cooper stayed. Ed Balls won."
    names = full_names(text, _spans(text, "Mr Ed Balls", "Yvette Cooper", "Ann Balls", "Ed Balls"))
    assert [n.words for n in names] == [
        ("Ed", "Balls"),
        ("Yvette", "Cooper"),
        ("Ann", "Balls"),
        ("Ed", "Balls"),
    ]
    assert names[0].start == text.index("Ed Balls")  # the honorific is not part of the name
    cases = list(honorific_cases(text, names))
    # "Mr Balls" is ambiguous (two Balls), "Ms Cooper" is not
    assert [(n.words, text[a:b]) for n, a, b in cases] == [(("Yvette", "Cooper"), "Cooper")]
    assert [(a.words, b.words) for a, b in apart_cases(names)] == [(("Ed", "Balls"), ("Ann", "Balls"))]


def test_typos_change_one_letter_after_the_first_and_are_seeded() -> None:
    rng = random.Random("13:business/001")
    for _ in range(200):
        wrong = typo("Alicia", rng)
        assert wrong != "Alicia" and wrong[0] == "A" and abs(len(wrong) - 6) <= 1
    names = [Name(0, 8, ("Ed", "Balls")), Name(10, 22, ("Paul", "Tucker")), Name(30, 42, ("Paul", "Tucker"))]
    first = typo_case(names, random.Random("13:x"))
    assert first is not None and first[0].start == 10 and first[1].start == 30 and first[2] != "Paul"
    assert typo_case(names, random.Random("13:x")) == first
    assert typo_case(names[:2], random.Random("13:x")) is None  # no name written twice
