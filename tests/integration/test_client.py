"""worker.client.Client against a real Redis and a real worker."""

import subprocess
import threading
import time
import uuid

import pytest

from schemas import ArticleResult, ErrorEvent, ErrorReason
from worker.client import Client
from worker.config import Settings


def _id(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def test_submit_then_wait_returns_the_result_and_again_at_once(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, seed_text: str
) -> None:
    with Client(test_settings) as client:
        article_id = client.submit(seed_text, id=_id("client"), source="tests")
        result = client.wait(article_id, timeout_s=60)
        assert isinstance(result, ArticleResult)
        assert result.article_id == article_id
        assert result.title.startswith("Putin and Kim Sign Pact")
        started = time.monotonic()
        assert client.wait(article_id, timeout_s=5) == result
        assert time.monotonic() - started < 0.5
        assert client.submit(seed_text, id=article_id) == article_id  # idempotent: not enqueued again
        status = client.status(article_id)
        assert status.terminal == "result" and status.known
        assert status.fields["publish"] == "published"
        assert article_id in {event.article_id for event in client.replay()}


def test_the_id_without_one_is_the_content_hash_and_an_error_is_returned(
    worker_process: subprocess.Popen[bytes], test_settings: Settings
) -> None:
    with Client(test_settings) as client:
        article_id = client.submit(html="<html><body></body></html>")
        assert len(article_id) == 32
        event = client.wait(article_id, timeout_s=60)
        assert isinstance(event, ErrorEvent)
        assert event.reason == ErrorReason.EMPTY_TEXT
        assert client.status(article_id).terminal == "error"


def test_wait_times_out_and_status_of_an_unknown_article(own_settings: Settings) -> None:
    with Client(own_settings) as client:
        started = time.monotonic()
        with pytest.raises(TimeoutError, match="never-submitted"):
            client.wait("never-submitted", timeout_s=0.5)
        assert 0.5 <= time.monotonic() - started < 2.0
        assert not client.status("never-submitted").known


def test_wait_returns_as_soon_as_the_result_is_published(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, seed_text: str
) -> None:
    with Client(test_settings) as client:
        template = client.wait(client.submit(seed_text, id=_id("template")))
        assert isinstance(template, ArticleResult)
        article_id = _id("late")
        copy = template.model_copy(update={"article_id": article_id})
        timer = threading.Timer(0.3, client.delivery.publish_result, args=(copy,))
        started = time.monotonic()
        timer.start()
        try:
            assert client.wait(article_id, timeout_s=10) == copy
            elapsed = time.monotonic() - started
        finally:
            timer.cancel()
            timer.join(5)  # the publish may still be reading its reply: not on a closed client
        assert elapsed < 0.8  # the channel, not the once-a-second re-check


def test_results_yields_what_is_published_after_it_starts(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, seed_text: str
) -> None:
    with Client(test_settings) as client:
        article_id = _id("live")
        with client.results(timeout_s=60) as live:
            client.submit(seed_text.replace("Putin", "Vladimir Putin", 1), id=article_id)
            seen = next(event for event in live if event.article_id == article_id)
        assert isinstance(seen, ArticleResult)
        with client.results(timeout_s=0.3) as quiet:
            started = time.monotonic()
            assert [e for e in quiet if e.article_id == article_id] == []
            assert time.monotonic() - started < 2.0


def test_wait_after_reprocess_returns_the_new_revision(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, seed_text: str
) -> None:
    with Client(test_settings) as client:
        article_id = client.submit(seed_text, id=_id("again"))
        first = client.wait(article_id)
        assert first.revision == 0
        assert client.submit(seed_text, id=article_id, reprocess=True) == article_id
        second = client.wait(article_id, timeout_s=60)  # not the stored revision 0
        assert isinstance(second, ArticleResult)
        assert second.revision == 1
