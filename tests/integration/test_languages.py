"""Every language through a real worker; a language routed to an entities queue of its own."""

import json
import subprocess
import time
import uuid
from pathlib import Path

from schemas import ArticleResult, RawArticle
from tests.conftest import cleanup, make_settings, start_worker, stop_worker, wait_for
from worker.app import create_app
from worker.config import Settings
from worker.delivery import Delivery
from worker.pipeline import submit
from worker.stages.entities import NO_MODEL

TEXTS: dict[str, str] = json.loads(
    (Path(__file__).parents[1] / "data" / "languages.json").read_text(encoding="utf-8")
)
ENGLISH = "The city council approved the new school budget on Tuesday after a long debate. " * 3


def _result(delivery: Delivery, article_id: str, timeout_s: float = 90) -> ArticleResult:
    assert wait_for(delivery, article_id, timeout_s) == "result"
    event = delivery.fetch(article_id)
    assert event is not None
    return ArticleResult.model_validate_json(event.document)


def test_ten_languages_are_published_with_their_language_and_a_summary(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, delivery: Delivery
) -> None:
    app = create_app(test_settings)
    tag = uuid.uuid4().hex[:6]
    for language, text in TEXTS.items():
        submit(app, delivery, RawArticle(id=f"lang-{language}-{tag}", text=text))
    for language in TEXTS:
        result = _result(delivery, f"lang-{language}-{tag}")
        assert result.language == language
        assert result.summary.sentences and all(
            result.text[s.start : s.end] == s.text for s in result.summary.sentences
        )
        assert (result.model.name == NO_MODEL) == (language not in test_settings.spacy_models)


def test_a_language_routed_to_its_own_queue_waits_for_a_worker_started_for_it(
    redis_url: str, tmp_path: Path
) -> None:
    settings = make_settings(redis_url)
    french_queue = f"{settings.key_prefix}-entities.fr"
    settings = settings.model_copy(update={"entities_queues": {"fr": french_queue}})
    general = start_worker(settings, tmp_path / "general.log", concurrency=1)
    delivery, app = Delivery.from_settings(settings), create_app(settings)
    french = None
    try:
        tag = uuid.uuid4().hex[:6]
        submit(app, delivery, RawArticle(id=f"fr-{tag}", text=TEXTS["fr"]))
        submit(app, delivery, RawArticle(id=f"en-{tag}", text=ENGLISH))
        assert _result(delivery, f"en-{tag}").language == "en"
        time.sleep(1.0)
        assert delivery.state(f"fr-{tag}") is None  # no worker consumes the French entities queue yet
        french = start_worker(
            settings, tmp_path / "french.log", concurrency=1, queues=french_queue, node=f"fr-{tag}@localhost"
        )
        result = _result(delivery, f"fr-{tag}")
        assert result.language == "fr" and result.model.name == "fr_core_news_sm" and result.entities
    finally:
        for process in (general, french):
            if process is not None:
                stop_worker(process)
        delivery.client.close()
        cleanup(settings)
