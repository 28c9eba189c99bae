"""Fixtures: a real Redis (own database and key prefix), a real RabbitMQ (own vhost) and a real
Celery worker process."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from schemas.result import ErrorEvent, ErrorReason, Stage
from worker import PIPELINE_VERSION
from worker.app import create_app
from worker.config import Settings
from worker.delivery import Delivery
from worker.embedded import reachable, stop_process

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "putin-kim-pact.txt"
TEST_REDIS_URL = os.environ.get("NEWSFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# The test RabbitMQ, without a vhost: each test gets one of its own (made with rabbitmqctl).
TEST_AMQP_URL = os.environ.get("NEWSFLOW_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672")


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The reference article."""
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis; in CI a missing Redis fails the run, locally it skips."""
    if not reachable(TEST_REDIS_URL):
        _missing(f"no Redis at {TEST_REDIS_URL} (start one: redis-server --port 6379)")
    return TEST_REDIS_URL


def _missing(message: str) -> None:
    """A service the test needs is not there: fail in CI, skip locally."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def rabbitmqctl(*args: str) -> None:
    """Run ``rabbitmqctl`` on the test node."""
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def rabbit_reachable(url: str = TEST_AMQP_URL) -> bool:
    """Whether something listens at the RabbitMQ URL's address."""
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5672), timeout=1).close()
    except OSError:
        return False
    return True


@contextmanager
def rabbit_vhost() -> Iterator[str]:
    """A vhost of its own on the test RabbitMQ for the URL's user; its URL; deleted afterwards."""
    if not rabbit_reachable() or shutil.which("rabbitmqctl") is None:
        _missing(f"no RabbitMQ at {TEST_AMQP_URL} with rabbitmqctl (start one: rabbitmq-server -detached)")
    vhost = f"nftest-{uuid.uuid4().hex[:8]}"
    user = urlsplit(TEST_AMQP_URL).username or "guest"
    rabbitmqctl("add_vhost", vhost)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
        yield f"{TEST_AMQP_URL.rstrip('/')}/{vhost}"
    finally:
        rabbitmqctl("delete_vhost", vhost)


def vhost_of(url: str) -> str:
    """The vhost an amqp:// URL names."""
    return urlsplit(url).path.lstrip("/")


@pytest.fixture(params=["redis", "amqp"])
def broker(request: pytest.FixtureRequest, redis_url: str) -> Iterator[str | None]:
    """The broker a test runs on: None (the test Redis), or RabbitMQ in a vhost of the test's own."""
    if request.param == "redis":
        yield None
        return
    with rabbit_vhost() as url:
        yield url


@pytest.fixture()
def broker_settings(redis_url: str, broker: str | None) -> Iterator[Settings]:
    """``own_settings`` on the ``broker`` of the test's parameter."""
    settings = make_settings(redis_url, broker_url=broker)
    yield settings
    cleanup(settings)


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


# pytest-xdist runs the suite in several processes, each with a session worker of its own.
WORKER_LOG = ROOT / f".pytest-worker{os.environ.get('PYTEST_XDIST_WORKER', '')}.log"


@pytest.fixture(scope="session")
def worker_process(test_settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """A real `newsflow worker` (prefork, 2 processes) on the test queues, logging to WORKER_LOG."""
    process = start_worker(test_settings, WORKER_LOG)
    yield process
    stop_worker(process)


@pytest.fixture()
def delivery(test_settings: Settings) -> Iterator[Delivery]:
    """A Delivery on the test Redis."""
    d = Delivery.from_settings(test_settings)
    yield d
    d.client.close()


def not_ended_once(delivery: Delivery, ids: list[str]) -> list[str]:
    """The articles of ``ids`` without exactly one terminal event (results Stream and dead letters)."""
    ended: Counter[str] = Counter()
    for stream, field in ((delivery.keys.results_log, "result"), (delivery.keys.dead, "error")):
        entries = delivery.entries(stream, count=100_000)
        ended.update(json.loads(fields[field])["article_id"] for _, fields in entries)
    return [i for i in ids if ended[i] != 1]


def wait_for(delivery: Delivery, article_id: str, timeout_s: float = 60.0) -> str:
    """Wait for the terminal event of ``article_id``; returns "result" or "error"."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = delivery.state(article_id)
        if state is not None:
            return state
        time.sleep(0.05)
    raise AssertionError(f"{article_id} reached no terminal event in {timeout_s} s")


def take_message(delivery: Delivery, delivered_at: float, tag: str = "tag-1") -> None:
    """Take the clean queue's message as a worker does (BRPOP, then kombu's unacked record and
    its index entry), delivered at ``delivered_at`` (seconds), under the delivery ``tag``."""
    queue = delivery.settings.queue_clean
    message = delivery.client.rpop(queue)
    record = json.dumps([json.loads(str(message)), "", queue])
    delivery.client.hset(delivery.inflight.unacked_key, tag, record)
    delivery.client.zadd(delivery.inflight.unacked_index_key, {tag: delivered_at})


def error_event(article_id: str, revision: int = 0) -> ErrorEvent:
    """A final error of ``article_id`` (an empty text at the clean stage) to publish in a test."""
    return ErrorEvent(
        article_id=article_id,
        stage=Stage.CLEAN,
        reason=ErrorReason.EMPTY_TEXT,
        message="nothing to clean",
        revision=revision,
        pipeline_version=PIPELINE_VERSION,
    )
