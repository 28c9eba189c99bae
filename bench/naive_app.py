"""Baseline (c): the hand-written Celery worker newsflow must beat.

One task per article that loads spaCy's full pipeline (once per process) and does everything:
clean, NER, summary, publish. Start it with ``celery -A bench.naive_app worker``.
"""

from functools import lru_cache

import redis
from spacy.language import Language

from bench.baseline_app import baseline_app
from worker.config import Settings

TASK = "naive.process"

app, BROKER = baseline_app("naive")


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
