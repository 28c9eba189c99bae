"""Fixtures: a real Redis (own database and key prefix) and a real Celery worker process."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from worker.app import create_app
from worker.config import Settings
from worker.delivery import Delivery
from worker.embedded import reachable, stop_process

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


def make_settings(redis_url: str, **overrides: object) -> Settings:
    """Settings with a key prefix and queue names of their own."""
    tag = f"nftest-{uuid.uuid4().hex[:8]}"
    values: dict[str, object] = {
        "redis_url": redis_url,
        "key_prefix": tag,
        "queue_clean": f"{tag}-clean",
        "queue_entities": f"{tag}-entities",
        "queue_summarise": f"{tag}-summarise",
        "max_article_bytes": 1_000_000,
        "max_retries": 2,
        **overrides,
    }
    return Settings.model_validate(values)


def cleanup(settings: Settings) -> None:
    """Delete every key of ``settings``' prefix and queues."""
    delivery = Delivery.from_settings(settings)
    try:
        delivery.purge()
    except redis.ConnectionError:
        pass
    finally:
        delivery.client.close()


@pytest.fixture()
def own_settings(redis_url: str) -> Iterator[Settings]:
    """Settings with a prefix and queues of their own for one test, its keys deleted after."""
    settings = make_settings(redis_url)
    yield settings
    cleanup(settings)


@pytest.fixture(scope="session")
def test_settings(redis_url: str) -> Iterator[Settings]:
    """Settings of this test session only; their keys are removed afterwards."""
    settings = make_settings(redis_url)
    yield settings
    cleanup(settings)


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a child process use ``settings``."""
    return {**os.environ, **settings.as_env()}


WORKER_COMMAND = [sys.executable, "-m", "worker.cli", "worker", "--loglevel", "INFO"]


def node_name(settings: Settings) -> str:
    """The Celery node name of the worker started for ``settings`` (unique per test prefix)."""
    return f"{settings.key_prefix}@localhost"


def start_worker(
    settings: Settings,
    log_path: Path,
    concurrency: int = 2,
    *,
    queues: str | None = None,
    node: str | None = None,
) -> subprocess.Popen[bytes]:
    """A real `newsflow worker` process (prefork) for ``settings``, answering ping.

    ``queues``: only these (comma-separated); ``node``: a node name other than the prefix's.
    """
    node = node or node_name(settings)
    extra = ["--queues", queues] if queues else []
    log = open(log_path, "wb")  # noqa: SIM115 - handed to the child
    process = subprocess.Popen(
        [*WORKER_COMMAND, "--concurrency", str(concurrency), "--hostname", node, *extra],
        env=settings_env(settings),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    app = create_app(settings)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"worker exited with {process.returncode}; see {log_path}")
        if app.control.ping(destination=[node], timeout=0.5):
            return process
    stop_worker(process)
    pytest.fail(f"worker did not answer ping within 60 s; see {log_path}")


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    """Stop a worker started by ``start_worker`` (warm shutdown, then kill)."""
    stop_process(process, group=True)


@pytest.fixture(scope="session")
def worker_process(test_settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """A real `newsflow worker` (prefork, 2 processes) on the test queues."""
    process = start_worker(test_settings, ROOT / ".pytest-worker.log")
    yield process
    stop_worker(process)


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
