"""Page furniture removed from the tree by its structure: comment threads and link lists after the story.

Rules read the shape of the markup, never a site's class names:

- a comment thread: a heading-like element whose whole text opens a thread ("3 comments",
  "Leave a reply", "12 thoughts on ...") and everything after it in its container;
- a related-links list: a heading-like element saying "Related stories", "Most read", "See
  also", "More from ...", followed by blocks made of links;
- a link list: a list of three or more items, each of them one link and nothing else.

Each applies only after the page has shown some prose (``_MIN_PROSE_BEFORE`` words in
paragraphs before it), so a menu or a thread above the story never takes the story with it.
"""

import re
from typing import Any, Final

from schemas.article import Removal
from worker.stages.boilerplate import PATTERNS, is_comment_heading

_WORD = re.compile(r"\w+")
# The boilerplate line patterns of the two kinds that head furniture (not the whole battery).
_COUNT_HEADING = tuple(p for kind, p in PATTERNS if kind == "comment_prompt")
_LINKS_HEADING = tuple(p for kind, p in PATTERNS if kind == "read_more")
_HINT = re.compile(
    r"comment|coment|kommentar|reac|repl|respons|thought|discussion|related|read|more|also"
    r"|see|like|most|leggi|lesen|leia|lea|lire",
    re.IGNORECASE,
)
_HEADINGS: Final = (
    "(//h2 | //h3 | //h4 | //h5 | //h6 | //strong | //b | //p | //span | //div[not(*)])"
    "[string-length(normalize-space()) > 2 and string-length(normalize-space()) < 80]"
)
_MAX_HEADING_WORDS: Final = 8
_MIN_PROSE_BEFORE: Final = 40
_LINK_SHARE: Final = 0.6  # of a block's text inside links: a block of links
_MIN_LINK_ITEMS: Final = 3
_MAX_CHECKED: Final = 2000
_KEEP_CHARS: Final = 200  # of a removed block's text, in the removal report


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _text(node: Any) -> str:
    return " ".join(str(node.text_content()).split())


def _story_start(tree: Any) -> tuple[dict[Any, int], int]:
    """Each element's position in document order, and the position where the page's prose
    reaches ``_MIN_PROSE_BEFORE`` words (past the end when it never does)."""
    order = {node: index for index, node in enumerate(tree.iter())}
    seen = 0
    for paragraph in tree.iter("p"):
        seen += _words(paragraph.text_content())
        if seen >= _MIN_PROSE_BEFORE:
            return order, order[paragraph]
    return order, len(order)


def _link_share(node: Any) -> float:
    text = _words(node.text_content())
    linked = sum(_words(a.text_content()) for a in node.iter("a"))
    return linked / text if text else 0.0


def _drop(node: Any, kind: str, removed: list[Removal]) -> None:
    text = _text(node)
    if text:
        removed.append(Removal(kind=kind, text=text[:_KEEP_CHARS]))
    node.drop_tree()


def _heading_block(node: Any) -> Any:
    """The outermost element holding exactly the heading's text (a <b> inside an <h3> gives the <h3>)."""
    text = _text(node)
    parent = node.getparent()
    while parent is not None and parent.tag not in ("body", "html") and _text(parent) == text:
        node, parent = parent, parent.getparent()
    return node


def _drop_thread(heading: Any, removed: list[Removal]) -> None:
    for sibling in list(heading.itersiblings()):
        _drop(sibling, "comment", removed)
    _drop(heading, "comment", removed)


def _drop_related(heading: Any, removed: list[Removal]) -> None:
    links = [s for s in heading.itersiblings() if isinstance(s.tag, str)]
    taken = []
    for sibling in links:
        if _text(sibling) and _link_share(sibling) < _LINK_SHARE:
            break
        taken.append(sibling)
    if any(_text(node) for node in taken):
        for node in taken:
            _drop(node, "related_links", removed)
        _drop(heading, "related_links", removed)


def _is_link_list(node: Any) -> bool:
    items = [item for item in node if isinstance(item.tag, str) and item.tag == "li"]
    if len(items) < _MIN_LINK_ITEMS:
        return False
    for item in items:
        links = list(item.iter("a"))
        if len(links) != 1 or _text(links[0]) != _text(item) or not _text(item):
            return False
    return True


def prune_furniture(tree: Any) -> list[Removal]:  # an lxml HtmlElement (lxml ships no type hints)
    """Remove comment threads and link lists that follow the story from ``tree``; what was removed."""
    removed: list[Removal] = []
    seen: set[int] = set()
    story: list[tuple[dict[Any, int], int]] = []  # built on first need: most pages need none

    def after_story(node: Any) -> bool:
        if not story:
            story.append(_story_start(tree))
        order, start = story[0]
        return order.get(node, -1) > start

    for node in tree.xpath(_HEADINGS)[:_MAX_CHECKED]:
        if node.getparent() is None or id(node) in seen:
            continue
        text = _text(node)
        if not text or _words(text) > _MAX_HEADING_WORDS:
            continue
        if not _HINT.search(text):
            continue  # the cheap test first: most short elements are no heading of furniture
        line = text.strip("|·•-–— ")
        # "Comments", "Leave a reply", or a count such as "3 comments" standing as a heading
        thread = is_comment_heading(text) or (
            any(c.isdigit() for c in text) and any(p.fullmatch(line) for p in _COUNT_HEADING)
        )
        if not thread and not any(p.fullmatch(line) for p in _LINKS_HEADING):
            continue
        block = _heading_block(node)
        seen.add(id(block))
        if block.getparent() is None or not after_story(block):
            continue
        (_drop_thread if thread else _drop_related)(block, removed)
    for node in tree.xpath("//ul | //ol")[:_MAX_CHECKED]:
        if node.getparent() is not None and _is_link_list(node) and after_story(node):
            _drop(node, "related_links", removed)
    return removed
