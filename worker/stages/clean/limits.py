"""What the clean stage refuses before any work: too large, not UTF-8, binary, empty, too many tags."""

import re

from schemas.article import RawArticle
from schemas.result import ErrorReason
from worker.config import Settings
from worker.errors import InvalidArticle

_HTML_TAG = re.compile(r"<[A-Za-z]")
_MARKUP = re.compile(r"<(?:!doctype\s+html|\?xml\s|html[\s>]|head[\s>]|body[\s>]|title[\s>]|meta\s)", re.I)
_MARKUP_WINDOW = 4096
# Unicode categories Cc (but tab and newlines), Cs and Co: what binary data decodes to.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff"
    "\U000f0000-\U000ffffd\U00100000-\U0010fffd]"
)


def check_input(raw: RawArticle, settings: Settings) -> str | None:
    """Raise InvalidArticle with a reason code when the raw article cannot be cleaned; else return
    its page (``RawArticle.page``: the HTML to extract from, None for plain text)."""
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
    page = raw.page
    if is_binary(body) and not (page is not None and is_markup(page)):
        raise InvalidArticle(ErrorReason.BINARY_CONTENT, "body looks like binary data, not text")
    if not body.strip():
        raise InvalidArticle(ErrorReason.EMPTY_TEXT, "article body is empty")
    if page is not None and len(_HTML_TAG.findall(page)) > settings.max_html_elements:
        raise InvalidArticle(
            ErrorReason.TOO_LARGE, f"page has more than {settings.max_html_elements} HTML elements"
        )
    return page


def is_markup(text: str) -> bool:
    """True when the text is an HTML (or XML) page: its opening holds a document's tags.

    Such a page is text even with stray NUL or control bytes in it: the parse drops them.
    """
    return _MARKUP.search(text[:_MARKUP_WINDOW]) is not None


def is_binary(text: str) -> bool:
    """True when the text is mostly not text: NUL bytes or many control characters."""
    if "\x00" in text:
        return True
    sample = text[:20_000]
    return len(_CONTROL.findall(sample)) > max(8, len(sample) // 100)
