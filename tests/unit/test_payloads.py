"""Naming inputs that may not parse, and the fast path for the stages' own documents."""

import json

from schemas import RawArticle
from worker.config import Settings
from worker.payloads import payload_id
from worker.stages.clean import clean


def test_a_stage_document_is_named_by_its_article_id_as_a_full_parse_would() -> None:
    article = clean(
        RawArticle(id="wire:2024/07-1@ap", text="The council met on Tuesday to vote."), Settings()
    )
    document = article.model_dump_json()
    assert payload_id(document) == json.loads(document)["article_id"] == "wire:2024/07-1@ap"


def test_other_payloads_fall_back_to_parsing_or_hashing() -> None:
    assert payload_id({"id": "x1", "text": "a"}) == "x1"
    assert payload_id('{"article_id": "spaced", "schema_version": 1}') == "spaced"
    assert payload_id('{"text": "no id"}') == payload_id({"text": "no id"})
    broken = payload_id("{not json")
    assert len(broken) == 32 and broken == payload_id("{not json")
