"""Contracts: validation rules, round trips, and the exported JSON Schema files."""

import json

import pytest
from pydantic import ValidationError

from schemas import SCHEMA_VERSION, ArticleResult, ErrorEvent, ErrorReason, Mention, RawArticle, Stage
from schemas.article import is_html_document
from schemas.export import EXPORTED, SCHEMA_DIR, render


def test_raw_article_needs_exactly_one_of_text_and_html() -> None:
    assert RawArticle(text="hello").body == "hello"
    assert RawArticle(html="<p>hi</p>").body == "<p>hi</p>"
    with pytest.raises(ValidationError, match="exactly one"):
        RawArticle()
    with pytest.raises(ValidationError, match="exactly one"):
        RawArticle(text="a", html="<p>b</p>")


def test_unknown_fields_are_rejected_and_models_are_frozen() -> None:
    with pytest.raises(ValidationError, match="extra"):
        RawArticle.model_validate({"text": "a", "colour": "red"})
    article = RawArticle(text="a")
    with pytest.raises(ValidationError):
        article.text = "b"  # type: ignore[misc]


def test_mention_offsets_must_be_ordered() -> None:
    with pytest.raises(ValidationError):
        Mention(start=5, end=5, text="x")


def test_error_event_round_trips_through_json() -> None:
    event = ErrorEvent(
        article_id="a1",
        stage=Stage.CLEAN,
        reason=ErrorReason.EMPTY_TEXT,
        message="empty",
        pipeline_version="0",
    )
    again = ErrorEvent.model_validate_json(event.model_dump_json())
    assert again == event
    assert json.loads(event.model_dump_json())["reason"] == "empty_text"
    assert again.schema_version == SCHEMA_VERSION


def test_article_result_has_the_field_names_consumers_read() -> None:
    fields = set(ArticleResult.model_fields)
    assert {
        "article_id",
        "content_hash",
        "title",
        "text",
        "language",
        "entities",
        "summary",
        "timings",
        "pipeline_version",
        "model",
        "schema_version",
    } <= fields


@pytest.mark.parametrize("name", sorted(EXPORTED))
def test_exported_json_schema_matches_the_model(name: str) -> None:
    path = SCHEMA_DIR / f"{name}.schema.json"
    assert path.exists(), f"run `make schemas`: {path} is missing"
    assert path.read_text(encoding="utf-8") == render(EXPORTED[name]), (
        f"{path.name} drifted from the model: run `make schemas`"
    )


@pytest.mark.parametrize(
    ("text", "is_page"),
    [
        ("<!DOCTYPE html><html><body><p>Hi</p></body></html>", True),
        ("\ufeff\n  <HTML lang='en'><body>Hi</body></HTML>", True),
        ("<!-- generated -->\n<!-- at noon -->\n<!doctype html>\n<p>Hi</p>", True),
        ('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">', True),
        ("The <html> tag opens a page.\n\n<!DOCTYPE html> comes first.", False),
        ("<b>Breaking:</b> the council approved the budget.", False),
        ("<htmlx>not a page</htmlx>", False),
    ],
)
def test_a_text_is_a_page_only_when_it_opens_as_an_html_document(text: str, is_page: bool) -> None:
    assert is_html_document(text) is is_page
    assert RawArticle(text=text).page == (text if is_page else None)
    assert RawArticle(html=text).page == text  # html is a page whatever it holds
