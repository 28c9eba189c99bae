"""Build and submit the per-article chain; or run the same stages in-process."""

from dataclasses import dataclass

from celery import Celery, chain
from spacy.language import Language

from schemas.article import RawArticle
from schemas.result import ArticleResult
from worker.config import Settings
from worker.delivery import Delivery
from worker.identity import article_id_for
from worker.stages.clean import clean
from worker.stages.entities import analyse
from worker.stages.summary import summarise
from worker.tasks import TASK_NAMES


@dataclass(frozen=True)
class Receipt:
    """What ``submit`` did with one article."""

    article_id: str
    enqueued: bool  # False when the article already reached its terminal event


def article_chain(app: Celery, payload: object, summary_sentences: int | None = None) -> chain:
    """The chain clean -> entities -> summarise(+publish) for one raw payload."""
    clean_name, entities_name, summarise_name = TASK_NAMES
    return chain(
        app.signature(clean_name, args=(payload,)),
        app.signature(entities_name),
        app.signature(summarise_name, kwargs={"k": summary_sentences}),
    )


def submit(app: Celery, delivery: Delivery, raw: RawArticle, summary_sentences: int | None = None) -> Receipt:
    """Enqueue one article unless it was already published or dead-lettered."""
    article_id = article_id_for(raw)
    if delivery.state(article_id) is not None:
        return Receipt(article_id, enqueued=False)
    payload = raw.model_dump(mode="json", exclude_none=True, exclude={"schema_version"})
    article_chain(app, payload, summary_sentences).apply_async()
    return Receipt(article_id, enqueued=True)


def submit_payload(app: Celery, payload: object) -> None:
    """Enqueue an unvalidated payload (a dict or JSON text); the clean task validates it."""
    article_chain(app, payload).apply_async()


def process_in_process(
    raw: RawArticle, settings: Settings, nlp: Language, summary_sentences: int | None = None
) -> ArticleResult:
    """The whole pipeline in this process, no Redis: what ``newsflow process`` runs."""
    cleaned = clean(raw, settings)
    analysed = analyse(cleaned, nlp, chunk_chars=settings.ner_chunk_chars)
    return summarise(analysed, summary_sentences or settings.summary_sentences)
