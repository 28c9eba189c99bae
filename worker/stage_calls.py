"""What a stage task runs: one stage on its input, as an object or as the JSON it was sent as.

``run_stage`` is the stage itself, with the checks and the model choice around it; the task
(worker/tasks.py) adds the failure guard, the status marks, the hand-off and the publish.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from schemas.article import CleanArticle
from schemas.entities import AnalysedArticle
from schemas.result import ArticleResult, ErrorReason, Stage
from worker.config import Settings
from worker.errors import InvalidArticle
from worker.payloads import parse_raw
from worker.runtime import Runtime

if TYPE_CHECKING:  # the index needs numpy: it loads with the first stage run, not on import
    from worker.duplicates import Later


@dataclass(frozen=True)
class Output:
    """A stage's output document, and the queue of its own the next stage takes it from, if any.

    The document stays an object while the next stage runs in the same task (fused), and becomes
    JSON only when it is handed on through the broker.
    """

    document: CleanArticle | AnalysedArticle
    queue: str | None = None
    later: "Later | None" = None  # the duplicate lookup under way, answered before the publish


def run_stage(
    runtime: Runtime,
    stage: Stage,
    document: object,
    *,
    k: int | None,
    words: int | None,
    chain: tuple[Stage, ...],
) -> Output | ArticleResult:
    """One stage of a task running ``chain`` on its input: the output, or the result to publish."""
    settings = runtime.settings
    if stage is Stage.CLEAN:
        cleaned, later = _clean(document, runtime, fused_entities=Stage.ENTITIES in chain)
        if isinstance(cleaned, ArticleResult):
            return cleaned
        queue = settings.entities_queue(cleaned.language)
        return Output(cleaned, None if queue == settings.queue_entities else queue, later)
    if stage is Stage.ENTITIES:
        return Output(_entities(document, runtime))
    from worker.stages.summary import summarise

    analysed = document
    if not isinstance(analysed, AnalysedArticle):
        analysed = AnalysedArticle.model_validate_json(str(document))
    return summarise(analysed, k or settings.summary_sentences, max_words=words or settings.summary_max_words)


def _check_tokens(article: CleanArticle, settings: Settings) -> None:
    tokens = len(article.text.split())
    if tokens > settings.max_tokens:
        raise InvalidArticle(
            ErrorReason.TOO_MANY_TOKENS, f"{tokens} tokens exceed the limit of {settings.max_tokens}"
        )


def _clean(
    document: object, runtime: Runtime, *, fused_entities: bool
) -> tuple[CleanArticle | ArticleResult, "Later | None"]:
    """The clean stage, then the duplicate index; under ``skip`` a copy's short result.

    Under ``annotate``, when the entities stage runs next in the same task (``fused_entities``,
    and the article's language takes no queue of its own), the lookup is sent now and its answer
    read just before the publish (``Later``): Redis runs it while the NLP stages run here.
    """
    # The stages (spaCy, trafilatura, SciPy) load when first run, not when a producer imports this.
    from worker.duplicates import annotate, annotate_later, short_result
    from worker.stages.clean import clean

    settings = runtime.settings
    cleaned = clean(parse_raw(document), settings)
    if settings.duplicates == "off":
        return cleaned, None
    own_queue = settings.entities_queue(cleaned.language) != settings.queue_entities
    if settings.duplicates == "annotate" and fused_entities and not own_queue:
        return annotate_later(cleaned, runtime.duplicates)
    cleaned = annotate(cleaned, runtime.duplicates)
    if settings.duplicates == "skip" and cleaned.duplicate_of is not None:
        return short_result(cleaned), None
    return cleaned, None


def _entities(document: object, runtime: Runtime) -> AnalysedArticle:
    """The entities stage with the model of the article's language (rule-based without one)."""
    from worker.stages.entities import analyse_in_language

    article = (
        document if isinstance(document, CleanArticle) else CleanArticle.model_validate_json(str(document))
    )
    _check_tokens(article, runtime.settings)
    nlp = runtime.nlp_for(article.language)
    return analyse_in_language(article, nlp, chunk_chars=runtime.settings.ner_chunk_chars)
