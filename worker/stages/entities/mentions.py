"""From raw NER spans to clean mentions: exact offsets, no punctuation, titles or glued neighbours."""

import re
from dataclasses import dataclass

from worker.stages.entities.spans import split_span, strip_title, trim_span

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

    Brackets or quotes inside the span split it, edges lose punctuation, possessives and a
    leading "the", and a person loses leading honorifics. Offsets stay exact into ``text``.
    """
    label = SCHEME_LABELS.get(label, label)
    if label not in ENTITY_LABELS:
        return []
    bounds = trim_span(text, start, end)
    if bounds is None:
        return []
    pieces = split_span(text, *bounds)
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
