"""Reading .txt, .html, .jsonl and broken files."""

from pathlib import Path

import pytest

from schemas import ErrorReason
from worker.errors import UsageError
from worker.inputs import expand_paths, read_items


def test_each_kind_of_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Plain text article.", encoding="utf-8")
    (tmp_path / "b.html").write_text("<html><body><p>Hi</p></body></html>", encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(
        '{"id": "x1", "text": "One."}\n\n{"text": "Two.", "colour": "red"}\n{not json\n', encoding="utf-8"
    )
    (tmp_path / "d.txt").write_bytes(b"caf\xe9 latin-1")
    items = list(read_items([str(tmp_path / name) for name in ("a.txt", "b.html", "c.jsonl", "d.txt")]))
    assert items[0].article is not None and items[0].article.text == "Plain text article."
    assert items[1].article is not None and items[1].article.html is not None
    assert items[2].article is not None and items[2].article.id == "x1"
    assert items[3].error is not None and items[3].error.reason is ErrorReason.INVALID_SCHEMA
    assert items[4].error is not None and items[4].error.reason is ErrorReason.INVALID_JSON
    assert items[5].error is not None and items[5].error.reason is ErrorReason.INVALID_ENCODING
    assert len(items) == 6


def test_a_folder_stands_for_its_articles_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.html").write_text("<html><body><p>Hi</p></body></html>", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Plain text article.", encoding="utf-8")
    (tmp_path / "c.JSONL").write_text('{"id": "x1", "text": "One."}\n', encoding="utf-8")
    (tmp_path / "notes.md").write_text("# not an article", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("editor backup", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deeper.txt").write_text("Not read: folders are not walked.", encoding="utf-8")
    files = [str(tmp_path / name) for name in ("a.txt", "b.html", "c.JSONL")]
    assert expand_paths([str(tmp_path), "-"]) == [*files, "-"]
    items = list(read_items([str(tmp_path)]))
    assert [item.source for item in items] == [*files[:2], f"{files[2]}:1"]


def test_a_missing_file_or_an_empty_folder_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"^/no/such/file\.txt: no such file or folder$"):
        expand_paths(["/no/such/file.txt"])
    (tmp_path / "notes.md").write_text("# not an article", encoding="utf-8")
    with pytest.raises(UsageError, match=r"no \.txt, \.html or \.jsonl files"):
        list(read_items([str(tmp_path)]))
