"""Submit articles into the stage tasks; requeue dead letters; or run the stages in-process."""

from dataclasses import dataclass

from celery import Celery

from schemas.article import RawArticle
from schemas.result import ArticleResult, ErrorEvent, Stage
from worker.config import Settings
from worker.delivery import Delivery, now_ms
from worker.identity import article_id_for
from worker.inflight import KeptInput
from worker.payloads import payload_id
from worker.tasks import STAGES, stage_signature


@dataclass(frozen=True)
class Receipt:
    """What ``submit`` did with one article."""

    article_id: str
    enqueued: bool  # False when the article already reached its terminal event
    revision: int = 0


def submit(
    app: Celery,
    delivery: Delivery,
    raw: RawArticle,
    summary_sentences: int | None = None,
    *,
    reprocess: bool = False,
    max_words: int | None = None,
) -> Receipt:
    """Enqueue one article unless it already reached its terminal event.

    With ``reprocess`` it is processed again as a new revision, published once more. Waits while
    the stage queues are full (``max_queued``); ``QueueFull`` when they stay full. With
    ``replica_acks`` it returns once a replica holds the queued message. ``ValueError`` for a
    ``summary_sentences`` or ``max_words`` below 1, which a worker would refuse.
    """
    for name, value in (("summary_sentences", summary_sentences), ("max_words", max_words)):
        if value is not None and value < 1:
            raise ValueError(f"{name} must be at least 1, not {value}")
    article_id = article_id_for(raw)
    revision = 0
    if reprocess:
        revision = delivery.next_revision(article_id)
    elif delivery.done(article_id) is not None:
        return Receipt(article_id, enqueued=False)
    payload = raw.model_dump(mode="json", exclude_none=True, exclude={"schema_version"})
    delivery.wait_for_room()
    message = stage_signature(
        app,
        Stage.CLEAN,
        payload,
        revision=revision,
        k=summary_sentences,
        max_words=max_words,
        article_id=article_id,
    )
    kept = KeptInput(Stage.CLEAN.value, payload, revision, summary_sentences, max_words)
    for _ in range(2):  # once more if a failover took the first sending back
        delivery.mark(article_id, kept, submitted=now_ms(), revision=revision, publish="pending")
        message.apply_async()
        if delivery.wait_for_replicas(article_id):
            break
    return Receipt(article_id, enqueued=True, revision=revision)


def submit_payload(app: Celery, payload: object, delivery: Delivery | None = None) -> None:
    """Enqueue an unvalidated payload (a dict or JSON text); the clean task validates it.

    With ``delivery`` it is tracked for recovery as an article is, under the id its error event
    will carry (``payload_id``), so that a lost message still ends as that event.
    """
    article_id = payload_id(payload)
    if delivery is not None:
        delivery.inflight.track(article_id, KeptInput(Stage.CLEAN.value, payload, 0, None, None), now_ms())
    stage_signature(app, Stage.CLEAN, payload, article_id=article_id).apply_async()


def requeue(app: Celery, delivery: Delivery, event: ErrorEvent) -> Receipt | None:
    """Run a dead-lettered article again from the stage that failed, as a new revision.

    None when its input was not kept (too large, expired) or the failure was not in a stage.
    """
    if event.stage not in STAGES or event.input_ref != delivery.keys.dead_input(event.article_id):
        return None
    document = delivery.client.get(event.input_ref)
    if document is None:
        return None
    revision = delivery.next_revision(event.article_id)
    kept = KeptInput(event.stage.value, str(document), revision, None, None)
    delivery.mark(event.article_id, kept, requeued=now_ms(), revision=revision, publish="pending")
    stage_signature(
        app, event.stage, str(document), revision=revision, article_id=event.article_id
    ).apply_async()
    return Receipt(event.article_id, enqueued=True, revision=revision)


def process_in_process(
    raw: RawArticle,
    settings: Settings,
    summary_sentences: int | None = None,
    max_words: int | None = None,
) -> ArticleResult:
    """The whole pipeline in this process, no Redis: what ``newsflow process`` runs.

    The article's language picks its NER model (loaded once per process, on first use).
    """
    # The stages (spaCy, trafilatura, SciPy) load when first run, not when a producer imports this.
    from worker.nlp import nlp_for
    from worker.stages.clean import clean
    from worker.stages.entities import analyse_in_language
    from worker.stages.summary import summarise

    cleaned = clean(raw, settings)
    nlp = nlp_for(settings, cleaned.language)
    analysed = analyse_in_language(cleaned, nlp, chunk_chars=settings.ner_chunk_chars)
    return summarise(
        analysed,
        summary_sentences or settings.summary_sentences,
        max_words=max_words or settings.summary_max_words,
    )
