"""Main text and metadata from HTML with trafilatura."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import trafilatura
from trafilatura.utils import load_html

from schemas.article import ArticleMetadata


@dataclass(frozen=True)
class Extracted:
    """What the HTML gave: body text (paragraphs separated by blank lines), title, metadata."""

    text: str
    title: str
    metadata: ArticleMetadata
    language: str | None
    headlines: tuple[str, ...] = ()


_HEADLINE_PATHS = (
    "//h1",
    "//title",
    "//meta[@property='og:title']/@content",
    "//meta[@name='twitter:title']/@content",
)
_MAX_HEADLINES = 8


def page_headlines(html: str) -> tuple[str, ...]:
    """The page's own names for the story: ``<h1>``, ``<title>``, og: and twitter: titles."""
    tree = load_html(html)
    if tree is None:
        return ()
    found: list[str] = []
    for path in _HEADLINE_PATHS:
        for node in tree.xpath(path)[:_MAX_HEADLINES]:
            text = " ".join(str(node if isinstance(node, str) else node.text_content()).split())
            if text and text not in found:
                found.append(text)
    return tuple(found)


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
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=favor_precision,
    )
    return {} if doc is None else doc if isinstance(doc, dict) else doc.as_dict()


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Extract the article from a page; an empty ``text`` when the page has none."""
    data = _extract(html, url, favor_precision=True)
    if not str(data.get("text") or "").strip():
        data = _extract(html, url, favor_precision=False)
    body = str(data.get("text") or "").replace("\n", "\n\n")
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
        language=data.get("language"),
        headlines=page_headlines(html),
    )
