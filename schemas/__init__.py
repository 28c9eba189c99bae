"""Message contracts of newsflow: pydantic v2 models, exported as JSON Schema in ``json/``."""

from schemas.article import ArticleMetadata, CleanArticle, RawArticle, Removal
from schemas.base import SCHEMA_VERSION, Contract
from schemas.entities import AnalysedArticle, Entity, Mention, ModelInfo, Sentence
from schemas.result import (
    ArticleResult,
    ErrorEvent,
    ErrorReason,
    Stage,
    Summary,
    SummarySentence,
)

__all__ = [
    "SCHEMA_VERSION",
    "AnalysedArticle",
    "ArticleMetadata",
    "ArticleResult",
    "CleanArticle",
    "Contract",
    "Entity",
    "ErrorEvent",
    "ErrorReason",
    "Mention",
    "ModelInfo",
    "RawArticle",
    "Removal",
    "Sentence",
    "Stage",
    "Summary",
    "SummarySentence",
]
