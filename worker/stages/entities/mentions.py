"""From raw NER spans to clean mentions: exact offsets, no punctuation, titles or glued neighbours."""

import re
from dataclasses import dataclass

from worker.stages.entities.spans import split_span, strip_title, strip_trailing, trim_span

# Named things; numeric labels (DATE, CARDINAL, MONEY, ...) are not entities of the article.
ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# A single capitalised word with a demonym ending ("Ukrainian", "Chinese", "Danish") names a
# people or an adjective, not a place.
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:ian|ean|ese|ish)$")
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
    """Correct labels that a surface form contradicts: a demonym tagged as a place is NORP."""
    if label in PLACE_LABELS and _DEMONYM.match(surface):
        return "NORP"
    return label


def clean_mentions(text: str, start: int, end: int, label: str) -> list[RawMention]:
    """The clean mentions inside one NER span ``[start, end)`` of ``text`` (often one, maybe none).

    Brackets, quotes, spaced dashes or numbers between names inside the span split it; edges
    lose punctuation, possessives, a leading "the" and trailing lower-case words (and for
    people and places trailing numbers); a person loses leading honorifics, and a span that
    starts with one is a person. Offsets stay exact into ``text``.
    """
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
        piece_start = strip_title(text, piece, piece_end) if label == "PERSON" else piece
        surface = text[piece_start:piece_end]
        if not any(ch.isalpha() for ch in surface):
            continue
        mentions.append(
            RawMention(piece_start, piece_end, surface, fix_label(surface, label), split=len(pieces) > 1)
        )
    return mentions
