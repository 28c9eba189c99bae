"""Entities and the article as the entities stage hands it on."""

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.article import CleanArticle


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(_Part):
    """A half-open character range ``[start, end)`` into the article's ``text``."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be greater than start")
        return self


class Sentence(Span):
    """A sentence boundary found by the entities stage."""


class Mention(Span):
    """One occurrence of an entity: ``text[start:end] == mention.text``."""

    text: str = Field(min_length=1)


class Entity(_Part):
    """A canonical entity: all the mentions in the article that name one thing."""

    id: str
    label: str
    name: str
    key: str = Field(
        pattern=r"^[A-Z_]+:\S(?:.*\S)?$",
        description="Label and normalised name (``PERSON:vladimir putin``): the same in every article.",
    )
    aliases: tuple[str, ...] = ()
    mentions: tuple[Mention, ...]
    count: int = Field(ge=1)
    salience: float = Field(ge=0.0, le=1.0)
    title_mentions: tuple[Mention, ...] = Field(
        default=(), description="Mentions in the headline; offsets index ``title``, not ``text``."
    )


class Quote(Span):
    """A direct quotation: ``text[start:end]`` is what stands between the quotation marks."""

    text: str = Field(min_length=1)
    speaker: str | None = Field(default=None, description="The id of the speaking entity, if the text says.")


class ModelInfo(_Part):
    """The NLP model that produced the entities and sentences."""

    name: str
    version: str
    spacy_version: str


class AnalysedArticle(CleanArticle):
    """The clean article plus sentence boundaries, entities and attributed quotes."""

    sentences: tuple[Sentence, ...]
    entities: tuple[Entity, ...]
    quotes: tuple[Quote, ...] = ()
    model: ModelInfo
