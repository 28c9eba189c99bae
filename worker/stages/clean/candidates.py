"""Body candidates from a parsed page, one extractor (or extractor mode) each.

trafilatura in precision, default and recall mode, and readability-lxml, an extractor of
another design (it scores the page's blocks by their text and class names and keeps the best
one with its siblings). Each returns its text with one line per paragraph. Every extractor
works on its own copy of the tree (readability drops hidden elements from it first).
"""

import re
from dataclasses import dataclass
from typing import Any, Final, Literal

import trafilatura
from readability import Document

# "fast" is precision mode without trafilatura's own fallback comparisons (its readability port
# and jusText): half the time, and the chain has its own fallbacks.
Mode = Literal["fast", "precision", "default", "recall"]

_BLOCKS: Final = frozenset(
    {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section", "article"}
    | {"tr", "td", "th", "dd", "dt", "br", "figcaption"}
)
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


def from_readability(tree: Any, url: str | None) -> Candidate:  # an lxml HtmlElement
    """readability-lxml's body (its best-scored block and siblings) as lines of text.

    readability works on its own cleaned copy of the tree, but first drops the hidden elements
    (``hidden``, ``display: none``) from the tree it is given: what no reader sees.
    """
    try:
        summary = Document(tree, url=url).summary(html_partial=True)
        root = trafilatura.utils.load_html(f"<html><body>{summary}</body></html>")
    except Exception:
        return Candidate("readability", "")
    return Candidate("readability", _block_text(root) if root is not None else "")
