"""Character-span helpers shared by the stages: trimming, keys, chunking."""

import re
from collections.abc import Iterator

from spacy.language import Language
from spacy.tokens import Doc

_EDGE = "\"'“”‘’«»()[]{}<>.,;:!?-–—*#|/\\ \t\n"
_POSSESSIVE = re.compile(r"(?:['’`]s|s['’])$")
# A leading "the" in any case; and the lower-case articles of other languages ("la France",
# "l'Élysée", "der Bundestag"), which start no name in lower case while a capital one may belong
# to it ("Le Monde", "Marine Le Pen", "Los Angeles").
_LEADING_THE = re.compile(
    r"(?i:the)\s+|(?:le|la|les|el|los|las|il|lo|gli|der|die|das|den|dem)\s+|l['’](?=\w)"
)
_SPACE = re.compile(r"\s+")
# Honorifics and offices that precede a person's name, optionally after a nationality
# ("Chinese President"): they are not part of the name.
_TITLE_WORDS = (
    r"Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Lord|Lady|Rev|Reverend|Fr|Father|"
    r"President|Vice[- ]President|Prime[- ]Minister|Premier|Chancellor|Minister|Secretary|"
    r"King|Queen|Prince|Princess|Pope|Sheikh|Emir|Senator|Sen|Rep|Representative|Congressman|"
    r"Congresswoman|Governor|Gov|Mayor|General|Gen|Colonel|Col|Captain|Capt|Lieutenant|Lt|"
    r"Sergeant|Sgt|Admiral|Adm|Judge|Justice|Chairman|Chairwoman|Ambassador|Leader|Supreme[- ]Leader"
)
_LEADING_TITLE = re.compile(
    rf"(?:(?:[A-Z][a-z]+(?:ian|ean|ese|ish|an|i|ch))\s+)?(?:(?:{_TITLE_WORDS})\.?\s+)+"
)
# Per language where it differs: French honorifics (Madame, Mesdames, Mademoiselle, Messieurs,
# Monsieur, Maître, Docteur, Professeur). "M." is Monsieur only in French: in English it is an
# initial ("M. Waugh").
_LEADING_TITLE_BY_LANGUAGE = {
    "fr": re.compile(r"(?:(?:Mmes|Mme|Mlle|MM\.|M\.|Me|Dr|Pr)\.?\s+)+"),
}
# Inside an entity span these mean two things were glued together ("Russia`s(Vladimar Putin"),
# as do a spaced dash or slash ("SOCCER - FRENCH LEAGUE", "Dampier / Kaohsiung") and a number
# between names ("Arsenal 2 Derby 2 Chelsea").
_INNER_BREAK = re.compile(r"[()\[\]{}<>“”\"«»|;]+|\s[-–—/]+\s|\s[\d.,:]*\d(?=\s+[A-Z])")
_TRAILING_NUMBER = re.compile(r"(?:\s+[\d.,:]*\d[\d.,:]*(?:st|nd|rd|th)?)+$")
_TRAILING_LOWER = re.compile(r"(?<=\w)(?:\s+[a-z][\w-]*)+$")
# spaCy's tokenizer splits a run of brackets, quotes, symbols or emoji off a word one character at
# a time, copying the rest of the word each time: quadratic, 1.2 s for a run of 4,000 brackets and
# minutes for a page of them. Text has no such runs but leaders and rules of dots or hyphens, which
# the tokenizer takes whole and which are left alone; the model reads any other as spaces, one
# token apart from its neighbours, and every offset stays the same.
SYMBOL_RUN_CHARS = 64
_SYMBOL_RUN = re.compile(rf"(?:[^\w\s]|_){{{SYMBOL_RUN_CHARS},}}")


