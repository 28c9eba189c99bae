"""'…, he said' takes the nearest preceding named speaker when unambiguous: a hand-labelled set.

Hand-written paragraphs (not copied from any data set); each quotation's expected speaker is the
full name of the entity, or None where the text does not say who it is. Run with the real model.
"""

import pytest

from schemas import CleanArticle
from worker.config import Settings
from worker.nlp import load_nlp
from worker.stages.entities import analyse
from worker.stages.entities.quotes import find_quotes

# (text, [(first word of the quotation, expected speaker name or None), ...])
LABELLED: list[tuple[str, list[tuple[str, str | None]]]] = [
    (
        "Sarah Jenkins, the head teacher, welcomed the report. "
        "“This is a great day for the school,” she said.",
        [("This", "Sarah Jenkins")],
    ),
    (
        "Talks between the unions and the company broke down on Monday.\n\n"
        "Union leader Brian Holloway was angry. “They never wanted a deal,” he said. "
        "“We will ballot our members next week,” he added.",
        [("They", "Brian Holloway"), ("We", "Brian Holloway")],
    ),
    (
        "Mark Davies met Helen Price at the conference.\n\n“We agreed on almost everything,” he said.",
        [("We", None)],  # two people: ambiguous
    ),
    (
        "The minister, Alan Grant, defended the budget.\n\n"
        "“Nobody wants higher taxes, but the hospitals need the money,” he told reporters.",
        [("Nobody", "Alan Grant")],
    ),
    (
        "Prices rose again in March.\n\n“It is a worrying sign for the economy,” she said.",
        [("It", None)],  # nobody named before
    ),
    (
        "“We were unlucky today,” said coach Peter Walsh. “The referee made two bad calls,” he added.",
        [("We", "Peter Walsh"), ("The", "Peter Walsh")],
    ),
    (
        "Anna Kowalski won the race in record time.\n\n"
        "“I have trained for this for four years,” she said. "
        "“My family is here and that means everything,” she added.",
        [("I", "Anna Kowalski"), ("My", "Anna Kowalski")],
    ),
    (
        "Police arrested two men on Friday.\n\n"
        "Detective Inspector Ruth Morgan said the inquiry was continuing. "
        "“We would like anyone who saw the car to contact us,” she said.",
        [("We", "Ruth Morgan")],
    ),
    (
        "“The plan will cost far too much,” they said in a statement issued by the council.",
        [("The", None)],  # "they": no single speaker
    ),
]


def _speakers(text: str) -> list[tuple[str, str | None]]:
    article = CleanArticle(
        article_id="quotes",
        content_hash="0" * 64,
        title="",
        text=text,
        language="en",
        language_confidence=1.0,
        pipeline_version="test",
    )
    result = analyse(article, load_nlp(Settings().spacy_model))
    names = {e.id: e.name for e in result.entities}
    return [(q.text.split()[0], names.get(q.speaker) if q.speaker else None) for q in result.quotes]


@pytest.fixture(scope="module")
def outcomes() -> list[tuple[str | None, str | None]]:
    pairs: list[tuple[str | None, str | None]] = []
    for text, expected in LABELLED:
        found = dict(_speakers(text))
        pairs.extend((speaker, found.get(word, "missing")) for word, speaker in expected)
    return pairs


def test_pronoun_quotes_take_the_one_named_speaker(outcomes: list[tuple[str | None, str | None]]) -> None:
    correct = sum(expected == found for expected, found in outcomes)
    wrong = [(e, f) for e, f in outcomes if e != f]
    assert correct / len(outcomes) >= 0.9, wrong
    assert not [(e, f) for e, f in wrong if e is None], wrong  # never a guess where the text says nothing


def test_a_pronoun_never_names_a_speaker_that_is_not_an_entity() -> None:
    text = 'Helen Price spoke first.\n\n"We will keep the school open this year," she said.'
    found = find_quotes(text, [(0, 24), (26, len(text))], [])
    assert [q.speaker for q in found] == [None]  # the only person is one the model missed
