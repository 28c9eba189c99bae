"""Naming inputs that may not parse, and the fast path for the stages' own documents."""

import json

from schemas import RawArticle
from worker.config import Settings
from worker.failures import as_text, input_hash
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


def test_a_document_handed_on_as_an_object_is_named_and_kept_as_its_json() -> None:
    """Between fused stages a document stays an object: a failure must name it and keep the
    same JSON the next stage's queue would have carried (for ``dead --requeue``)."""
    article = clean(RawArticle(id="fused-1", text="The council met on Tuesday to vote."), Settings())
    document = article.model_dump_json()
    assert payload_id(article) == payload_id(document) == "fused-1"
    assert as_text(article) == document
    assert input_hash(article) == input_hash(document)
    assert payload_id(RawArticle(text="no id given")) == payload_id(
        RawArticle(text="no id given").model_dump(mode="json")
    )
