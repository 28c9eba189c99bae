"""Direct quotations and who said them.

A quotation is the text between curly (“…”) or straight ("…") double quotes within one
paragraph, of at least ``MIN_WORDS`` words (shorter ones are scare quotes). Its speaker is an
entity mention the sentence ties to it with a speech verb, searched in this order:

1. right after the closing mark: "…,” said Putin" / "…,” Kim said";
2. anywhere in the sentence: "X quoted Putin as saying “…”" (the quoted one speaks, not X);
3. before it in the sentence: "Kim said … “…”".

4. a pronoun: "…,” he said" / "she added" takes the nearest preceding named speaker when that
   is unambiguous: the one person named in the quote's paragraph before it, or, when that
   paragraph names nobody before it, the one person the previous paragraph names. Two people
   there (a name the model missed but that reads as a person's counts too) or none leave the
   speaker unknown (None), as "they said" and anything else do.
"""

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from worker.stages.entities.mentions import looks_like_a_person

MIN_WORDS = 3
_VERBS = (
    r"said|says|say|added|adds|told|tells|asked|asks|declared|declares|stated|states|insisted|"
    r"insists|wrote|writes|warned|warns|explained|explains|replied|replies|noted|notes|announced|"
    r"announces|argued|argues|claimed|claims|continued|recalled|remarked|stressed|urged"
)
_VERB = re.compile(rf"(?:{_VERBS})\b")
_GAP = re.compile(r"[\s,:;.!?–—-]*")
_QUOTED_AS_SAYING = re.compile(r"\s+as\s+(?:saying|telling|writing)\b")
_QUOTED = re.compile(r"\bquot(?:ed|es|ing)\s+$")
_PAIRS = (re.compile(r"“([^“”\n]+)”"), re.compile(r"\"([^\"\n]+)\""))
_WORD = re.compile(r"\w+")
_PAIR = re.compile(r"(?<![\w'’-])[A-Z][a-z]+ [A-Z][a-z]+(?![\w'’-])")
_PRONOUN_VERB = re.compile(rf"(?:he|she)\s+(?:{_VERBS})\b|(?:{_VERBS})\s+(?:he|she)\b")


@dataclass(frozen=True)
class Located:
    """A mention of an entity, by the entity's id."""

    start: int
    end: int
    entity_id: str
    label: str = ""


@dataclass(frozen=True)
class FoundQuote:
    """A quotation's inner text span and its speaker's entity id, if known."""

    start: int
    end: int
    speaker: str | None


def _quotation_spans(text: str) -> list[tuple[int, int]]:
    spans: set[tuple[int, int]] = set()
    for pattern in _PAIRS:
        for match in pattern.finditer(text):
            start, end = match.span(1)
            if len(_WORD.findall(match.group(1))) >= MIN_WORDS and text[start:end].strip():
                spans.add((start, end))
    return sorted(spans)


def _mention_at(mentions: list[Located], start: int) -> Located | None:
    return next((m for m in mentions if m.start == start), None)


def _after_close(text: str, close: int, limit: int, mentions: list[Located]) -> str | None:
    """ "…,” said Putin" or "…,” Kim said" straight after the closing mark."""
    cursor = _GAP.match(text, close, limit)
    position = cursor.end() if cursor is not None else close
    verb = _VERB.match(text, position, limit)
    if verb is not None:
        after_verb = _GAP.match(text, verb.end(), limit)
        spot = after_verb.end() if after_verb is not None else verb.end()
        mention = next((m for m in mentions if spot <= m.start <= spot + 30 and m.end <= limit), None)
        if mention is not None and not re.search(r"[,.;:]", text[spot : mention.start]):
            return mention.entity_id
        return None
    mention = _mention_at(mentions, position)
    if mention is not None and _VERB.match(text, _space_end(text, mention.end), limit):
        return mention.entity_id
    return None


def _space_end(text: str, position: int) -> int:
    while position < len(text) and text[position] == " ":
        position += 1
    return position


