"""Sentence repair for the summary: image captions and run-on lines glued to the next sentence.

Scraped stories often lose the break between an image caption and the sentence after it:
"... than a colleague The cost of divorce can wreck retirement ...", "... manager on Friday ‘I’d be
over the moon ...". A word that ends without punctuation, followed by a capitalised word that
only opens a clause ("The", "It", "She" before a lowercase word) or by an opening quotation mark and
a capital, marks such a seam. Each piece becomes a sentence of its own for the summary, with exact
offsets, so that a caption is neither chosen with its neighbour nor lends it its words.
"""

import re
from typing import Final

_OPENERS: Final = (
    "The|A|An|It|He|She|They|We|His|Her|Their|Its|This|That|These|Those|There|But|However|"
    "After|When|While|Last|Earlier|Now|Police|Officials"
)
# The seam: a lowercase letter, digit, % or closing bracket, spaces, then an opener before a
# lowercase word, or an opening quotation mark before a capital.
_SEAM = re.compile(rf"(?<=[a-z0-9%)])(?P<gap>[ \t\u00a0]+)(?=(?:(?:{_OPENERS}) [a-z])|(?:[‘“][A-Z]))")
_WORD = re.compile(r"\S+")
# Speech verbs a quotation may follow, within three words, without a colon ("told him ‘Go home’").
_SPEECH: Final = frozenset(
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
    ]
)
MIN_PIECE_WORDS: Final = 4


def split_glued(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` cut at caption seams; pieces of fewer than four words are not cut off."""
    pieces: list[tuple[int, int]] = []
    piece_start = start
    for seam in _SEAM.finditer(text, start, end):
        before = text[piece_start : seam.start()]
        words_before = _WORD.findall(before)
        after_words = len(_WORD.findall(text, seam.end(), end))
        if len(words_before) < MIN_PIECE_WORDS or after_words < MIN_PIECE_WORDS:
            continue
        if text[seam.end()] in "‘“" and any(w.casefold() in _SPEECH for w in words_before[-3:]):
            continue  # "told the court ‘I did nothing wrong’": a quotation the sentence introduces
        pieces.append((piece_start, seam.start()))
        piece_start = seam.end("gap")
    pieces.append((piece_start, end))
    return pieces
