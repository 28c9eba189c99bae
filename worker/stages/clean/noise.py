"""Drop what is not the story from a list of paragraphs, reporting each removal with its kind.

The rules are general: the headline echoed as the first line of the body, the comment thread
(a heading such as "Comments" or "6 thoughts on ..." and everything after it), headline-like
lines listed under a bare "Related" or "See also:" heading, tag lists under "Tags", and
formulaic boilerplate lines anywhere (see ``boilerplate``).
"""

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from schemas.article import Removal
from worker.stages.boilerplate import boilerplate_kind, is_comment_heading
from worker.stages.clean.plausible import PROSE_WORDS

_TOKEN = re.compile(r"\w+")
_LINK_AFTER = re.compile(r"[:|>»›\-–]\s*\w")  # "Read more: <a headline>" carries its own link
_HEAD_LINES: Final = 2
# A comment count ("12 Comments") only opens the thread near the end of the page.
_COUNT_TAIL_SHARE: Final = 0.25
_MIN_STORY_WORDS: Final = 8
_TAG_ITEM_WORDS: Final = 6
_LINK_HEADING_WORDS: Final = 5
_LINK_ITEM_WORDS: Final = 16
_SENTENCE_ENDS: Final = (".", "!", "?", ":", ";", "”", '"')


@dataclass
class _Line:
    block: int
    text: str
    kind: str | None = None


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.casefold())


def _contains_run(longer: list[str], shorter: list[str]) -> bool:
    width = len(shorter)
    return any(longer[i : i + width] == shorter for i in range(len(longer) - width + 1))


def echoes_title(line: str, title: str) -> bool:
    """True when ``line`` repeats the headline (exactly, trimmed of a site name, or nearly)."""
    words, head = _tokens(line), _tokens(title)
    if not words or not head:
        return False
    if words == head:
        return True
    if len(words) >= 3 and len(words) >= len(head) / 2 and _contains_run(head, words):
        return True  # the title carries a site name: "Budget passes | City News"
    if line.rstrip().endswith("."):
        return False  # a sentence (a lede that repeats the headline's words) is story
    if len(head) >= 3 and len(words) <= len(head) + 4 and _contains_run(words, head):
        return True  # the line carries a kicker or a label around the headline
    shared = len(set(words) & set(head)) / len(set(words) | set(head))
    return len(head) >= 5 and shared >= 0.8


def _mark_title_echo(lines: list[_Line], headlines: tuple[str, ...]) -> None:
    for line in lines[:_HEAD_LINES]:
        if line.kind is None and any(echoes_title(line.text, head) for head in headlines):
            line.kind = "title_echo"
            return


def _comment_thread_start(lines: list[_Line]) -> int | None:
    """Where the readers' thread begins: a heading, or a comment count near the end.

    Only after a paragraph of prose: a "Comments" link in the toolbar under the headline opens
    no thread.
    """
    first_story = next(
        (
            i
            for i, line in enumerate(lines)
            if line.kind is None and len(line.text.split()) >= _MIN_STORY_WORDS
        ),
        None,
    )
    if first_story is None:
        return None
    tail_from = len(lines) - max(1, round(len(lines) * _COUNT_TAIL_SHARE))
    prose_seen = False
    for index in range(first_story, len(lines)):
        line = lines[index]
        opens = is_comment_heading(line.text) or (index >= tail_from and line.kind == "comment_prompt")
        if opens and index > first_story and prose_seen:
            return index
        prose_seen = prose_seen or (line.kind is None and len(line.text.split()) >= PROSE_WORDS)
    return None


def _is_tag_list(text: str) -> bool:
    items = [item for item in re.split(r"\s*[,;|·•]\s*", text.strip()) if item]
    return len(items) >= 2 and all(len(item.split()) <= _TAG_ITEM_WORDS for item in items)


def _mark_tag_lists(lines: list[_Line]) -> None:
    for current, following in pairwise(lines):
        if current.kind == "tags" and following.kind is None and _is_tag_list(following.text):
            following.kind = "tags"


def _is_link_item(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= _LINK_ITEM_WORDS and not text.rstrip().endswith(_SENTENCE_ENDS)


def _mark_link_lists(lines: list[_Line]) -> None:
    """Headline-like lines under a bare "Related" / "See also:" / "More:" heading are links."""
    for index, line in enumerate(lines):
        bare = len(_tokens(line.text)) <= _LINK_HEADING_WORDS and not _LINK_AFTER.search(line.text)
        if line.kind != "read_more" or not bare:
            continue
        for item in lines[index + 1 :]:
            if item.kind is not None or not _is_link_item(item.text):
                break
            item.kind = "related_links"


def strip_noise(blocks: list[str], headlines: tuple[str, ...] = ()) -> tuple[list[str], list[Removal]]:
    """Paragraphs without headline echo, comment thread and boilerplate; what was removed.

    ``headlines`` are the names the source gives the story (title, ``<h1>``, og:title): a first
    line repeating one of them is the headline again, not the body.
    """
    lines = [
        _Line(number, text, boilerplate_kind(text))
        for number, block in enumerate(blocks)
        for text in block.split("\n")
    ]
    _mark_tag_lists(lines)
    _mark_link_lists(lines)
    start = _comment_thread_start(lines)
    if start is not None:
        for line in lines[start:]:
            line.kind = line.kind or "comment"
    headlines = tuple(head for head in headlines if head)
    if headlines:
        _mark_title_echo(lines, headlines)
    kept: dict[int, list[str]] = {}
    removed: list[Removal] = []
    for line in lines:
        if line.kind is None:
            kept.setdefault(line.block, []).append(line.text)
        else:
            removed.append(Removal(kind=line.kind, text=line.text))
    return ["\n".join(texts) for _, texts in sorted(kept.items())], removed
