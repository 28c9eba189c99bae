"""The clean stage: raw text or HTML in, a clean headline and body out."""

import re
import time
from datetime import UTC, datetime

from schemas.article import ArticleMetadata, CleanArticle, RawArticle
from schemas.result import ErrorReason
from worker import PIPELINE_VERSION
from worker.config import Settings
from worker.errors import InvalidArticle
from worker.identity import article_id_for, content_hash
from worker.stages.clean.html import extract_html
from worker.stages.clean.language import choose_language
from worker.stages.clean.limits import check_input
from worker.stages.clean.noise import strip_noise
from worker.stages.clean.page_hints import language_code
from worker.stages.clean.repair import repaired_paragraphs, repaired_title

_TITLE_MAX_WORDS = 30
_TITLE_END = re.compile(r"(?<!\.\.)[.;,:]$")  # "Rivals of the £400 Apple..." is a title


def _metadata(raw: RawArticle, page: ArticleMetadata | None) -> ArticleMetadata:
    """What the page says, completed by what the producer says; no date in the future."""
    page = page or ArticleMetadata()
    date = page.date or raw.published_at
    if date is not None and (date if date.tzinfo else date.replace(tzinfo=UTC)) > datetime.now(UTC):
        date = None
    return ArticleMetadata(
        author=page.author, date=date, site=page.site or raw.source, url=page.url or raw.url
    )


def _reads_as_title(paragraph: str) -> bool:
    return (
        "\n" not in paragraph
        and len(paragraph.split()) <= _TITLE_MAX_WORDS
        and not _TITLE_END.search(paragraph)
    )


def clean(raw: RawArticle, settings: Settings) -> CleanArticle:
    """Clean one article. Raises InvalidArticle with a reason code when it cannot."""
    started = time.perf_counter()
    page = check_input(raw, settings)
    if page is not None:
        extracted = extract_html(page, raw.url)
        title, metadata = repaired_title(extracted.title), _metadata(raw, extracted.metadata)
        blocks = repaired_paragraphs(extracted.text)
        headlines = (title, *extracted.headlines)
        hint = language_code(raw.language) or extracted.language
        cut = list(extracted.removed)
    else:
        title = ""
        metadata = _metadata(raw, None)
        blocks = repaired_paragraphs(raw.text or "")
        headlines = ()
        hint = language_code(raw.language)
        cut = []
    if not blocks:
        raise InvalidArticle(ErrorReason.EMPTY_TEXT, "no text left after extraction")
    blocks, removed = strip_noise(blocks, headlines)
    removed = [*cut, *removed]
    if not title and len(blocks) > 1 and _reads_as_title(blocks[0]):
        title = blocks.pop(0)
    if not blocks:
        reason = ErrorReason.ONLY_BOILERPLATE if removed else ErrorReason.EMPTY_TEXT
        raise InvalidArticle(reason, "no article text left after removing boilerplate")
    text = "\n\n".join(blocks)
    language, confidence = choose_language(f"{title}\n{text}", hint, settings)
    return CleanArticle(
        article_id=article_id_for(raw),
        content_hash=content_hash(text),
        title=title,
        text=text,
        language=language,
        language_confidence=round(confidence, 4),
        metadata=metadata,
        removed=tuple(removed),
        pipeline_version=PIPELINE_VERSION,
        timings={"clean": round((time.perf_counter() - started) * 1000, 3)},
    )
