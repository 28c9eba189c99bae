"""Hostile and malformed inputs through the real worker: each ends as its ErrorEvent, nothing stops."""

import json
import subprocess
import uuid

import pytest

from schemas import ArticleResult, ErrorEvent, ErrorReason, RawArticle
from tests.conftest import wait_for
from worker.app import create_app
from worker.config import Settings
from worker.delivery import Delivery
from worker.pipeline import submit, submit_payload

ENGLISH = "The council approved the new budget on Tuesday after a long debate about schools and roads. "


def _cases(tag: str) -> list[tuple[str, object, ErrorReason]]:
    nested = "<div>" * 50_000 + "<p>x</p>" + "</div>" * 50_000
    return [
        (f"empty-{tag}", {"id": f"empty-{tag}", "text": ""}, ErrorReason.EMPTY_TEXT),
        (f"blank-{tag}", {"id": f"blank-{tag}", "text": " \n\t "}, ErrorReason.EMPTY_TEXT),
        (f"huge-{tag}", {"id": f"huge-{tag}", "text": ENGLISH * 110_000}, ErrorReason.TOO_LARGE),
        (
            f"binary-{tag}",
            {"id": f"binary-{tag}", "text": "\x00\x01\x02PK\x03\x04" * 50},
            ErrorReason.BINARY_CONTENT,
        ),
        (
            f"utf8-{tag}",
            f'{{"id": "utf8-{tag}", "text": "caf\\udce9 au lait"}}',
            ErrorReason.INVALID_ENCODING,
        ),
        (f"schema-{tag}", {"id": f"schema-{tag}", "text": 42}, ErrorReason.INVALID_SCHEMA),
        (
            f"extra-{tag}",
            {"id": f"extra-{tag}", "text": ENGLISH, "colour": "red"},
            ErrorReason.INVALID_SCHEMA,
        ),
        (f"nobody-{tag}", {"id": f"nobody-{tag}", "url": "https://example.com"}, ErrorReason.INVALID_SCHEMA),
        (
            f"bomb-{tag}",
            {"id": f"bomb-{tag}", "html": f"<html><body>{nested}</body></html>"},
            ErrorReason.EMPTY_TEXT,
        ),
    ]


def test_bad_inputs_each_give_their_reason_and_a_good_article_still_passes(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, delivery: Delivery, seed_text: str
) -> None:
    app = create_app(test_settings)
    tag = uuid.uuid4().hex[:8]
    cases = _cases(tag)
    for _, payload, _ in cases:
        submit_payload(app, payload)
    sentence = "Yesterday Ada Lovelace said that Charles Babbage would travel to London with the committee."
    many = RawArticle(id=f"many-{tag}", text=" ".join([sentence] * 1_700))
    submit(app, delivery, many)
    good = RawArticle(id=f"good-{tag}", text=seed_text)
    submit(app, delivery, good)

    for article_id, _, reason in cases:
        assert wait_for(delivery, article_id, timeout_s=90) == "error", article_id
        stored = delivery.client.get(delivery.keys.error(article_id))
        assert stored is not None
        event = ErrorEvent.model_validate_json(stored)
        assert event.reason is reason, (article_id, event.message)
        assert event.message
    # 5,100 entity mentions: a bounded, valid result
    assert wait_for(delivery, many.id or "", timeout_s=120) == "result"
    result_json = delivery.client.get(delivery.keys.result(many.id or ""))
    assert result_json is not None
    assert sum(e.count for e in ArticleResult.model_validate_json(result_json).entities) >= 3_000
    assert wait_for(delivery, good.id or "") == "result"
    assert worker_process.poll() is None
    dead = [
        json.loads(f["error"])["article_id"] for _, f in delivery.entries(delivery.keys.dead, count=10_000)
    ]
    for article_id, _, _ in cases:
        assert dead.count(article_id) == 1


@pytest.mark.parametrize("payload", ["[1, 2, 3]", "null", "not json at all"])
def test_non_object_payloads(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, delivery: Delivery, payload: str
) -> None:
    from worker.payloads import payload_id

    submit_payload(create_app(test_settings), payload)
    article_id = payload_id(payload)
    assert wait_for(delivery, article_id) == "error"
    stored = delivery.client.get(delivery.keys.error(article_id))
    assert stored is not None
    reason = ErrorEvent.model_validate_json(stored).reason
    assert reason in {ErrorReason.INVALID_JSON, ErrorReason.INVALID_SCHEMA}
