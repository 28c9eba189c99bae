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
from worker.stages.html import extract_html
from worker.stages.language import UNDETERMINED, detect
from worker.stages.noise import strip_noise
from worker.stages.page_hints import language_code
from worker.stages.textfix import is_binary, paragraphs, repair_encoding, repair_typography

_TITLE_MAX_WORDS = 30
_HTML_TAG = re.compile(r"<[A-Za-z]")
_TITLE_END = re.compile(r"(?<!\.\.)[.;,:]$")  # "Rivals of the £400 Apple..." is a title


def _check_size_and_bytes(raw: RawArticle, settings: Settings) -> None:
    body = raw.body
    if len(body) > settings.max_article_bytes or (
        len(body) * 4 > settings.max_article_bytes
        and len(body.encode("utf-8", "surrogatepass")) > settings.max_article_bytes
    ):
        raise InvalidArticle(
            ErrorReason.TOO_LARGE,
            f"article body exceeds {settings.max_article_bytes} bytes",
        )
    try:
        body.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidArticle(ErrorReason.INVALID_ENCODING, f"body is not valid UTF-8: {exc.reason}") from exc
    if is_binary(body):
        raise InvalidArticle(ErrorReason.BINARY_CONTENT, "body looks like binary data, not text")
    if not body.strip():
        raise InvalidArticle(ErrorReason.EMPTY_TEXT, "article body is empty")
    if raw.html is not None and len(_HTML_TAG.findall(raw.html)) > settings.max_html_elements:
        raise InvalidArticle(
            ErrorReason.TOO_LARGE, f"page has more than {settings.max_html_elements} HTML elements"
        )


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


def _check_language(text: str, hint: str | None, settings: Settings) -> tuple[str, float]:
    """The article's language, or InvalidArticle(unsupported_language).

    ``hint`` is what the producer or the page declares. The detector decides when it is sure;
    a declared accepted language wins when the detector gives it some support; a text too short
    or too name-heavy to tell takes the declared language, else the first accepted one.
    """
    found = detect(text)
    accepted = settings.languages
    if found.language in accepted:
        return found.language, found.confidence
    if hint is not None and hint in accepted and found.score(hint) >= settings.language_hint_min_confidence:
        return hint, found.score(hint)
    if found.language != UNDETERMINED and found.confidence >= settings.min_language_confidence:
        raise InvalidArticle(
            ErrorReason.UNSUPPORTED_LANGUAGE,
            f"article language {found.language!r} (confidence {found.confidence:.2f}) is not one of "
            f"{list(accepted)}",
        )
    if hint is not None and hint not in accepted:
        raise InvalidArticle(
            ErrorReason.UNSUPPORTED_LANGUAGE,
            f"declared language {hint!r} is not one of {list(accepted)} and the text does not say otherwise",
        )
    return hint or accepted[0], found.score(hint or accepted[0])


def clean(raw: RawArticle, settings: Settings) -> CleanArticle:
    """Clean one article. Raises InvalidArticle with a reason code when it cannot."""
    started = time.perf_counter()
    _check_size_and_bytes(raw, settings)
    if raw.html is not None:
        extracted = extract_html(raw.html, raw.url)
        title, metadata = (
            repair_typography(repair_encoding(extracted.title)),
            _metadata(raw, extracted.metadata),
        )
        blocks = paragraphs(repair_encoding(extracted.text))
        headlines = (title, *extracted.headlines)
        hint = language_code(raw.language) or extracted.language
    else:
        title = ""
        metadata = _metadata(raw, None)
        blocks = paragraphs(repair_encoding(raw.text or ""))
        headlines = ()
        hint = language_code(raw.language)
    if not blocks:
        raise InvalidArticle(ErrorReason.EMPTY_TEXT, "no text left after extraction")
    blocks, removed = strip_noise(blocks, headlines)
    if not title and len(blocks) > 1 and _reads_as_title(blocks[0]):
        title = blocks.pop(0)
    if not blocks:
        reason = ErrorReason.ONLY_BOILERPLATE if removed else ErrorReason.EMPTY_TEXT
        raise InvalidArticle(reason, "no article text left after removing boilerplate")
    text = "\n\n".join(blocks)
    language, confidence = _check_language(f"{title}\n{text}", hint, settings)
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
