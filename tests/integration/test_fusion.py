"""Stage fusion through real workers: which task ran each stage, and with which time limits."""

import json
import time
import uuid
from pathlib import Path

from schemas import ArticleResult, RawArticle, Stage
from tests.conftest import (
    ROOT,
    WORKER_LOG,
    cleanup,
    make_settings,
    node_name,
    start_worker,
    stop_worker,
    wait_for,
)
from worker.app import create_app
from worker.config import Settings
from worker.delivery import Delivery
from worker.fusion import chain_limits
from worker.pipeline import submit


def _stage_tasks(log_path: Path, article_id: str, stages: int = 3, timeout_s: float = 10.0) -> dict[str, str]:
    """Stage -> the id of the Celery task that ran it, from the worker's JSON log lines (once
    ``stages`` of them are there, or at the timeout)."""
    deadline = time.monotonic() + timeout_s
    found: dict[str, str] = {}
    while time.monotonic() < deadline:
        for line in log_path.read_text(errors="replace").splitlines():
            if f'"{article_id}"' in line and '"stage_done"' in line:
                record = json.loads(line)
                found[record["stage"]] = record["task_id"]
        if len(found) >= stages:
            break
        time.sleep(0.1)
    return found


def _limits(settings: Settings, node: str) -> dict[str, str]:
    """Task name -> "[time_limit=... soft_time_limit=...]" as the worker's main process has it."""
    app = create_app(settings)
    registered = app.control.inspect(destination=[node], timeout=2).registered(
        "time_limit", "soft_time_limit"
    )
    assert registered, f"{node} did not answer"
    return {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in registered[node]}


def test_a_worker_on_every_queue_runs_an_article_in_one_task(
    test_settings: Settings, worker_process: object, delivery: Delivery, seed_text: str
) -> None:
    article = RawArticle(id=f"fused-{uuid.uuid4().hex[:8]}", text=seed_text)
    submit(create_app(test_settings), delivery, article)
    assert wait_for(delivery, article.id or "") == "result"
    tasks = _stage_tasks(WORKER_LOG, article.id or "")
    assert set(tasks) == {"clean", "entities", "summarise"}
    assert len(set(tasks.values())) == 1  # one message, one task, three guarded stages
    limits = _limits(test_settings, node_name(test_settings))
    assert limits["newsflow.clean"] == "[time_limit=160.0 soft_time_limit=105.0]"  # summed
    assert limits["newsflow.entities"] == "[time_limit=115.0 soft_time_limit=75.0]"


def test_workers_on_separate_queues_hand_articles_on_through_redis(
    own_settings: Settings, seed_text: str
) -> None:
    """A clean+entities worker fuses those two and hands every article to Redis for the
    summarise-only worker; the near-duplicate lookup it sent early is answered before the hand-off."""
    logs = ROOT / ".pytest-worker-split-first.log", ROOT / ".pytest-worker-split-last.log"
    nodes = f"first-{own_settings.key_prefix}@localhost", f"last-{own_settings.key_prefix}@localhost"
    first = f"{own_settings.queue_clean},{own_settings.queue_entities}"
    first_worker = start_worker(own_settings, logs[0], concurrency=1, queues=first, node=nodes[0])
    last_worker = start_worker(
        own_settings, logs[1], concurrency=1, queues=own_settings.queue_summarise, node=nodes[1]
    )
    delivery = Delivery.from_settings(own_settings)
    app = create_app(own_settings)
    try:
        article = RawArticle(id=f"split-{uuid.uuid4().hex[:8]}", text=seed_text)
        copy = RawArticle(id=f"copy-{uuid.uuid4().hex[:8]}", text=seed_text.rsplit("\n\n", 1)[0])
        submit(app, delivery, article)
        assert wait_for(delivery, article.id or "") == "result"
        first_by = _stage_tasks(logs[0], article.id or "", stages=2)
        last_by = _stage_tasks(logs[1], article.id or "", stages=1)
        assert set(first_by) == {"clean", "entities"} and set(last_by) == {"summarise"}
        assert first_by["clean"] == first_by["entities"] != last_by["summarise"]
        # the first task's marks were written as it handed on, the last one's with the publish
        marks = delivery.status(article.id or "")
        assert all(marks[stage].startswith("done:") for stage in ("clean", "entities", "summarise"))
        assert int(marks["clean"][5:]) <= int(marks["entities"][5:]) <= int(marks["summarise"][5:])
        submit(app, delivery, copy)
        assert wait_for(delivery, copy.id or "") == "result"
        event = delivery.fetch(copy.id or "")
        assert event is not None
        result = ArticleResult.model_validate_json(event.document)
        assert result.duplicate_of == article.id and "duplicates" in result.timings
        soft, hard = chain_limits(own_settings, (Stage.CLEAN, Stage.ENTITIES))
        assert _limits(own_settings, nodes[0])["newsflow.clean"] == (
            f"[time_limit={hard} soft_time_limit={soft}]"
        )
        assert _limits(own_settings, nodes[1])["newsflow.summarise"] == (
            "[time_limit=25.0 soft_time_limit=15.0]"
        )
    finally:
        stop_worker(first_worker)
        stop_worker(last_worker)


def test_with_fusion_off_every_stage_is_its_own_task(redis_url: str, seed_text: str) -> None:
    settings = make_settings(redis_url, fuse_stages=False)
    log = ROOT / ".pytest-worker-unfused.log"
    worker = start_worker(settings, log, concurrency=1)
    delivery = Delivery.from_settings(settings)
    try:
        article = RawArticle(id=f"unfused-{uuid.uuid4().hex[:8]}", text=seed_text)
        submit(create_app(settings), delivery, article)
        assert wait_for(delivery, article.id or "") == "result"
        tasks = _stage_tasks(log, article.id or "")
        assert set(tasks) == {"clean", "entities", "summarise"} and len(set(tasks.values())) == 3
        assert _limits(settings, node_name(settings))["newsflow.clean"] == (
            "[time_limit=45.0 soft_time_limit=30.0]"
        )
    finally:
        stop_worker(worker)
        cleanup(settings)
