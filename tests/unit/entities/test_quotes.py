"""Quotations and their speakers, on handmade mentions (no model)."""

import re
from collections.abc import Iterator

from pytest import MonkeyPatch

from worker.stages.entities import quote_pronouns, quotes
from worker.stages.entities.quotes import Located, find_quotes


def _attribute(text: str, names: dict[str, str]) -> list[tuple[str, str | None]]:
    mentions = [
        Located(m.start(), m.end(), entity_id)
        for name, entity_id in names.items()
        for m in re.finditer(rf"\b{re.escape(name)}\b", text)
    ]
    sentences, start = [], 0
    for match in re.finditer(r"(?<=[.!?”])\s+(?=[A-Z“])", text):
        sentences.append((start, match.start()))
        start = match.end()
    sentences.append((start, len(text)))
    quotes = find_quotes(text, sentences, mentions)
    for quote in quotes:
        assert text[quote.start - 1] in '“"' and text[quote.end] in '”"'
    return [(text[q.start : q.end], q.speaker) for q in quotes]


NAMES = {"Putin": "e1", "Kim": "e2", "RIA": "e3"}


def test_speaker_after_the_quote() -> None:
    assert _attribute("“We will win this war,” said Putin, who smiled.", NAMES) == [
        ("We will win this war,", "e1")
    ]
    assert _attribute("“Our ties are now an alliance,” Kim said.", NAMES) == [
        ("Our ties are now an alliance,", "e2")
    ]


def test_quoted_as_saying_gives_the_quoted_one() -> None:
    text = "“We value your support,” RIA quoted Putin as saying."
    assert _attribute(text, NAMES) == [("We value your support,", "e1")]


def test_quoted_as_saying_reads_the_word_before_the_name_only() -> None:
    said = "“We value your support,” RIA {} Putin as saying."
    for verb in ("quoted", "was quoting", "quotes", "quoted \n "):
        assert _attribute(said.format(verb), NAMES) == [("We value your support,", "e1")], verb
    for verb in ("misquoted", "quoted the aide of", "quote"):
        assert _attribute(said.format(verb), NAMES) == [("We value your support,", None)], verb


def test_a_sentence_of_many_quotes_and_names_is_searched_near_each_name(monkeypatch: MonkeyPatch) -> None:
    """One sentence of a whole page (no full stop: a transcript, a page sent as text) holds
    thousands of quotes and names; each name is checked for "quoted" just before it, not by
    searching the sentence from its start (quadratic in the sentence: minutes on real pages)."""
    searched: list[int] = []
    pattern = quotes._QUOTED

    class Counting:
        def search(self, text: str, start: int, end: int) -> re.Match[str] | None:
            searched.append(end - start)
            return pattern.search(text, start, end)

    monkeypatch.setattr(quotes, "_QUOTED", Counting())
    text = " ".join(f"RIA quoted Putin as saying “we will meet again {i} times”, and" for i in range(300))
    found = _attribute(text, NAMES)
    assert len(found) == 300 and {speaker for _, speaker in found} == {"e1"}
    assert searched and max(searched) <= len("quoting ")


def test_a_paragraph_of_many_pronoun_quotes_is_scanned_for_names_once(monkeypatch: MonkeyPatch) -> None:
    """Names the model missed are looked for once per paragraph, not once per "he said"."""
    scans: list[tuple[int, int]] = []
    pattern = quote_pronouns._PAIR

    class Counting:
        def finditer(self, text: str, start: int, end: int) -> Iterator[re.Match[str]]:
            scans.append((start, end))
            return pattern.finditer(text, start, end)

    monkeypatch.setattr(quote_pronouns, "_PAIR", Counting())
    one = " ".join(f"Kim met officials. “We will meet again {i} times,” he said." for i in range(300))
    two = "Kim met Helen Price. “We agreed on almost everything,” he said. “We will be back soon,” he added."
    text = f"{one}\n\n{two}"
    kim = [Located(m.start(), m.end(), "e2", "PERSON") for m in re.finditer("Kim", text)]
    sentences = [(m.start(), m.end()) for m in re.finditer(r"[^.”]+(?:”[^.]+)?\.", text)]
    found = find_quotes(text, sentences, kim)
    assert [quote.speaker for quote in found] == ["e2"] * 300 + [None, None]  # Helen Price: two people
    assert len(scans) == len(set(scans)) <= 2


def test_speaker_before_the_quote_in_the_same_sentence() -> None:
    text = 'Kim said the pact was "strictly peace-loving and defensive" in nature.'
    assert _attribute(text, NAMES) == [("strictly peace-loving and defensive", "e2")]


def test_unknown_speakers_and_scare_quotes() -> None:
    text = "“Full support for all allies,” he said. Kim called it an “alliance”. Putin smiled."
    assert _attribute(text, NAMES) == [("Full support for all allies,", None)]
    no_verb = "Putin praised the “firm and lasting friendship” with Kim."
    assert _attribute(no_verb, NAMES) == [("firm and lasting friendship", None)]


def test_a_quote_never_crosses_a_paragraph() -> None:
    text = "“An open quote with no end\n\nKim said “it is a new era” today."
    assert _attribute(text, NAMES) == [("it is a new era", "e2")]
