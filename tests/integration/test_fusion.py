"""Stage fusion through real workers: which task ran each stage, and with which time limits."""

import json
import time
import uuid
from pathlib import Path

from schemas import RawArticle
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
    """A clean-only worker sends every article to Redis; the entities+summarise worker fuses."""
    logs = ROOT / ".pytest-worker-split-clean.log", ROOT / ".pytest-worker-split-rest.log"
    nodes = f"clean-{own_settings.key_prefix}@localhost", f"rest-{own_settings.key_prefix}@localhost"
    clean_worker = start_worker(
        own_settings, logs[0], concurrency=1, queues=own_settings.queue_clean, node=nodes[0]
    )
    rest = f"{own_settings.queue_entities},{own_settings.queue_summarise}"
    rest_worker = start_worker(own_settings, logs[1], concurrency=1, queues=rest, node=nodes[1])
    delivery = Delivery.from_settings(own_settings)
    try:
        article = RawArticle(id=f"split-{uuid.uuid4().hex[:8]}", text=seed_text)
        submit(create_app(own_settings), delivery, article)
        assert wait_for(delivery, article.id or "") == "result"
        cleaned_by = _stage_tasks(logs[0], article.id or "", stages=1)
        rest_by = _stage_tasks(logs[1], article.id or "", stages=2)
        assert set(cleaned_by) == {"clean"} and set(rest_by) == {"entities", "summarise"}
        assert rest_by["entities"] == rest_by["summarise"] != cleaned_by["clean"]
        # the clean task's mark was written as it handed on, the others' with the publish
        marks = delivery.status(article.id or "")
        assert all(marks[stage].startswith("done:") for stage in ("clean", "entities", "summarise"))
        assert int(marks["clean"][5:]) <= int(marks["entities"][5:]) <= int(marks["summarise"][5:])
        assert _limits(own_settings, nodes[0])["newsflow.clean"] == "[time_limit=45.0 soft_time_limit=30.0]"
        assert _limits(own_settings, nodes[1])["newsflow.entities"] == (
            "[time_limit=115.0 soft_time_limit=75.0]"
        )
    finally:
        stop_worker(clean_worker)
        stop_worker(rest_worker)


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
