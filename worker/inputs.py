"""Reading articles from files and stdin: .txt, .html, .jsonl or '-'."""

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from schemas.article import RawArticle
from schemas.result import ErrorReason
from worker.errors import InvalidArticle

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})


@dataclass(frozen=True)
class Item:
    """One input: a valid article, or the reason it is not one (with the offending payload)."""

    source: str
    article: RawArticle | None = None
    error: InvalidArticle | None = None
    payload: object = None


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidArticle(ErrorReason.INVALID_ENCODING, f"{source} is not valid UTF-8: {exc}") from exc


def _jsonl(text: str, source: str) -> Iterator[Item]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            payload = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Item(where, error=InvalidArticle(ErrorReason.INVALID_JSON, f"{where}: {exc}"), payload=line)
            continue
        try:
            yield Item(where, article=RawArticle.model_validate(payload))
        except ValidationError as exc:
            message = f"{where}: not a RawArticle: {exc.errors()[0]['msg']}"
            yield Item(where, error=InvalidArticle(ErrorReason.INVALID_SCHEMA, message), payload=payload)


def _sniff(text: str, suffix: str) -> str:
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix == "" and text.lstrip().startswith("{"):
        return "jsonl"
    head = text.lstrip()[:200].lower()
    if suffix == "" and (head.startswith("<!doctype html") or head.startswith("<html")):
        return "html"
    return "text"


def read_items(paths: list[str]) -> Iterator[Item]:
    """Every article in ``paths`` ('-' is stdin), each valid or with its InvalidArticle."""
    for path in paths:
        source = "<stdin>" if path == "-" else path
        try:
            data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
            text = _decode(data, source)
        except InvalidArticle as exc:
            yield Item(source, error=exc, payload=source)
            continue
        kind = _sniff(text, "" if path == "-" else Path(path).suffix.lower())
        if kind == "jsonl":
            yield from _jsonl(text, source)
        elif kind == "html":
            yield Item(source, article=RawArticle(html=text, url=None))
        else:
            yield Item(source, article=RawArticle(text=text))
