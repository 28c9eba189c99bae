"""Baseline (c): the hand-written Celery worker newsflow must beat.

One task per article that loads spaCy's full pipeline (once per process) and does everything:
clean, NER, summary, publish. Start it with ``celery -A bench.naive_app worker``.
"""

import os
from functools import lru_cache

import redis
from celery import Celery
from spacy.language import Language

from worker.config import Settings

BROKER = os.environ.get("BASELINE_REDIS_URL", "redis://127.0.0.1:6379/14")
QUEUE = os.environ.get("BASELINE_QUEUE", "naive")
TASK = "naive.process"

app = Celery("naive", broker=BROKER)
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    task_default_queue=QUEUE,
    worker_hijack_root_logger=False,
)


@lru_cache(maxsize=1)
def _nlp() -> Language:
    import spacy

    return spacy.load(Settings().spacy_model)  # the full pipeline, as a hand-written loop would


@lru_cache(maxsize=1)
def _client() -> redis.Redis:
    return redis.Redis.from_url(BROKER)


@app.task(name=TASK)
def process(article_id: str, text: str, channel: str) -> None:
    """Everything in one task, then PUBLISH the result and record its time."""
    import json
    import time

    title, _, body = text.strip().partition("\n\n")
    doc = _nlp()(body)
    sentences = list(doc.sents)
    ents = [{"text": e.text, "label": e.label_, "start": e.start_char, "end": e.end_char} for e in doc.ents]
    summary = " ".join(s.text for s in sentences[:3])
    document = json.dumps({"article_id": article_id, "title": title, "entities": ents, "summary": summary})
    client = _client()
    client.publish(channel, document)
    client.hset(f"{channel}:done", article_id, int(time.time() * 1000))
