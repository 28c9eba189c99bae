"""Is a candidate body plausibly the article? Text features, and a choice between two candidates.

A story is prose: paragraphs of full sentences. What extractors let in besides it has other
shapes: layout tables rendered as rows of cells, link lists and comment metadata as runs of
short lines, formulaic boilerplate lines. A candidate is suspect when it holds no paragraph of
prose, when it is made mostly of such shapes, or when it holds far less prose than the page
shows. A suspect candidate is checked against an extractor of another design: when that one's
text is a part of the candidate (the two agree on the article) and clearly shorter, the rest
was not the article.
"""

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Final

from worker.stages.boilerplate import boilerplate_kind

_WORD = re.compile(r"\w+")
PROSE_WORDS: Final = 15  # a paragraph of prose: one full sentence of ordinary length at least
_SHORT_WORDS: Final = 8  # shorter lines are labels, links, names, stamps
_MAX_TABLE_SHARE: Final = 0.5  # of the characters, in rendered table rows ("| cell | cell |")
_MAX_SHORT_SHARE: Final = 0.5  # of the lines
_MAX_BOILERPLATE_SHARE: Final = 0.2  # of the lines
_MIN_PROSE_SHARE: Final = 0.2  # of the prose the page shows in its paragraphs
_MIN_AGREEMENT: Final = 0.8  # of the other extractor's words found in the candidate
_MIN_CUT: Final = 0.05  # the other extractor's text must be this much shorter to be preferred
_PROSE_PATH: Final = "//body//p | //body//td[not(.//p or .//td)] | //body//div[not(.//div or .//p or .//td)]"
_MAX_PROSE_NODES: Final = 3000


@dataclass(frozen=True)
class Shape:
    """What a candidate body is made of."""

    words: int
    prose_lines: int
    prose_words: int
    table_share: float
    short_share: float
    boilerplate_share: float


def shape(text: str) -> Shape:
    """The shape of a body with one paragraph per line."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return Shape(0, 0, 0, 0.0, 0.0, 0.0)
    counts = [len(_WORD.findall(line)) for line in lines]
    table_chars = sum(len(line) for line in lines if line.lstrip().startswith("|"))
    return Shape(
        words=sum(counts),
        prose_lines=sum(1 for count in counts if count >= PROSE_WORDS),
        prose_words=sum(count for count in counts if count >= PROSE_WORDS),
        table_share=table_chars / max(1, sum(len(line) for line in lines)),
        short_share=sum(1 for count in counts if count < _SHORT_WORDS) / len(lines),
        boilerplate_share=sum(1 for line in lines if boilerplate_kind(line)) / len(lines),
    )


def has_prose(text: str) -> bool:
    """True when the text holds at least one paragraph of prose."""
    return any(len(_WORD.findall(line)) >= PROSE_WORDS for line in text.split("\n"))


def page_prose_words(tree: Any) -> int:  # an lxml HtmlElement (lxml ships no type hints)
    """Words in the page's visible paragraphs of prose (leaf blocks of ``PROSE_WORDS`` words or more)."""
    total = 0
    for node in tree.xpath(_PROSE_PATH)[:_MAX_PROSE_NODES]:
        count = len(_WORD.findall(node.text_content()))
        if count >= PROSE_WORDS and not node.xpath("ancestor::*[self::a or self::noscript]"):
            total += count
    return total


def suspect(text: str, page_prose: int = 0) -> str | None:
    """Why a candidate body is not plausibly the article alone, or None when it is."""
    found = shape(text)
    if found.prose_lines == 0:
        return "no_prose"
    if page_prose and found.prose_words < _MIN_PROSE_SHARE * page_prose:
        return "little_prose"
    if found.table_share > _MAX_TABLE_SHARE:
        return "layout_table"
    if found.short_share > _MAX_SHORT_SHARE:
        return "short_lines"
    if found.boilerplate_share > _MAX_BOILERPLATE_SHARE:
        return "boilerplate"
    return None


def _words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.casefold()))


def core_of(candidate: str, other: str) -> bool:
    """True when ``other`` is the article inside ``candidate``: it agrees with it and is shorter."""
    if not has_prose(other):
        return False
    mine, theirs = _words(candidate), _words(other)
    size = sum(theirs.values())
    shared = sum((mine & theirs).values())
    return shared >= _MIN_AGREEMENT * size and size <= (1 - _MIN_CUT) * sum(mine.values())
