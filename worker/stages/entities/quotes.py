"""Direct quotations and who said them.

A quotation is the text between curly (“…”), straight ("…") or angle (« … ») double quotes within one
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

The speech verbs and pronouns are per language (``SPEECH``: English, and French with « … », a
déclaré Macron / Macron a déclaré / a-t-il ajouté); in a language without a table, quotations
are found and their speaker is left unknown.
"""

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from worker.stages.entities.quote_pronouns import GAP, PronounSpeakers

MIN_WORDS = 3
_VERBS = (
    r"said|says|say|added|adds|told|tells|asked|asks|declared|declares|stated|states|insisted|"
    r"insists|wrote|writes|warned|warns|explained|explains|replied|replies|noted|notes|announced|"
    r"announces|argued|argues|claimed|claims|continued|recalled|remarked|stressed|urged"
)
_FR_PARTICIPLES = (
    r"déclaré|dit|affirmé|ajouté|expliqué|souligné|estimé|assuré|indiqué|précisé|confié|lancé|"
    r"martelé|répondu|averti|prévenu|insisté|annoncé|reconnu|raconté|poursuivi|rappelé"
)
_FR_PRESENT = (
    r"déclare|dit|affirme|ajoute|explique|souligne|estime|assure|indique|précise|confie|lance|"
    r"martèle|répond|avertit|prévient|insiste|annonce|reconnaît|raconte|poursuit|rappelle"
)


@dataclass(frozen=True)
class Speech:
    """How a language ties a quotation to its speaker: its speech verbs, and a pronoun with one."""

    verb: re.Pattern[str]
    pronoun_verb: re.Pattern[str]


SPEECH = {
    "en": Speech(
        re.compile(rf"(?:{_VERBS})\b"),
        re.compile(rf"(?:he|she)\s+(?:{_VERBS})\b|(?:{_VERBS})\s+(?:he|she)\b"),
    ),
    "fr": Speech(
        re.compile(rf"(?:(?:a|avait)\s+(?:{_FR_PARTICIPLES})|{_FR_PRESENT})(?!\w)"),
        re.compile(
            rf"(?:{_FR_PRESENT})(?:-t)?-(?:il|elle)(?!\w)|(?:a|avait)-t-(?:il|elle)\s+(?:{_FR_PARTICIPLES})(?!\w)"
            rf"|(?:il|elle)\s+(?:(?:a|avait)\s+(?:{_FR_PARTICIPLES})|{_FR_PRESENT})(?!\w)"
        ),
    ),
}
_QUOTED_AS_SAYING = re.compile(r"\s+as\s+(?:saying|telling|writing)\b")
_QUOTED = re.compile(r"\bquot(?:ed|es|ing)\s+$")
_PAIRS = (
    re.compile(r"“([^“”\n]+)”"),
    re.compile(r"\"([^\"\n]+)\""),
    re.compile(r"«[\s\u00a0\u202f]*([^«»\n]*[^«»\s\u00a0\u202f])[\s\u00a0\u202f]*»"),
)
_WORD = re.compile(r"\w+")


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


@dataclass(frozen=True)
class _Nearby:
    """The mentions of a quotation's sentence, sorted by start, and their starts (for bisection:
    a sentence of a whole page holds thousands of mentions and quotes)."""

    mentions: list[Located]
    starts: list[int]

    def first_from(self, position: int, *, within: int, limit: int) -> Located | None:
        """The first mention starting in ``[position, position + within]`` and ending by ``limit``."""
        for index in range(bisect_left(self.starts, position), len(self.mentions)):
            mention = self.mentions[index]
            if mention.start > position + within:
                break
            if mention.end <= limit:
                return mention
        return None

    def at(self, position: int) -> Located | None:
        """The first mention starting at ``position``."""
        index = bisect_left(self.starts, position)
        return self.mentions[index] if index < len(self.starts) and self.starts[index] == position else None


