"""The pipeline on either broker: Redis, or RabbitMQ's quorum queues (results stay in Redis)."""

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from kombu.connection import Connection

from schemas.article import RawArticle
from schemas.result import ArticleResult, ErrorEvent, ErrorReason, Stage
from tests.conftest import (
    ROOT,
    SEED,
    cleanup,
    make_settings,
    node_name,
    rabbit_vhost,
    settings_env,
    start_worker,
    stop_worker,
    vhost_of,
    wait_for,
)
from worker.app import create_app
from worker.broker import stage_queue
from worker.config import Settings
from worker.delivery import Delivery
from worker.embedded import free_port
from worker.pipeline import submit


def test_an_article_goes_through_the_pipeline_on_either_broker(
    broker_settings: Settings, seed_text: str
) -> None:
    worker = start_worker(broker_settings, ROOT / ".pytest-worker-broker.log", concurrency=1)
    delivery, app = Delivery.from_settings(broker_settings), create_app(broker_settings)
    article_id = f"broker-{uuid.uuid4().hex[:8]}"
    try:
        assert submit(app, delivery, RawArticle(id=article_id, text=seed_text)).enqueued
        assert wait_for(delivery, article_id) == "result"
        event = delivery.fetch(article_id)
        assert event is not None
        result = ArticleResult.model_validate_json(event.document)
        assert result.title.startswith("Putin and Kim Sign Pact")
        assert len(result.summary.sentences) == broker_settings.summary_sentences
        logged = [
            json.loads(fields["result"])["article_id"]
            for _, fields in delivery.entries(delivery.keys.results_log)
        ]
        assert logged == [article_id]
        assert delivery.queued() == 0
        health = subprocess.run(
            [sys.executable, "-m", "worker.cli", "health", "--node", node_name(broker_settings)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env=settings_env(broker_settings),
            check=False,
        )
        assert health.returncode == 0, health.stderr  # the worker replies over either broker
        assert worker.poll() is None
    finally:
        stop_worker(worker)
        delivery.close()


def _queues_on_rabbit(vhost: str) -> dict[str, dict[str, object]]:
    listed = subprocess.run(
        ["rabbitmqctl", "list_queues", "-q", "-p", vhost, "--formatter", "json", "name", "type", "arguments"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return {
        queue["name"]: {"type": queue["type"], **{name: value for name, _, value in queue["arguments"]}}
        for queue in json.loads(listed.stdout)
    }


def test_on_rabbitmq_the_stage_queues_are_quorum_queues_with_a_delivery_limit(
    redis_url: str, seed_text: str
) -> None:
    with rabbit_vhost() as url:
        settings = make_settings(redis_url, broker_url=url, max_deliveries=3)
        delivery, app = Delivery.from_settings(settings), create_app(settings)
        try:
            submit(app, delivery, RawArticle(id="declared", text=seed_text))  # declares the queues
            with app.connection_for_write() as connection:
                for queue in app.amqp.queues.values():
                    queue(connection.default_channel).declare()
            queues = _queues_on_rabbit(vhost_of(url))
            assert delivery.queued() == 1  # read from RabbitMQ: Redis holds no queue
            assert delivery.client.llen(settings.queue_clean) == 0
        finally:
            delivery.close()
            cleanup(settings)
    for name in settings.all_queues:
        assert queues[name]["type"] == "quorum"
        assert queues[name]["x-delivery-limit"] == 3
        assert queues[name]["x-dead-letter-routing-key"] == settings.queue_dead_letters
        assert queues[name]["x-dead-letter-strategy"] == "at-least-once"
    assert queues[settings.queue_dead_letters]["type"] == "quorum"
    assert "x-delivery-limit" not in queues[settings.queue_dead_letters]


def _return_until_dead_lettered(url: str, settings: Settings, returns: int) -> None:
    """Take the clean queue's message and put it back ``returns`` times, as dying workers would."""
    with Connection(url) as connection:
        queue = stage_queue(settings, settings.queue_clean)(connection.default_channel)
        for _ in range(returns):
            deadline = time.monotonic() + 10
            while (message := queue.get(no_ack=False)) is None:
                assert time.monotonic() < deadline, "the message did not come back"
                time.sleep(0.05)
            message.requeue()


def test_a_message_rabbitmq_dead_letters_ends_as_one_error_event(redis_url: str, seed_text: str) -> None:
    """Past ``x-delivery-limit`` the broker moves the message to the dead-letter queue; a worker
    consumes that queue and publishes the article's ErrorEvent once, its input kept for requeue."""
    with rabbit_vhost() as url:
        settings = make_settings(redis_url, broker_url=url, max_deliveries=2)
        delivery, app = Delivery.from_settings(settings), create_app(settings)
        article = RawArticle(id=f"limit-{uuid.uuid4().hex[:6]}", text=seed_text)
        worker = None
        try:
            submit(app, delivery, article)
            _return_until_dead_lettered(url, settings, settings.max_deliveries + 1)
            _eventually(lambda: delivery.rabbit.depth(settings.queue_dead_letters) == 1)  # async
            assert delivery.rabbit.depths([settings.queue_clean, settings.queue_dead_letters]) == {
                settings.queue_clean: 0,
                settings.queue_dead_letters: 1,
            }
            assert delivery.state(article.id or "") is None  # dead-lettered by the broker only
            worker = start_worker(settings, ROOT / ".pytest-worker-dlq.log", concurrency=1)
            assert wait_for(delivery, article.id or "") == "error"
            event = ErrorEvent.model_validate_json((delivery.fetch(article.id or "") or _none()).document)
            assert (event.reason, event.stage) == (ErrorReason.WORKER_LOST, Stage.CLEAN)
            assert "RabbitMQ dead-lettered it" in event.message
            assert event.input_ref == delivery.keys.dead_input(article.id or "")
            _eventually(lambda: delivery.rabbit.depth(settings.queue_dead_letters) == 0)  # acknowledged
            dead = [
                json.loads(fields["error"])["article_id"]
                for _, fields in delivery.entries(delivery.keys.dead)
            ]
            assert dead == [article.id]
            assert delivery.entries(delivery.keys.results_log) == []
        finally:
            if worker is not None:
                stop_worker(worker)
            delivery.close()
            cleanup(settings)


def _eventually(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the condition did not become true"
        time.sleep(0.1)


def _none() -> Any:
    raise AssertionError("no terminal event")


def test_newsflow_top_reads_the_queue_lengths_from_rabbitmq(redis_url: str, seed_text: str) -> None:
    with rabbit_vhost() as url:
        settings = make_settings(redis_url, broker_url=url)
        delivery, app = Delivery.from_settings(settings), create_app(settings)
        try:
            for n in range(2):  # no worker: they wait in RabbitMQ's clean queue
                submit(app, delivery, RawArticle(id=f"top-{n}", text=seed_text))
            done = subprocess.run(
                [sys.executable, "-m", "worker.cli", "top", "--once", "--json"],
                capture_output=True,
                text=True,
                timeout=60,
                cwd=ROOT,
                env=settings_env(settings),
                check=True,
            )
        finally:
            delivery.close()
            cleanup(settings)
    queues = json.loads(done.stdout)["queues"]
    assert queues == {settings.queue_clean: 2, settings.queue_entities: 0, settings.queue_summarise: 0}


def test_submit_to_an_unreachable_rabbitmq_is_one_line_naming_the_setting(redis_url: str) -> None:
    settings = make_settings(redis_url, broker_url=f"amqp://guest:s3cret@127.0.0.1:{free_port()}/nf")
    done = subprocess.run(
        [sys.executable, "-m", "worker.cli", "submit", str(SEED)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=settings_env(settings),
        check=False,
    )
    cleanup(settings)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and "s3cret" not in done.stderr
    assert done.stderr.startswith("newsflow: cannot reach the broker at amqp://guest:***@127.0.0.1:")
    assert "check NEWSFLOW_BROKER_URL" in done.stderr


def test_a_message_its_task_rejects_without_requeue_ends_as_one_error_event(
    redis_url: str, seed_text: str
) -> None:
    """What the failure guard does when it cannot write an article's error event (other than with
    Redis down): it rejects the message without requeue. RabbitMQ dead-letters it at once, and a
    worker ends the article from the dead-letter queue, saying why."""
    with rabbit_vhost() as url:
        settings = make_settings(redis_url, broker_url=url)
        delivery, app = Delivery.from_settings(settings), create_app(settings)
        article = RawArticle(id=f"rejected-{uuid.uuid4().hex[:6]}", text=seed_text)
        worker = None
        try:
            submit(app, delivery, article)
            with Connection(url) as connection:
                queue = stage_queue(settings, settings.queue_clean)(connection.default_channel)
                deadline = time.monotonic() + 10
                while (message := queue.get(no_ack=False)) is None:
                    assert time.monotonic() < deadline, "the message did not arrive"
                    time.sleep(0.05)
                message.reject(requeue=False)
            _eventually(lambda: delivery.rabbit.depth(settings.queue_dead_letters) == 1)
            worker = start_worker(settings, ROOT / ".pytest-worker-rejected.log", concurrency=1)
            assert wait_for(delivery, article.id or "") == "error"
            event = ErrorEvent.model_validate_json((delivery.fetch(article.id or "") or _none()).document)
            assert event.message.startswith("RabbitMQ dead-lettered it (rejected): its task could not")
            assert len(delivery.entries(delivery.keys.dead)) == 1
        finally:
            if worker is not None:
                stop_worker(worker)
            delivery.close()
            cleanup(settings)
