"""Main text and metadata from HTML with trafilatura."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import trafilatura
from trafilatura.utils import load_html

from schemas.article import ArticleMetadata
from worker.stages.clean.embeds import find_embeds, restore_embeds
from worker.stages.clean.page_hints import PageHints, page_hints


@dataclass(frozen=True)
class Extracted:
    """What the HTML gave: body text (paragraphs separated by blank lines), title, metadata."""

    text: str
    title: str
    metadata: ArticleMetadata
    language: str | None  # as the page declares it (``<html lang>``, content-language)
    headlines: tuple[str, ...] = ()


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


def _extract(html: str, url: str | None, *, favor_precision: bool) -> dict[str, Any]:
    # Dates only from the page's markup, metadata or URL: htmldate's extensive search would take
    # a date the story mentions ("until March 3, 2018") for the publication date.
    dates = {
        "original_date": True,
        "extensive_search": False,
        "max_date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=favor_precision,
        date_extraction_params=dates,
    )
    return {} if doc is None else doc if isinstance(doc, dict) else doc.as_dict()


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Extract the article from a page; an empty ``text`` when the page has none."""
    data = _extract(html, url, favor_precision=True)
    if not str(data.get("text") or "").strip():
        data = _extract(html, url, favor_precision=False)
    tree = load_html(html)
    hints = page_hints(tree) if tree is not None else PageHints()
    lines = str(data.get("text") or "").split("\n")
    if tree is not None and lines != [""]:
        lines = restore_embeds(lines, find_embeds(tree))
    body = "\n\n".join(lines)
    metadata = ArticleMetadata(
        author=data.get("author") or None,
        date=_parse_date(data.get("date"), datetime.now(UTC)),
        site=data.get("sitename") or None,
        url=data.get("url") or url,
    )
    return Extracted(
        text=body,
        title=str(data.get("title") or ""),
        metadata=metadata,
        language=hints.language,
        headlines=hints.headlines,
    )
