"""Body candidates from a parsed page, one extractor (or extractor mode) each.

trafilatura in its modes, and readability, an extractor of another design: it scores the
page's blocks by their text, commas and class names and keeps the best one with its siblings.
The readability used is the fork of readability-lxml that trafilatura ships
(``trafilatura.readability_lxml``): measured against readability-lxml itself from PyPI on the
dev pages it scores within 0.002 F1 (set and half) in a quarter of the time (8 ms against 31 ms a
page), since readability-lxml cleans and rewrites a copy of the whole page first. Each
candidate is text with one line per paragraph; every extractor works on its own copy of the tree.
"""

import copy
import re
from dataclasses import dataclass
from typing import Any, Final, Literal

import trafilatura
from trafilatura.readability_lxml import Document as Readability

from worker.stages.clean.markup import load_page

# "fast" is precision mode without trafilatura's own fallback comparisons (its readability port
# and jusText): half the time, and the chain has its own fallbacks.
Mode = Literal["fast", "precision", "default", "recall"]

_BLOCKS: Final = frozenset(
    {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section", "article"}
    | {"tr", "td", "th", "dd", "dt", "br", "figcaption"}
)
_MIN_TEXT: Final = 25  # readability's shortest block worth scoring, as trafilatura calls it
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


@dataclass(frozen=True)
class Candidate:
    """One extractor's body, paragraphs one per line."""

    source: str
    text: str


def from_trafilatura(tree: Any, url: str | None, mode: Mode) -> Candidate:
    """trafilatura's body in one mode (``tree`` is an lxml HtmlElement; trafilatura copies it)."""
    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=False,
            include_comments=False,
            include_tables=True,
            favor_precision=mode in ("fast", "precision"),
            fast=mode == "fast",
            favor_recall=mode == "recall",
        )
    except (ValueError, TypeError):
        doc = None
    data = {} if doc is None else doc if isinstance(doc, dict) else doc.as_dict()
    return Candidate(f"trafilatura-{mode}", str(data.get("text") or "").strip())


def _block_text(root: Any) -> str:
    """The text of an element tree, one line per block element."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
            if element.tag != "br":
                element.text = "\n" + (element.text or "")
    lines = (_SPACES.sub(" ", line).strip() for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def from_readability(tree: Any) -> Candidate:  # an lxml HtmlElement
    """readability's body (its best-scored block and siblings) as lines of text."""
    try:
        summary = Readability(copy.deepcopy(tree), min_text_length=_MIN_TEXT).summary()
        root = load_page(f"<html><body>{summary}</body></html>")
    except Exception:
        return Candidate("readability", "")
    return Candidate("readability", _block_text(root) if root is not None else "")
