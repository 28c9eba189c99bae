"""Reading articles from files, folders and stdin: .txt, .html, .jsonl or '-'."""

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from schemas.article import RawArticle, is_html_document
from schemas.result import ErrorReason
from worker.errors import InvalidArticle, UsageError

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
# What a folder given as an input contributes: its files of these kinds, in name order.
INPUT_SUFFIXES = frozenset({".txt"}) | HTML_SUFFIXES | JSONL_SUFFIXES


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
    if suffix == "" and is_html_document(text):
        return "html"
    return "text"


def _folder_files(folder: Path) -> list[str]:
    files = sorted(
        str(child)
        for child in folder.iterdir()
        if child.is_file() and not child.name.startswith(".") and child.suffix.lower() in INPUT_SUFFIXES
    )
    if not files:
        raise UsageError(f"{folder}: a folder with no .txt, .html or .jsonl files in it")
    return files


def expand_paths(paths: list[str]) -> list[str]:
    """The files ``paths`` name: each folder replaced by its .txt, .html and .jsonl files.

    Raises UsageError (one line) for a path that does not exist, cannot be read, or is a
    folder with no such file, before any article is read.
    """
    files: list[str] = []
    for path in paths:
        if path == "-":
            files.append(path)
            continue
        target = Path(path)
        if target.is_dir():
            files += _folder_files(target)
        elif not target.exists():
            raise UsageError(f"{path}: no such file or folder")
        elif not target.is_file() or not os.access(target, os.R_OK):
            raise UsageError(f"{path}: not a readable file")
        else:
            files.append(path)
    return files


def read_items(paths: list[str]) -> Iterator[Item]:
    """Every article in ``paths`` ('-' is stdin, a folder its files), each valid or with its error."""
    for path in expand_paths(paths):
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
