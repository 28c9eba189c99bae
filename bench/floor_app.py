"""Baseline (f): Celery and Redis alone, the floor under any pipeline built on them.

One task per article that does no work: it takes the article's message (the whole text, as
newsflow's first message carries it) and publishes a one-field result in one round trip
(``PUBLISH`` of the id, and the time it ended, in ms to the microsecond, taken as the round trip
starts: what it records is at most what it took). What it takes is what the broker, Celery's
consumer, its hand-off to a pool process and one publish cost per article on this machine,
whatever the pipeline does. Start it with ``celery -A bench.floor_app worker``; ``bench.perf``
does.
"""

import time
from functools import lru_cache

import redis

from bench.baseline_app import baseline_app

TASK = "floor.process"

app, BROKER = baseline_app("floor")


@lru_cache(maxsize=1)
def _client() -> redis.Redis:
    return redis.Redis.from_url(BROKER)


@app.task(name=TASK)
def process(article_id: str, text: str, channel: str) -> None:
    """Publish the article's id and record when, in one round trip; nothing else."""
    del text  # carried, as an article's message carries it, and left alone
    with _client().pipeline(transaction=False) as pipe:
        pipe.publish(channel, article_id)
        pipe.hset(f"{channel}:done", article_id, f"{time.time() * 1000:.3f}")
        pipe.execute()
