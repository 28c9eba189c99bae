"""Sentence repair for the summary: image captions and run-on lines glued to the next sentence.

Scraped stories often lose the break between an image caption and the sentence after it:
"... than a colleague The cost of divorce can wreck retirement ...", "... manager on Friday ‘I’d be
over the moon ...", "... a few hours later Home: Martin shot ...". A word that ends without
punctuation (or a closing quotation mark), followed by a capitalised word that only opens a clause
("The", "Another", "It’s" before a lowercase word), by an opening quotation mark and a capital, or
by a caption's short label and colon ("Home: Martin"), marks such a seam. Each piece becomes a
sentence of its own for the summary, with exact offsets, so that a caption is neither chosen with
its neighbour nor lends it its words.
"""

import re
from typing import Final

from worker.stages.boilerplate import PATTERNS

_OPENERS: Final = (
    "The|A|An|It|He|She|They|We|His|Her|Their|Its|This|That|These|Those|There|But|However|"
    "After|When|While|Last|Earlier|Now|Police|Officials|Another|More|Many|Some|Most|Meanwhile|"
    "According|Speaking|Despite|During|Although|Since|Here|Scroll|And|In"
)
_CONTRACTED: Final = "It|He|She|There|That|Here|What"  # "It’s a ...", "He’d ..."
# A caption's label: one capitalised word and up to two lowercase ones, a colon, then a capital
# or an opening quotation mark ("Victim: Hampton was ...", "Parking trap: Many motorists ...").
_LABEL: Final = r"[A-Z][a-z]+(?: [a-z]+){0,2}: [A-Z‘“]"
# The seam: a lowercase letter, digit, %, closing bracket or closing quotation mark, spaces, then
# an opener (or its contraction: "It’s") before a lowercase word, an opening quotation mark before
# a capital, or a caption label.
_SEAM = re.compile(
    rf"(?<=[a-z0-9%)’”])(?P<gap>[ \t\u00a0]+)"
    rf"(?=(?:(?:{_OPENERS}) [a-z0-9])|(?:(?:{_CONTRACTED})[’'](?:s|d|ll) [a-z])|(?:[‘“][A-Z])"
    rf"|(?P<label>{_LABEL}))"
)
_WORD = re.compile(r"\S+")
# A gap before a capital: where a boilerplate line glued to the start of a sentence may end
# ("Scroll down for video Police said ...").
_BEFORE_CAPITAL = re.compile(r"(?<=[a-z0-9%)’”.!?:])[ \t\u00a0]+(?=[A-Z‘“\"'])")
_PREFIX_CHARS: Final = 80
# Boilerplate cut off a sentence's start: site furniture, never words a sentence may open with
# ("On 10 March" reads as a dateline, "More" as a read-more link, "Email" as a share bar).
_PREFIX_KINDS: Final = frozenset(
    ["promo", "advertisement", "share_bar", "newsletter", "cookie_notice", "reading_time", "follow_prompt"]
)
_PREFIX: Final = re.compile(
    "|".join(
        f"(?:{pattern.pattern})"
        for kind, pattern in PATTERNS
        # not those that may open with any text (".{0,200}\bclick here ..."): each gap would rescan it
        if kind in _PREFIX_KINDS and not pattern.pattern.startswith(".")
    ),
    re.IGNORECASE,
)
# Verbs a quotation or a name with a colon may follow, within three words, without being a seam
# ("told him ‘Go home’", "a film dubbed ‘The First Great Escape’", "told Reuters: ‘We ...’").
INTRODUCERS: Final = frozenset(
    [
        "said",
        "says",
        "say",
        "told",
        "tells",
        "asked",
        "asks",
        "added",
        "adds",
        "wrote",
        "writes",
        "tweeted",
        "shouted",
        "replied",
        "called",
        "dubbed",
        "named",
        "titled",
        "entitled",
        "nicknamed",
        "renamed",
        "branded",
        "labelled",
        "labeled",
    ]
)
MIN_PIECE_WORDS: Final = 4
_LEADING_WORDS: Final = re.compile(rf"\s*(?:\S+\s+){{{MIN_PIECE_WORDS - 1}}}\S")
_TAIL_CHARS: Final = 200  # enough for the three words before a seam
# Words a sentence does not end on: before one of them a capital goes on a title or a name
# ("The Lord of the Rings: The Return of the King", "Get Me Out of Here drew ...").
_FUNCTION_WORDS: Final = (
    "the a an of for to in on at by with from into about and or nor but while including as than "
    "like no new my your our their his her its this that these those"
)
_NOT_FINAL: Final = frozenset(_FUNCTION_WORDS.split())


def _enough_words(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` holds at least ``MIN_PIECE_WORDS`` words, read no further than that."""
    return _LEADING_WORDS.match(text, start, end) is not None


def _is_label(previous: str) -> bool:
    """A caption label follows a lowercase word, not a name going on ("the White House: ...").

    A label of a name and a speech verb after a caption ("... his career Redwood said: ‘My ...’")
    is a seam as well: in prose the name before "said:" follows a capitalised first name.
    """
    return previous[:1].islower()


def _boilerplate_prefix(text: str, start: int, end: int) -> re.Match[str] | None:
    """The gap after a boilerplate line of two words or more the sentence opens with, if any."""
    limit = min(end, start + _PREFIX_CHARS)
    if _PREFIX.match(text, start, limit) is None:
        return None  # no boilerplate at the start at all: most sentences
    for gap in _BEFORE_CAPITAL.finditer(text, start, limit):
        if " " in text[start : gap.start()] and _PREFIX.fullmatch(text, start, gap.start()):
            return gap
    return None


def split_glued(text: str, start: int, end: int, *, labels: bool = True) -> list[tuple[int, int]]:
    """``text[start:end]`` cut at caption seams and after a boilerplate line glued to its start;
    pieces of fewer than four words are not cut off at a seam.

    ``labels``: a caption's label ("... later Home: Martin shot ...") marks a seam. Only for
    English: where every noun is capitalised (German), "zog eine Bilanz: Mehr als ..." would read
    as one.
    """
    pieces: list[tuple[int, int]] = []
    piece_start = start
    prefix = _boilerplate_prefix(text, start, end)
    if prefix is not None:
        pieces.append((start, prefix.start()))
        piece_start = prefix.end()
    for seam in _SEAM.finditer(text, piece_start, end):
        if not (_enough_words(text, piece_start, seam.start()) and _enough_words(text, seam.end(), end)):
            continue
        # the last words only: a sentence of 50,000 words must not be read again at every seam
        words_before = _WORD.findall(text, max(piece_start, seam.start() - _TAIL_CHARS), seam.start())
        if words_before[-1].casefold() in _NOT_FINAL:
            continue
        if seam["label"] and not (labels and _is_label(words_before[-1])):
            continue
        introduced = any(w.casefold() in INTRODUCERS for w in words_before[-3:])
        if introduced and (seam["label"] or text[seam.end()] in "‘“"):
            continue  # "told the court ‘I did nothing wrong’": a quotation the sentence introduces
        pieces.append((piece_start, seam.start()))
        piece_start = seam.end("gap")
    pieces.append((piece_start, end))
    return pieces
