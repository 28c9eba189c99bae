"""NEWSFLOW_STORE_RESULTS=false: a result lives only as its Stream entry, and is still fetched."""

from schemas import ArticleResult, RawArticle
from tests.conftest import cleanup, make_settings
from worker.config import Settings
from worker.delivery import Delivery
from worker.pipeline import process_in_process

TEXT = "Council approves budget\n\n" + "The city council approved the new school budget on Tuesday. " * 4


def test_without_stored_results_fetch_reads_the_stream_entry(redis_url: str) -> None:
    settings = make_settings(redis_url, store_results=False)
    delivery = Delivery.from_settings(settings)
    try:
        result = process_in_process(RawArticle(id="kept-in-stream", text=TEXT), Settings())
        entry = delivery.publish_result(result)
        assert entry is not None
        assert delivery.client.exists(settings.keys.result("kept-in-stream")) == 0
        event = delivery.fetch("kept-in-stream")
        assert event is not None and event.kind == "result" and event.entry_id == entry
        assert ArticleResult.model_validate_json(event.document) == result
        assert delivery.publish_result(result) is None  # still published once
        delivery.client.xdel(settings.keys.results_log, entry)  # trimmed away
        assert delivery.fetch("kept-in-stream") is None
    finally:
        delivery.client.close()
        cleanup(settings)


def test_with_stored_results_the_key_is_read_and_names_its_entry(redis_url: str) -> None:
    settings = make_settings(redis_url)
    delivery = Delivery.from_settings(settings)
    try:
        result = process_in_process(RawArticle(id="kept-in-key", text=TEXT), Settings())
        entry = delivery.publish_result(result)
        delivery.client.xdel(settings.keys.results_log, entry or "")
        event = delivery.fetch("kept-in-key")
        assert event is not None and event.entry_id == entry
        assert ArticleResult.model_validate_json(event.document) == result
    finally:
        delivery.client.close()
        cleanup(settings)
