"""Embedded posts (tweets) that the extractor dropped from between two story paragraphs.

A post quoted inside the story is part of it (readers see it between the paragraphs, and it
often carries the quote the story is about), but extractors prune it with the social widgets.
A post is restored only right after the story paragraph that precedes it on the page, so
posts in sidebars or footers, whose neighbour is not story text, stay out.
"""

from dataclasses import dataclass
from typing import Any, Final

_POSTS: Final = "//blockquote[contains(concat(' ', normalize-space(@class), ' '), ' twitter-tweet ')]"
_MAX_POSTS: Final = 50
_MIN_ANCHOR_CHARS: Final = 40


@dataclass(frozen=True)
class Embed:
    """One embedded post: the text of the paragraph before it, and its own lines."""

    anchor: str
    lines: tuple[str, ...]


def _squash(text: str) -> str:
    return " ".join(text.split())


def find_embeds(tree: Any) -> list[Embed]:  # an lxml HtmlElement (lxml ships no type hints)
    """The embedded posts of a parsed page, each with the paragraph that precedes it."""
    found: list[Embed] = []
    for post in tree.xpath(_POSTS)[:_MAX_POSTS]:
        before = post.xpath("preceding::p[normalize-space()][1]")
        if not before:
            continue
        for br in post.iter("br"):
            br.tail = " " + (br.tail or "")
        lines = [text for text in (_squash(p.text_content()) for p in post.iter("p")) if text]
        attribution = _squash(post.text_content())
        for text in lines:
            attribution = attribution.replace(text, "", 1)
        if attribution.strip():
            lines.append(_squash(attribution))
        if lines:
            found.append(Embed(_squash(before[0].text_content()), tuple(lines)))
    return found


def restore_embeds(lines: list[str], embeds: list[Embed]) -> list[str]:
    """``lines`` with each missing post inserted after the story line it follows on the page."""
    present = _squash(" ".join(lines))
    result = list(lines)
    for embed in reversed(embeds):  # posts sharing an anchor keep their page order
        if len(embed.anchor) < _MIN_ANCHOR_CHARS or _squash(embed.lines[0])[:60] in present:
            continue
        for index, line in enumerate(result):
            if _squash(line) == embed.anchor:
                result[index + 1 : index + 1] = list(embed.lines)
                break
    return result
