"""From raw NER spans to clean mentions: exact offsets, no punctuation, titles or glued neighbours."""

import re
from dataclasses import dataclass

from worker.stages.entities.first_names import is_first_name
from worker.stages.entities.spans import split_span, strip_title, strip_trailing, trim_span

# Named things; numeric labels (DATE, CARDINAL, MONEY, ...) are not entities of the article.
ENTITY_LABELS = frozenset(
    {
        "PERSON",
        "ORG",
        "GPE",
        "LOC",
        "NORP",
        "FAC",
        "EVENT",
        "PRODUCT",
        "WORK_OF_ART",
        "LAW",
        "LANGUAGE",
        "MISC",
    }
)
# Models trained on the CoNLL/WikiNER scheme (the French one, and most non-English models) tag
# PER, LOC, ORG and MISC: they take the project's labels. Their LOC covers countries and cities,
# which the English scheme calls GPE; GPE is what most of them are in news.
SCHEME_LABELS = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG", "MISC": "MISC"}
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# A single capitalised word with a demonym ending ("Ukrainian", "Chinese", "Danish") names a
# people or an adjective, not a place.
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:ian|ean|ese|ish)$")
_NAME_WORD = re.compile(r"^[A-Z][a-z]+(?:-[A-Z]?[a-z]+)*$")
_NAMED_AFTER_PEOPLE = frozenset({"ORG", "GPE", "LOC", "FAC", "NORP"})  # titles, products: "Vera Drake"
# Words that make a name an organisation's, a place's or a thing's, not a person's.
_NOT_PERSONAL_WORDS = """
    street road avenue lane square station airport bridge park hall house centre center college
    university school hospital church cathedral stadium arena theatre theater museum gallery island
    islands valley river lake mountain mount city county district hill bay group company partnership
    holdings trust foundation bank fund capital media records films studios pictures airways airlines
    motors electric energy partners associates institute society club united rovers athletic
    wanderers town council party league cup prize award awards trophy open championship games festival
"""
_NOT_PERSONAL = frozenset(_NOT_PERSONAL_WORDS.split())
# A personal honorific at the start of a span makes it a person, whatever the model said.
_HONORIFIC_START = re.compile(
    r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Lady|Lord|Baroness)\.?\s+[A-Z]"
)
# Names of works and products may end in lower-case words or numbers ("Windows 95").
_FREE_FORM = frozenset({"WORK_OF_ART", "PRODUCT", "EVENT", "LAW"})
# Places and people never end in a number; organisations may ("Channel 4").
_NO_TRAILING_NUMBER = frozenset({"PERSON", "GPE", "LOC"})


@dataclass(frozen=True)
class RawMention:
    """One cleaned NER mention in the body, before mentions are merged into entities."""

    start: int
    end: int
    text: str
    label: str
    split: bool = False  # cut out of a span that glued several things together


def fix_label(surface: str, label: str) -> str:
    """Correct labels that a surface form contradicts.

    A demonym tagged as a place is NORP; a widespread first name and a surname ("Nick Price",
    "Jean-Luc Brassard") tagged as something else is a PERSON, unless a word says the name is
    an organisation's or a place's ("John Lewis Partnership", "Victoria Station").
    """
    if label in PLACE_LABELS and _DEMONYM.match(surface):
        return "NORP"
    if label != "PERSON" and label in _NAMED_AFTER_PEOPLE and looks_like_a_person(surface):
        return "PERSON"
    return label


def looks_like_a_person(surface: str) -> bool:
    """Two or three capitalised words, the first a widespread first name, none an org's or a place's."""
    words = surface.split()
    if not 2 <= len(words) <= 3 or not all(_NAME_WORD.match(word) for word in words):
        return False
    if any(word.casefold() in _NOT_PERSONAL for word in words):
        return False
    return is_first_name(words[0].split("-")[0])


def clean_mentions(text: str, start: int, end: int, label: str, language: str = "en") -> list[RawMention]:
    """The clean mentions inside one NER span ``[start, end)`` of ``text`` (often one, maybe none).

    Brackets, quotes, spaced dashes or numbers between names inside the span split it; edges
    lose punctuation, possessives, a leading "the" and trailing lower-case words (and for
    people and places trailing numbers); a person loses leading honorifics, and a span that
    starts with one is a person. Offsets stay exact into ``text``; ``language`` picks the
    honorifics.
    """
    label = SCHEME_LABELS.get(label, label)
    if label not in ENTITY_LABELS:
        return []
    bounds = trim_span(text, start, end)
    if bounds is None:
        return []
    if _HONORIFIC_START.match(text, bounds[0], bounds[1]):
        label = "PERSON"
    pieces = split_span(text, *bounds)
    if label not in _FREE_FORM:
        numbers = label in _NO_TRAILING_NUMBER
        pieces = [(a, strip_trailing(text, a, b, numbers=numbers)) for a, b in pieces]
    mentions = []
    for piece, piece_end in pieces:
        piece_start = strip_title(text, piece, piece_end, language) if label == "PERSON" else piece
        surface = text[piece_start:piece_end]
        if not any(ch.isalpha() for ch in surface):
            continue
        mentions.append(
            RawMention(piece_start, piece_end, surface, fix_label(surface, label), split=len(pieces) > 1)
        )
    return mentions
