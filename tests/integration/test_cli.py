"""The `newsflow` command as a user runs it: subprocesses against real Redis and workers."""

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

from schemas import ArticleResult, ErrorEvent, ErrorReason
from schemas.result import Summary
from tests.conftest import ROOT, SEED, settings_env
from worker.config import Settings
from worker.delivery import Delivery
from worker.embedded import free_port

CLI = [sys.executable, "-m", "worker.cli"]


def test_process_prints_one_result_per_article(tmp_path: Path) -> None:
    jsonl = tmp_path / "two.jsonl"
    seed = SEED.read_text(encoding="utf-8")
    jsonl.write_text(
        json.dumps({"id": "one", "text": seed}) + "\n" + json.dumps({"id": "two", "text": ""}) + "\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [*CLI, "process", str(SEED), str(jsonl), "--summary-sentences", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 1  # one article failed
    results = [ArticleResult.model_validate_json(line) for line in done.stdout.splitlines()]
    assert [r.article_id for r in results][1] == "one"
    assert all(len(r.summary.sentences) == 2 for r in results)
    errors = [
        ErrorEvent.model_validate_json(line) for line in done.stderr.splitlines() if line.startswith("{")
    ]
    assert [(e.article_id, e.reason) for e in errors] == [("two", ErrorReason.EMPTY_TEXT)]


def test_the_word_budget_comes_from_the_option_or_the_setting() -> None:
    def summary(*options: str, env: dict[str, str] | None = None) -> Summary:
        done = subprocess.run(
            [*CLI, "process", str(SEED), "-k", "6", *options],
            capture_output=True,
            timeout=120,
            cwd=ROOT,
            env=env,
            check=True,
        )
        return ArticleResult.model_validate_json(done.stdout).summary

    unbounded = summary()
    by_option = summary("--max-words", "45")
    by_setting = summary(env={**settings_env(Settings()), "NEWSFLOW_SUMMARY_MAX_WORDS": "45"})
    assert len(unbounded.text.split()) > 45
    for bounded in (by_option, by_setting):
        assert bounded.params["max_words"] == 45
        assert len(bounded.text.split()) <= 45 or len(bounded.sentences) == 1
    assert by_option == by_setting


def test_process_reads_stdin() -> None:
    done = subprocess.run(
        [*CLI, "process", "-"],
        input=SEED.read_bytes(),
        capture_output=True,
        timeout=120,
        cwd=ROOT,
        check=True,
    )
    result = ArticleResult.model_validate_json(done.stdout)
    assert result.title.startswith("Putin and Kim Sign Pact")


def test_demo_starts_its_own_redis_when_none_is_reachable() -> None:
    env = {
        **settings_env(Settings()),
        "NEWSFLOW_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        "NEWSFLOW_KEY_PREFIX": "newsflow",
    }
    done = subprocess.run(
        [*CLI, "demo"], capture_output=True, text=True, timeout=240, cwd=ROOT, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "started a private redis-server" in done.stderr
    results = [
        ArticleResult.model_validate_json(line) for line in done.stdout.splitlines() if line.startswith("{")
    ]
    assert len(results) == 1
    assert results[0].article_id.startswith("demo-putin-kim-pact-")
    assert results[0].title == "Putin and Kim Sign Pact Pledging Mutual Support Against ‘Aggression’"


def test_submit_wait_and_subscribe(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, delivery: Delivery, tmp_path: Path
) -> None:
    env = settings_env(test_settings)
    listener = subprocess.Popen(
        [*CLI, "subscribe", "--count", "2", "--timeout", "90"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        subscribers = dict(delivery.client.pubsub_numsub(delivery.keys.results_channel))
        if subscribers.get(delivery.keys.results_channel, 0) >= 1:
            break
        time.sleep(0.1)
    tag = uuid.uuid4().hex[:8]
    articles = tmp_path / "in.jsonl"
    articles.write_text(
        json.dumps({"id": f"good-{tag}", "text": SEED.read_text(encoding="utf-8")})
        + "\n"
        + json.dumps({"id": f"bad-{tag}", "text": "Leave a Comment"})
        + "\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [*CLI, "submit", str(articles), "--wait", "--timeout", "90", "--max-words", "30"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 1  # one of the two failed
    assert sorted(done.stdout.split("\n")[:2]) == [f"bad-{tag}\tfailed", f"good-{tag}\tpublished"]
    out, err = listener.communicate(timeout=60)
    assert listener.returncode == 0
    published = [ArticleResult.model_validate_json(line) for line in out.splitlines()]
    assert [result.article_id for result in published] == [f"good-{tag}"]
    assert published[0].summary.params["max_words"] == 30  # --max-words rides with the article
    assert ErrorEvent.model_validate_json(err.strip().splitlines()[-1]).reason is ErrorReason.ONLY_BOILERPLATE
