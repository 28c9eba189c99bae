"""Parse a page once, repairing markup that a browser renders but lxml's parse swallows.

lxml already parses in recover mode, but some damage defeats it: a ``<title>`` (an RCDATA
element, whose content is text up to ``</title>``) never closed, or closed by a mangled tag
such as ``</titlevalue="true" -->``, turns the rest of the page into the title's text, so the
tree has a head and no body. When the parse gives no body (or an empty one) while the document
holds text, the markup is repaired and parsed again: an unclosed title is closed at the end of its line, and
if the body is still missing, the part of the page after the head is parsed on its own.
"""

import re
from typing import Any, Final

from lxml import html as lxml_html
from lxml.etree import LxmlError
from trafilatura.utils import is_dubious_html, repair_faulty_html

# Characters a parser cannot hold (C0 controls but tab and newlines, and DEL): stray bytes in a page.
_UNPARSABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TITLE_OPEN = re.compile(r"<title\b[^>]*>", re.IGNORECASE)
_TITLE_CLOSE = re.compile(r"</title\s*>", re.IGNORECASE)
_TITLE_LINE = re.compile(r"[^<\n]*")
_HEAD_END = re.compile(r"</head\s*>|<body\b", re.IGNORECASE)
# The body must hold at least this share of the document's text, or the parse lost the page.
_MIN_BODY_SHARE: Final = 0.2


def _lost_body(tree: Any) -> bool:  # an lxml HtmlElement (lxml ships no type hints)
    """True when the tree has no body, or an empty one, while the document holds text."""
    body = tree.find("body")
    if body is not None and (len(body) or (body.text or "").strip()):
        return False  # the cheap answer for nearly every page
    total = len(tree.text_content().strip())
    kept = len(body.text_content().strip()) if body is not None else 0
    return total > 0 and kept < _MIN_BODY_SHARE * total


def close_title(html: str) -> str:
    """``html`` with an unclosed ``<title>`` closed at the end of its first line."""
    opened = _TITLE_OPEN.search(html)
    if opened is None or _TITLE_CLOSE.search(html, opened.end()):
        return html
    line = _TITLE_LINE.match(html, opened.end())
    end = line.end() if line else opened.end()
    return f"{html[:end]}</title>{html[end:]}"


def _after_head(html: str) -> str | None:
    found = _HEAD_END.search(html)
    return f"<html><body>{html[found.end() :]}</body></html>" if found else None


# trafilatura's parser, with libxml2's limit on depth raised from 256 levels to 2,048 (huge_tree):
# past the limit it drops what lies deeper without a word, so a page that leaves a <div> open in
# every paragraph lost its text after the 253rd. (An inline tag left open, <font> or <b>, still
# loses it, inside trafilatura's extraction.)
_PARSER = lxml_html.HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
    huge_tree=True,
)


def load_page(html: str) -> Any | None:
    """trafilatura's ``load_html`` for a string, with ``_PARSER``: the tree, or None when the text
    does not parse or, not saying it is HTML, parses as a single block."""
    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    html = repair_faulty_html(html, beginning)
    try:
        tree = lxml_html.fromstring(html, parser=_PARSER)
    except (ValueError, LxmlError):  # a string declaring an encoding is parsed as UTF-8 bytes
        tree = None
    if tree is None or len(tree) < 1:
        try:
            tree = lxml_html.fromstring(html.encode("utf-8", "surrogatepass"), parser=_PARSER)
        except (ValueError, LxmlError):
            tree = None
    if tree is not None and dubious and len(tree) < 2:
        return None
    return tree


def parse_page(html: str) -> Any | None:
    """The page's tree (an lxml HtmlElement), repaired when the parse lost the body; None if unparsable."""
    if _UNPARSABLE.search(html):
        html = _UNPARSABLE.sub("", html)
    tree = load_page(html)
    if tree is not None and not _lost_body(tree):
        return tree
    for repaired in (close_title(html), _after_head(close_title(html))):
        if repaired is None or repaired == html:
            continue
        candidate = load_page(repaired)
        if candidate is not None and not _lost_body(candidate):
            return candidate
    if tree is None:
        try:
            return lxml_html.document_fromstring(html)
        except (ValueError, TypeError):
            return None
    return tree
