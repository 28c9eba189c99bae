"""Fixtures: a real Redis (own database and key prefix) and a real Celery worker process."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from worker.config import Settings
from worker.delivery import Delivery
from worker.embedded import reachable

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "putin-kim-pact.txt"
TEST_REDIS_URL = os.environ.get("NEWSFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The reference article."""
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis; in CI a missing Redis fails the run, locally it skips."""
    if not reachable(TEST_REDIS_URL):
        message = f"no Redis at {TEST_REDIS_URL} (start one: redis-server --port 6379)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return TEST_REDIS_URL


@pytest.fixture(scope="session")
def test_settings(redis_url: str) -> Iterator[Settings]:
    """Settings with a key prefix and queue names of this test session only; cleaned up after."""
    tag = f"nftest-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        redis_url=redis_url,
        key_prefix=tag,
        queue_clean=f"{tag}-clean",
        queue_entities=f"{tag}-entities",
        queue_summarise=f"{tag}-summarise",
        max_article_bytes=1_000_000,
        max_retries=2,
    )
    yield settings
    client = redis.Redis.from_url(redis_url)
    doomed = list(client.scan_iter(match=f"{tag}*", count=1000))
    doomed += list(client.scan_iter(match=f"_kombu.binding.{tag}*", count=1000))
    if doomed:
        client.delete(*doomed)
    client.close()


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a child process use ``settings``."""
    return {
        **os.environ,
        "NEWSFLOW_REDIS_URL": settings.redis_url,
        "NEWSFLOW_KEY_PREFIX": settings.key_prefix,
        "NEWSFLOW_QUEUE_CLEAN": settings.queue_clean,
        "NEWSFLOW_QUEUE_ENTITIES": settings.queue_entities,
        "NEWSFLOW_QUEUE_SUMMARISE": settings.queue_summarise,
        "NEWSFLOW_MAX_ARTICLE_BYTES": str(settings.max_article_bytes),
        "NEWSFLOW_MAX_RETRIES": str(settings.max_retries),
    }


@pytest.fixture(scope="session")
def worker_process(test_settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """A real `newsflow worker` (prefork, 2 processes) on the test queues."""
    log = open(ROOT / ".pytest-worker.log", "wb")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [sys.executable, "-m", "worker.cli", "worker", "--concurrency", "2", "--loglevel", "INFO"],
        env=settings_env(test_settings),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    from worker.app import create_app

    app = create_app(test_settings)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"worker exited with {process.returncode}; see .pytest-worker.log")
        if app.control.ping(timeout=0.5):
            break
    else:
        pytest.fail("worker did not answer ping within 60 s")
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log.close()


@pytest.fixture()
def delivery(test_settings: Settings) -> Iterator[Delivery]:
    """A Delivery on the test Redis."""
    d = Delivery.from_settings(test_settings)
    yield d
    d.client.close()


def wait_for(delivery: Delivery, article_id: str, timeout_s: float = 60.0) -> str:
    """Wait for the terminal event of ``article_id``; returns "result" or "error"."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = delivery.state(article_id)
        if state is not None:
            return state
        time.sleep(0.05)
    raise AssertionError(f"{article_id} reached no terminal event in {timeout_s} s")