def trim_whitespace(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink ``[start, end)`` past whitespace at either edge; None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def trim_span(text: str, start: int, end: int, *, strip_words: bool = True) -> tuple[int, int] | None:
    """Shrink an entity span past edge punctuation, quotes, brackets and whitespace.

    With ``strip_words`` also a trailing possessive and a leading "the" (or a lower-case article
    of another language: "la France", "l'Élysée"). None when empty.
    """
    while True:
        before = (start, end)
        while start < end and text[start] in _EDGE:
            start += 1
        while end > start and text[end - 1] in _EDGE:
            # keep the full stop of an abbreviation such as "U.N." or "Inc."
            if text[end - 1] == "." and end - start >= 3 and text[end - 3] == "." and strip_words:
                break
            end -= 1
        if strip_words:
            possessive = _POSSESSIVE.search(text, start, end)
            if possessive is not None and possessive.end() == end and end - start > 2:
                end = possessive.start() + (1 if text[possessive.start()] not in "'’`" else 0)
            leading = _LEADING_THE.match(text, start, end)
            if leading is not None and leading.end() < end:
                start = leading.end()
        if (start, end) == before:
            break
    return (start, end) if end > start else None


def strip_title(text: str, start: int, end: int, language: str = "en") -> int:
    """The new start of a person span once leading honorifics and offices are skipped.

    "President Vladimir Putin" starts at "Vladimir", in French "Mme Ursula von der Leyen" at
    "Ursula"; a title alone is left as it is.
    """
    match = _LEADING_TITLE_BY_LANGUAGE.get(language, _LEADING_TITLE).match(text, start, end)
    return match.end() if match is not None and match.end() < end else start


def strip_trailing(text: str, start: int, end: int, *, numbers: bool) -> int:
    """The new end of a span once trailing lower-case words go ("Interfax news agency").

    With ``numbers`` trailing numbers go too ("Ferguson 34"); the first word always stays.
    """
    while True:
        before = end
        for pattern in (_TRAILING_LOWER, _TRAILING_NUMBER) if numbers else (_TRAILING_LOWER,):
            match = pattern.search(text, start, end)
            if match is not None and match.start() > start and text[start : match.start()].strip():
                end = match.start()
        if end == before:
            return end


def split_span(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``[start, end)`` at brackets or quotes inside it; each piece trimmed, empties dropped."""
    pieces: list[tuple[int, int]] = []
    cursor = start
    for match in _INNER_BREAK.finditer(text, start, end):
        pieces.append((cursor, match.start()))
        cursor = match.end()
    pieces.append((cursor, end))
    trimmed = (trim_span(text, a, b) for a, b in pieces)
    return [bounds for bounds in trimmed if bounds is not None]


def entity_key(surface: str) -> str:
    """The grouping key of a mention: case-folded, whitespace and dots collapsed."""
    return _SPACE.sub(" ", surface.replace(".", "")).casefold().strip()


def cross_article_key(label: str, name: str) -> str:
    """An entity's key across articles: its label and its name's grouping key (``PERSON:vladimir putin``)."""
    return f"{label}:{entity_key(name) or _SPACE.sub(' ', name).casefold().strip()}"


def parse_chunks(nlp: Language, text: str, chunk_chars: int) -> Iterator[tuple[int, Doc]]:
    """``nlp`` over ``text`` in chunks cut at paragraph breaks: each chunk's offset and its Doc."""
    chunks = chunk_text(text, min(chunk_chars, nlp.max_length))
    # One chunk at a time: a batch of them holds every chunk's activations at once (a 2 MB text,
    # 20 chunks: 2.4 GB traced at most in one batch, 0.16 GB chunk by chunk, the same parse;
    # python -m bench.scaling --sizes 3750 7500 15000 --shapes paragraphs).
    texts = (parseable(chunk) for _, chunk in chunks)
    for (offset, _), doc in zip(chunks, nlp.pipe(texts, batch_size=1), strict=True):
        yield offset, doc


def parseable(text: str) -> str:
    """``text`` with each run of ``SYMBOL_RUN_CHARS`` or more symbols (not letters, digits or
    spaces; not a run of dots or of hyphens alone) replaced by as many spaces: what the model
    reads, of the same length."""
    return _SYMBOL_RUN.sub(_blank, text)


def _blank(run: re.Match[str]) -> str:
    chars = run.group()
    return chars if not chars.strip(".") or not chars.strip("-") else " " * len(chars)


def chunk_text(text: str, max_chars: int) -> list[tuple[int, str]]:
    """Split ``text`` into ``(offset, chunk)`` pieces of at most ``max_chars``.

    Breaks at paragraph boundaries, else at the last whitespace; offsets index ``text``.
    """
    chunks: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(start + max_chars, len(text))
        if end < len(text):
            cut = text.rfind("\n\n", start + 1, end)
            if cut <= start:
                cut = text.rfind(" ", start + 1, end)
            end = cut if cut > start else end
        chunks.append((start, text[start:end]))
        start = end
    return chunks
