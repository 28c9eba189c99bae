"""The entities stage: spaCy NER merged into canonical entities with salience and attributed quotes.

A language with no NER model gets rule-based sentences and no entities (``sentences``).
"""

from spacy.language import Language

from schemas.article import CleanArticle
from schemas.entities import AnalysedArticle
from worker.stages.entities.sentences import NO_MODEL, analyse_without_model
from worker.stages.entities.stage import analyse

__all__ = ["NO_MODEL", "analyse", "analyse_in_language"]


def analyse_in_language(
    article: CleanArticle, nlp: Language | None, *, chunk_chars: int = 100_000
) -> AnalysedArticle:
    """``analyse`` with the article language's model, or rule-based sentences when it has none."""
    if nlp is None:
        return analyse_without_model(article)
    return analyse(article, nlp, chunk_chars=chunk_chars)
