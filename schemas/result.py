"""What consumers receive: an ArticleResult per article, or an ErrorEvent."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.base import Contract
from schemas.entities import AnalysedArticle, Span


class SummarySentence(Span):
    """One extracted sentence, its offsets into ``text`` and its score."""

    text: str
    score: float


class Summary(BaseModel):
    """An extractive summary: sentences in article order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sentences: tuple[SummarySentence, ...]
    text: str
    method: str
    params: dict[str, float | int | str] = Field(default_factory=dict)


class ArticleResult(AnalysedArticle):
    """The published document: everything the pipeline knows about one article."""

    summary: Summary
    revision: int = Field(default=0, ge=0)


class Stage(StrEnum):
    """Where in the pipeline something happened."""

    SUBMIT = "submit"
    CLEAN = "clean"
    ENTITIES = "entities"
    SUMMARISE = "summarise"
    PUBLISH = "publish"


class ErrorReason(StrEnum):
    """Stable reason codes: consumers may switch on them."""

    EMPTY_TEXT = "empty_text"
    ONLY_BOILERPLATE = "only_boilerplate"
    TOO_LARGE = "too_large"
    TOO_MANY_TOKENS = "too_many_tokens"
    BINARY_CONTENT = "binary_content"
    INVALID_ENCODING = "invalid_encoding"
    INVALID_JSON = "invalid_json"
    INVALID_SCHEMA = "invalid_schema"
    INVALID_MESSAGE = "invalid_message"
    UNSUPPORTED_LANGUAGE = "unsupported_language"
    TIMEOUT = "timeout"
    TRANSIENT_FAILURE = "transient_failure"
    WORKER_LOST = "worker_lost"
    INTERNAL_ERROR = "internal_error"


class ErrorEvent(Contract):
    """A final failure of one article: published on the errors channel and dead-lettered."""

    schema_version: Literal[2] = 2
    article_id: str
    stage: Stage
    reason: ErrorReason
    message: str
    retryable: bool = False
    attempt: int = Field(default=1, ge=1)
    input_ref: str | None = None
    task_id: str | None = None
    revision: int = Field(default=0, ge=0)
    pipeline_version: str
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