def _after_close(text: str, close: int, limit: int, nearby: _Nearby, speech: Speech) -> str | None:
    """ "…,” said Putin" or "…,” Kim said" straight after the closing mark."""
    cursor = GAP.match(text, close, limit)
    position = cursor.end() if cursor is not None else close
    verb = speech.verb.match(text, position, limit)
    if verb is not None:
        after_verb = GAP.match(text, verb.end(), limit)
        spot = after_verb.end() if after_verb is not None else verb.end()
        mention = nearby.first_from(spot, within=30, limit=limit)
        if mention is not None and not re.search(r"[,.;:]", text[spot : mention.start]):
            return mention.entity_id
        return None
    mention = nearby.at(position)
    if mention is not None and speech.verb.match(text, _space_end(text, mention.end), limit):
        return mention.entity_id
    return None


def _space_end(text: str, position: int) -> int:
    while position < len(text) and text[position] == " ":
        position += 1
    return position


def _quoted_as_saying(text: str, sentence: tuple[int, int], mentions: list[Located]) -> str | None:
    """ "RIA quoted Putin as saying …": the one quoted is the speaker (``mentions``: those
    starting in the sentence)."""
    for mention in mentions:
        if _QUOTED_AS_SAYING.match(text, mention.end, sentence[1]) and _quoted_before(
            text, sentence[0], mention.start
        ):
            return mention.entity_id
    return None


def _quoted_before(text: str, start: int, position: int) -> bool:
    """Whether "quoted", "quotes" or "quoting" and spaces end ``text[start:position]``: searched
    from the space run's start less the longest word, not from ``start`` (a sentence of a whole
    page has thousands of mentions and quotes: searching it for each took minutes)."""
    spaces = position
    while spaces > start and text[spaces - 1].isspace():
        spaces -= 1
    return _QUOTED.search(text, max(start, spaces - len("quoting")), position) is not None


def _before_open(text: str, open_: int, nearby: _Nearby, speech: Speech) -> str | None:
    """ "Kim said … “…”": the last mention in the sentence directly followed by a speech verb."""
    for index in range(bisect_left(nearby.starts, open_) - 1, -1, -1):
        mention = nearby.mentions[index]
        if mention.end <= open_ and speech.verb.match(text, _space_end(text, mention.end), open_):
            return mention.entity_id
    return None


def _closing_mark_end(text: str, end: int) -> int:
    """Just past the closing mark of a quotation whose inner text ends at ``end`` (« … » may pad)."""
    position = end
    while position < len(text) and text[position] in " \u00a0\u202f" and position < end + 2:
        position += 1
    return position + 1


def _opening_mark_start(text: str, start: int) -> int:
    """The opening mark's position for a quotation whose inner text starts at ``start``."""
    position = start - 1
    while position > 0 and text[position] in " \u00a0\u202f" and position > start - 3:
        position -= 1
    return position


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


def find_quotes(
    text: str, sentences: list[tuple[int, int]], mentions: list[Located], language: str = "en"
) -> list[FoundQuote]:
    """Every direct quotation in ``text`` with its speaker (an entity id) or None."""
    speech = SPEECH.get(language)
    mentions = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in mentions]
    lookup = _Sentences(sentences)
    pronouns = None if speech is None else PronounSpeakers(text, mentions, speech.pronoun_verb)
    as_saying: dict[tuple[int, int], str | None] = {}  # per sentence: it does not depend on the quote
    found = []
    for start, end in _quotation_spans(text):
        opening = lookup.of(start - 1, (start - 1, end + 1))
        closing = lookup.of(end, (start - 1, end + 1))
        if text[end - 1 : end + 2].count(",") and closing[1] <= end + 1:
            # “…,” Kim said: the comma says the sentence goes on, whatever the splitter thought
            closing = lookup.of(_space_end(text, end + 2), closing)
        limit = max(closing[1], end + 1)
        if speech is None:
            found.append(FoundQuote(start, end, None))
            continue
        close = _closing_mark_end(text, end)
        low, high = bisect_left(starts, opening[0]), bisect_left(starts, limit)
        nearby = _Nearby(mentions[low:high], starts[low:high])
        speaker = _after_close(text, close, limit, nearby, speech)
        if speaker is None and language == "en":
            window = (opening[0], limit)
            if window not in as_saying:
                as_saying[window] = _quoted_as_saying(text, window, nearby.mentions)
            speaker = as_saying[window]
        speaker = (
            speaker
            or _before_open(text, _opening_mark_start(text, start), nearby, speech)
            or (pronouns.speaker(_opening_mark_start(text, start), close, limit) if pronouns else None)
        )
        found.append(FoundQuote(start, end, speaker))
    return found