def _quoted_as_saying(text: str, sentence: tuple[int, int], mentions: list[Located]) -> str | None:
    """ "RIA quoted Putin as saying …": the one quoted is the speaker."""
    for mention in mentions:
        if not sentence[0] <= mention.start < sentence[1]:
            continue
        if _QUOTED.search(text, sentence[0], mention.start) and _QUOTED_AS_SAYING.match(
            text, mention.end, sentence[1]
        ):
            return mention.entity_id
    return None


def _before_open(text: str, sentence_start: int, open_: int, mentions: list[Located]) -> str | None:
    """ "Kim said … “…”": the last mention in the sentence directly followed by a speech verb."""
    speaker = None
    for mention in mentions:
        inside = sentence_start <= mention.start and mention.end <= open_
        if inside and _VERB.match(text, _space_end(text, mention.end), open_):
            speaker = mention.entity_id
    return speaker


def _untagged_people(text: str, start: int, end: int, mentions: list[Located]) -> set[str]:
    """Names the model missed that still read as people's ("Helen Price"): they make it ambiguous."""
    found = set()
    for match in _PAIR.finditer(text, start, end):
        a, b = match.span()
        if looks_like_a_person(match.group()) and not any(m.start < b and a < m.end for m in mentions):
            found.add(f"untagged:{match.group()}")
    return found


def _pronoun_speaker(text: str, open_: int, close: int, limit: int, mentions: list[Located]) -> str | None:
    """ "…,” he said": the one person named before the quote in its paragraph, else in the one before."""
    cursor = _GAP.match(text, close, limit)
    if _PRONOUN_VERB.match(text, cursor.end() if cursor is not None else close, limit) is None:
        return None
    cut = text.rfind("\n\n", 0, open_)
    windows = [cut + 2 if cut >= 0 else 0]
    if cut >= 0:
        before = text.rfind("\n\n", 0, cut)
        windows.append(before + 2 if before >= 0 else 0)
    for start in windows:
        inside = [m for m in mentions if start <= m.start and m.end <= open_]
        people = {m.entity_id for m in inside if m.label == "PERSON"}
        people |= _untagged_people(text, start, open_, inside)
        if people:
            return people.pop() if len(people) == 1 else None
    return None


class _Sentences:
    """Sentence lookup by position in O(log n)."""

    def __init__(self, sentences: list[tuple[int, int]]) -> None:
        self.spans = sorted(sentences)
        self.starts = [start for start, _ in self.spans]

    def of(self, position: int, default: tuple[int, int]) -> tuple[int, int]:
        index = bisect_right(self.starts, position) - 1
        if index >= 0 and position < self.spans[index][1]:
            return self.spans[index]
        return default


def find_quotes(text: str, sentences: list[tuple[int, int]], mentions: list[Located]) -> list[FoundQuote]:
    """Every direct quotation in ``text`` with its speaker (an entity id) or None."""
    mentions = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in mentions]
    lookup = _Sentences(sentences)
    found = []
    for start, end in _quotation_spans(text):
        opening = lookup.of(start - 1, (start - 1, end + 1))
        closing = lookup.of(end, (start - 1, end + 1))
        if text[end - 1 : end + 2].count(",") and closing[1] <= end + 1:
            # “…,” Kim said: the comma says the sentence goes on, whatever the splitter thought
            closing = lookup.of(_space_end(text, end + 2), closing)
        limit = max(closing[1], end + 1)
        nearby = mentions[bisect_left(starts, opening[0]) : bisect_left(starts, limit)]
        speaker = (
            _after_close(text, end + 1, limit, nearby)
            or _quoted_as_saying(text, (opening[0], limit), nearby)
            or _before_open(text, opening[0], start - 1, nearby)
            or _pronoun_speaker(text, start - 1, end + 1, limit, mentions)
        )
        found.append(FoundQuote(start, end, speaker))
    return found
