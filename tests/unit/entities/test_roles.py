"""Organisations named by their role."""

from worker.stages.entities.mentions import RawMention
from worker.stages.entities.roles import organisations_by_role


def _run(text: str, mentions: list[RawMention]) -> tuple[list[tuple[str, str]], list[str]]:
    taken = [(m.start, m.end) for m in mentions]

    def free(start: int, end: int) -> bool:
        return not any(start < b and a < end for a, b in taken)

    relabelled, added = organisations_by_role(text, mentions, free)
    return [(m.text, m.label) for m in relabelled], [m.text for m in added]


def test_a_name_after_a_role_noun_is_an_organisation() -> None:
    text = (
        "Russian state news agency RIA quoted him, and the broadcaster NHK and Interfax news agency agreed."
    )
    assert _run(text, []) == ([], ["RIA", "NHK", "Interfax"])


def test_peoples_places_and_persons_are_no_organisations_by_role() -> None:
    text = "A Russian news agency said the broadcaster David Attenborough met the club Barcelona."
    attenborough = text.index("David Attenborough")
    barcelona = text.index("Barcelona")
    mentions = [
        RawMention(attenborough, attenborough + 18, "David Attenborough", "PERSON"),
        RawMention(barcelona, barcelona + 9, "Barcelona", "GPE"),
    ]
    assert _run(text, mentions) == ([("David Attenborough", "PERSON"), ("Barcelona", "ORG")], [])
