"""What producers send (RawArticle) and what the clean stage hands on (CleanArticle)."""

import re
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.base import Contract

ArticleId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[\w.:\-/@]+$")]
# A whole HTML page opens, after whitespace, comments or an XML declaration, with its doctype or <html>.
_HTML_DOCUMENT = re.compile(
    r"\ufeff?\s*(?:<!--.*?-->\s*)*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_DOCUMENT_OPENING = 4096


def is_html_document(text: str) -> bool:
    """True when ``text`` is a whole HTML page, not an article's text that mentions tags."""
    return _HTML_DOCUMENT.match(text[:_DOCUMENT_OPENING]) is not None


class RawArticle(Contract):
    """One article as a producer pushes it: exactly one of ``text`` or ``html``."""

    schema_version: Literal[1, 2] = 2
    id: ArticleId | None = None
    url: str | None = Field(default=None, max_length=4096)
    source: str | None = Field(default=None, max_length=200)
    published_at: datetime | None = None
    language: str | None = Field(default=None, min_length=2, max_length=8)
    text: str | None = None
    html: str | None = None

    @model_validator(mode="after")
    def _exactly_one_body(self) -> Self:
        if (self.text is None) == (self.html is None):
            raise ValueError("exactly one of 'text' or 'html' must be given")
        return self

    @property
    def body(self) -> str:
        """The raw body, whichever field carries it."""
        return self.text if self.text is not None else (self.html or "")

    @property
    def page(self) -> str | None:
        """The HTML page to extract the article from: ``html``, or a ``text`` that is a whole
        HTML document (a page sent in the wrong field); None for plain text."""
        if self.html is not None:
            return self.html
        return self.text if self.text is not None and is_html_document(self.text) else None


class ArticleMetadata(BaseModel):
    """What the page says about itself; every field may be unknown."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    author: str | None = None
    date: datetime | None = None
    site: str | None = None
    url: str | None = None


class Removal(BaseModel):
    """One block of boilerplate the clean stage dropped, with its kind."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    text: str


class CleanArticle(Contract):
    """A cleaned article: headline apart from the body, noise fixed, boilerplate reported."""

    schema_version: Literal[2] = 2
    article_id: ArticleId
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    title: str
    text: str = Field(min_length=1)
    language: str
    language_confidence: float = Field(ge=0.0, le=1.0)
    metadata: ArticleMetadata = ArticleMetadata()
    removed: tuple[Removal, ...] = ()
    pipeline_version: str
    duplicate_of: ArticleId | None = Field(
        default=None, description="The earliest near-duplicate seen within the window, if any."
    )
    duplicate_similarity: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Estimated Jaccard similarity to ``duplicate_of``."
    )
    timings: dict[str, float] = Field(default_factory=dict)
