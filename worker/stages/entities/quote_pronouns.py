"""Rule 4 of ``quotes``: the speaker of "…,” he said" is the one person named before the quote.

The one person named in the quote's paragraph before it, or, when that paragraph names nobody
before it, the one person the previous paragraph names. Two people there (a name the model
missed but that reads as a person's counts too) or none leave the speaker unknown.

A paragraph's capitalised pairs (names the model may have missed) are found once per paragraph,
not once per quote: a paragraph of a whole page or transcript holds thousands of quotes, and
scanning it again for each made the stage take minutes (cubic in its length).
"""

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from worker.stages.entities.mentions import looks_like_a_person

_PAIR = re.compile(r"(?<![\w'’-])[A-Z][a-z]+ [A-Z][a-z]+(?![\w'’-])")
GAP = re.compile(r"[\s,:;.!?–—-]*")


class Mention(Protocol):
    """A mention of an entity: ``quotes.Located``."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def entity_id(self) -> str: ...
    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class _Pairs:
    """The capitalised pairs of a stretch of text, in order: spans and surfaces."""

    ends: list[int]
    spans: list[tuple[int, int, str]]


class PronounSpeakers:
    """The pronoun rule over one text and its mentions (sorted by start)."""

    def __init__(self, text: str, mentions: Sequence[Mention], pronoun_verb: re.Pattern[str]) -> None:
        self.text, self.mentions, self.pronoun_verb = text, mentions, pronoun_verb
        self.starts = [m.start for m in mentions]
        self._pairs: dict[tuple[int, int], _Pairs] = {}
        self._personal: dict[str, bool] = {}

    def speaker(self, open_: int, close: int, limit: int) -> str | None:
        """The entity id of the one person "he said" or "she added" after the closing mark
        (``close``) refers to, or None; ``open_`` is the opening mark, ``limit`` the sentence's end."""
        text = self.text
        cursor = GAP.match(text, close, limit)
        if self.pronoun_verb.match(text, cursor.end() if cursor is not None else close, limit) is None:
            return None
        cut = text.rfind("\n\n", 0, open_)
        windows = [cut + 2 if cut >= 0 else 0]
        if cut >= 0:
            before = text.rfind("\n\n", 0, cut)
            windows.append(before + 2 if before >= 0 else 0)
        paragraph_end = text.find("\n\n", open_)
        for start in windows:
            people = self._people(start, open_, len(text) if paragraph_end < 0 else paragraph_end)
            if people:
                only = people.pop() if len(people) == 1 else None
                return None if only is None or only.startswith("untagged:") else only
        return None

    def _people(self, start: int, open_: int, paragraph_end: int) -> set[str]:
        """The people named in ``[start, open_)``, as far as telling one from several needs: the
        PERSON mentions there, and names the model missed that read as people's ("Helen Price")."""
        low, high = bisect_left(self.starts, start), bisect_left(self.starts, open_)
        inside = [m for m in self.mentions[low:high] if m.end <= open_]
        people = {m.entity_id for m in inside if m.label == "PERSON"}
        if len(people) > 1:
            return people
        inside_starts = [m.start for m in inside]
        reach: list[int] = []  # the furthest end of the mentions so far
        for mention in inside:
            reach.append(max(mention.end, reach[-1] if reach else mention.end))
        pairs = self._pairs_in(start, paragraph_end)
        for a, b, surface in pairs.spans[: bisect_right(pairs.ends, open_)]:
            tagged = bisect_left(inside_starts, b) - 1  # the mentions starting before the pair ends
            if (tagged >= 0 and reach[tagged] > a) or not self._looks_like_a_person(surface):
                continue
            people.add(f"untagged:{surface}")
            if len(people) > 1:
                return people
        return people

    def _pairs_in(self, start: int, end: int) -> _Pairs:
        """Every capitalised pair of ``text[start:end]`` (``end`` a paragraph's end: no pair crosses
        a quotation's opening mark, so those before it are those a search stopping there finds)."""
        found = self._pairs.get((start, end))
        if found is None:
            spans = [(m.start(), m.end(), m.group()) for m in _PAIR.finditer(self.text, start, end)]
            found = self._pairs[start, end] = _Pairs([b for _, b, _ in spans], spans)
        return found

    def _looks_like_a_person(self, surface: str) -> bool:
        known = self._personal.get(surface)
        if known is None:
            known = self._personal[surface] = looks_like_a_person(surface)
        return known
