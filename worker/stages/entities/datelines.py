"""Datelines of wire copy: "LONDON 1996-08-30", "AL-AIN , United Arab Emirates 1996-12-06".

A dateline opens a story with the place it was filed from, in capitals, maybe followed by its
state or country, then the date (or the agency: "WASHINGTON (Reuters) -"). Models trained on
mixed-case text miss capitals; the shape says what the words are: places.
"""

import re
from dataclasses import replace

from worker.stages.entities.mentions import RawMention

_CAPS = r"[A-Z][A-Z'’.-]*[A-Z](?:\s+[A-Z][A-Z'’.-]*[A-Z])*"
_REGION = r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*"
_DATE = r"\d{4}-\d\d-\d\d|\d{1,2}/\d{1,2}/\d{2,4}|\((?:Reuters|AP|AFP|Reuter)\)"
DATELINE = re.compile(rf"(?<![\w'’-])({_CAPS})(?:\s*,\s*({_REGION}))?\s+(?:{_DATE})")


def dateline_places(text: str) -> list[tuple[int, int]]:
    """The spans of the place (and its region) in every dateline of ``text``."""
    spans = []
    for match in DATELINE.finditer(text):
        for group in (1, 2):
            if match.group(group):
                spans.append(match.span(group))
    return spans


def _cut(text: str, mention: RawMention, place: tuple[int, int]) -> RawMention | None:
    """What is left of ``mention`` before ``place`` ("Nadim Ladki" of "Nadim Ladki AL-AIN")."""
    end = place[0]
    while end > mention.start and text[end - 1] in " ,":
        end -= 1
    if mention.start >= place[0] or end <= mention.start:
        return None
    return replace(mention, end=end, text=text[mention.start : end])


def with_datelines(
    text: str, mentions: list[RawMention], tagged: list[tuple[int, int]]
) -> tuple[list[RawMention], list[tuple[int, int]]]:
    """Mentions and tagged spans with each dateline place a GPE mention of its own.

    A mention that ran into the place stops before it; one that was the place is relabelled.
    """
    places = dateline_places(text)
    if not places:
        return mentions, tagged
    out = list(mentions)
    for place in places:
        kept: list[RawMention] = []
        exact = False
        for mention in out:
            if mention.end <= place[0] or mention.start >= place[1]:
                kept.append(mention)
            elif (mention.start, mention.end) == place:
                kept.append(replace(mention, label="GPE"))
                exact = True
            else:
                cut = _cut(text, mention, place)
                if cut is not None:
                    kept.append(cut)
        if not exact:
            kept.append(RawMention(place[0], place[1], text[place[0] : place[1]], "GPE"))
        out = kept
    spans = [s for s in tagged if not any(s[0] < b and a < s[1] for a, b in places)]
    return sorted(out, key=lambda m: m.start), spans + [(m.start, m.end) for m in out]
