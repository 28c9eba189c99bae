"""Typographic repair of scraped text: encoding, apostrophes, missing spaces, whitespace."""

import re

import ftfy

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# A backtick, acute accent or prime standing between two letters is an apostrophe.
_FAKE_APOSTROPHE = re.compile(r"(?<=[^\W\d_])[`´′](?=[^\W\d_])")
# "Russia’s(Vladimar" -> "Russia’s (Vladimar": an opening bracket glued to a word,
# opening a capitalised word. "f(x)", "word(s)" and "(s)he" are left alone.
_GLUED_OPEN = re.compile(r"(?<=[^\W\d_]{2}|[’'][^\W\d_])\((?=[A-Z][a-z])")
_GLUED_CLOSE = re.compile(r"(?<=[^\W\d_]{2})\)(?=[^\W\d_]{2})")
# "ended.The" -> "ended. The"; not "U.N.Security", "example.com", "3.5" or "e.g.The".
_GLUED_SENTENCE = re.compile(r"(?<=[a-z]{2})([.!?])(?=[A-Z][a-z])")
_GLUED_COMMA = re.compile(r"(?<=[a-z]{2}),(?=[A-Za-z]{2})")
# Curly quotes say which way they face: 'an “alliance”and' -> 'an “alliance” and',
# 'said“We' -> 'said “We'. Straight quotes are ambiguous and left alone.
_GLUED_CLOSING_QUOTE = re.compile(r"(?<=[^\W\d_][.,!?]|[^\W\d_]{2})”(?=[^\W\d_]{2})")
_GLUED_OPENING_QUOTE = re.compile(r"(?<=[^\W\d_]{2}|[^\W\d_][.,:;!?])“(?=[^\W\d_])")
# What every pattern above needs at its match: most lines have none of it and skip them all.
_MAY_NEED_FIX = re.compile(r"[`´′()“”]|[.!?,][^\W\d_]")
_SPACE_RUN = re.compile(r"(\s+)")
_URL_MARKS = ("://", "www.", "@")
_INLINE_SPACE = re.compile(r"[^\S\n]+")
_ODD_SPACE = re.compile(r"[^\S\n ]|  ")  # what _INLINE_SPACE would change


def repair_encoding(text: str) -> str:
    """Fix mojibake and control characters, keep curly quotes, NFC-normalise."""
    fixed = ftfy.fix_text(text, uncurl_quotes=False, fix_latin_ligatures=True, normalization="NFC")
    return _ZERO_WIDTH.sub("", fixed)


def _fix_segment(segment: str) -> str:
    if _MAY_NEED_FIX.search(segment) is None:
        return segment
    segment = _FAKE_APOSTROPHE.sub("’", segment)
    segment = _GLUED_OPEN.sub(" (", segment)
    segment = _GLUED_CLOSE.sub(") ", segment)
    segment = _GLUED_SENTENCE.sub(r"\1 ", segment)
    segment = _GLUED_CLOSING_QUOTE.sub("” ", segment)
    segment = _GLUED_OPENING_QUOTE.sub(" “", segment)
    return _GLUED_COMMA.sub(", ", segment)


def _fix_around_urls(line: str) -> str:
    out: list[str] = []
    pending: list[str] = []
    # Word by word (linear time even for a 2 MB line without spaces): a word holding "://",
    # "www." or "@" is a URL or an address and passes through untouched.
    for word in _SPACE_RUN.split(line):
        if any(mark in word for mark in _URL_MARKS):
            out.append(_fix_segment("".join(pending)))
            out.append(word)
            pending = []
        else:
            pending.append(word)
    out.append(_fix_segment("".join(pending)))
    return "".join(out)


def repair_typography(line: str) -> str:
    """Apostrophes and missing spaces in one line; URLs and e-mail addresses untouched."""
    has_url = any(mark in line for mark in _URL_MARKS)  # rare: most lines take one pass
    fixed = _fix_around_urls(line) if has_url else _fix_segment(line)
    if _ODD_SPACE.search(fixed) is not None:
        fixed = _INLINE_SPACE.sub(" ", fixed)
    return fixed.strip()


def repaired_title(title: str) -> str:
    """A headline with its encoding and typography repaired."""
    return repair_typography(repair_encoding(title))


def repaired_paragraphs(text: str) -> list[str]:
    """A body with its encoding repaired, split into paragraphs of repaired lines."""
    return paragraphs(repair_encoding(text))


def paragraphs(text: str) -> list[str]:
    """Split normalised text into paragraphs (blank-line separated), lines stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = re.split(r"\n[^\S\n]*\n\s*", text)
    result = []
    for block in blocks:
        lines = [repair_typography(line) for line in block.split("\n")]
        joined = "\n".join(line for line in lines if line)
        if joined:
            result.append(joined)
    return result
