"""Main text and metadata from HTML: a chain of extractors, each tried only when needed.

The page is parsed once (``markup``, repairing markup the parse would lose), its comment
threads and link lists are cut (``structure``) and its metadata is read once (``metadata``).
trafilatura in precision mode, without its own fallbacks, gives the first candidate. While the
candidate holds no prose, or under a fifth of the prose the page shows, precision mode (with its
fallbacks) and recall mode are tried; when it is shaped like layout tables, link lists or boilerplate
(``plausible``), readability, an extractor of another design, is asked, and its text wins
when it is the article inside the candidate or when it alone holds prose.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from schemas.article import ArticleMetadata, Removal
from worker.stages.clean.candidates import Candidate, Mode, from_readability, from_trafilatura
from worker.stages.clean.embeds import find_embeds, restore_embeds
from worker.stages.clean.markup import parse_page
from worker.stages.clean.metadata import page_metadata
from worker.stages.clean.page_hints import page_hints
from worker.stages.clean.plausible import core_of, has_prose, page_prose_words, shape, suspect
from worker.stages.clean.structure import prune_furniture

_TOO_LITTLE = frozenset({"no_prose", "little_prose"})
# Default mode between the two was measured to change no dev page's result: where precision mode
# with its fallbacks finds too little, so does default mode.
_FALLBACK_MODES: tuple[Mode, ...] = ("precision", "recall")
# A body of this few paragraphs that holds too little of the page's prose (a reprint notice, a
# teaser) gives way to a plausible fuller text; a longer one is kept (a post on a busy blog page).
_SCANT_LINES = 2


@dataclass(frozen=True)
class Extracted:
    """What the HTML gave: body text (paragraphs separated by blank lines), title, metadata."""

    text: str
    title: str
    metadata: ArticleMetadata
    language: str | None  # as the page declares it (``<html lang>``, content-language)
    headlines: tuple[str, ...] = ()
    source: str = ""  # which extractor's text it is
    removed: tuple[Removal, ...] = ()  # comment threads and link lists cut from the page's tree


def _parse_date(value: str | None, now: datetime) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed if parsed <= now else None


def _more_prose(first: Candidate, second: Candidate) -> Candidate:
    return second if shape(second.text).prose_words > shape(first.text).prose_words else first


def choose_body(tree: Any, url: str | None) -> Candidate:  # an lxml HtmlElement
    """The most plausible body of a parsed page."""
    first = from_trafilatura(tree, url, "fast")
    prose = page_prose_words(tree)
    chosen, reason = first, suspect(first.text, prose)
    if reason in _TOO_LITTLE:
        for mode in _FALLBACK_MODES:
            other = from_trafilatura(tree, url, mode)
            chosen = _more_prose(chosen, other)
            reason = suspect(chosen.text, prose)
            if reason not in _TOO_LITTLE:
                break
    if reason is not None:
        other = from_readability(tree)
        lacking = not has_prose(chosen.text) and has_prose(other.text)
        # the candidate is shaped like furniture, the other is plausible and holds more of the story
        fuller = (
            (reason not in _TOO_LITTLE or shape(chosen.text).prose_lines <= _SCANT_LINES)
            and suspect(other.text, prose) is None
            and _more_prose(chosen, other) is other
        )
        if core_of(chosen.text, other.text) or lacking or fuller or (not chosen.text and other.text):
            chosen = other
    return chosen


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Extract the article from a page; an empty ``text`` when the page has none."""
    tree = parse_page(html)
    if tree is None:
        return Extracted("", "", ArticleMetadata(url=url), None)
    removed = prune_furniture(tree)
    data = page_metadata(tree, url)
    chosen = choose_body(tree, url)
    hints = page_hints(tree)
    lines = chosen.text.split("\n")
    if lines != [""]:
        lines = restore_embeds(lines, find_embeds(tree))
    metadata = ArticleMetadata(
        author=data.get("author") or None,
        date=_parse_date(data.get("date"), datetime.now(UTC)),
        site=data.get("sitename") or None,
        url=data.get("url") or url,
    )
    return Extracted(
        text="\n\n".join(lines),
        title=str(data.get("title") or ""),
        metadata=metadata,
        language=hints.language,
        headlines=hints.headlines,
        source=chosen.source,
        removed=tuple(removed),
    )
