"""The command's mistakes as a person meets them, through the real command: one line, an exit code."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from schemas import ArticleResult
from tests.conftest import ROOT, SEED, settings_env
from worker.config import Settings
from worker.embedded import free_port

CLI = [sys.executable, "-m", "worker.cli"]


def _run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env, check=False
    )


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("newsflow: ")
    return lines[0]


def _unreachable_env() -> dict[str, str]:
    url = f"redis://:s3cret-pass@127.0.0.1:{free_port()}/0"
    return {**settings_env(Settings()), "NEWSFLOW_REDIS_URL": url}


def test_a_missing_file_is_one_line() -> None:
    done = _run("process", str(SEED), "/no/such/file.txt")
    assert done.returncode == 2
    assert _one_line(done) == "newsflow: /no/such/file.txt: no such file or folder"
    assert done.stdout == ""  # nothing is processed before the mistake is reported


def test_a_folder_is_every_article_in_it(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "b.html").write_text(
        "<html><body><h1>Storm closes ports</h1><p>A storm closed the ports of Rotterdam and Antwerp"
        " on Monday, the authorities said. Shipping is expected to resume on Tuesday.</p></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "c.jsonl").write_text(
        json.dumps({"id": "c-1", "text": SEED.read_text()}) + "\n", encoding="utf-8"
    )
    (tmp_path / "README.md").write_text("# not an article\n", encoding="utf-8")
    done = _run("process", str(tmp_path))
    assert done.returncode == 0, done.stderr
    results = [ArticleResult.model_validate_json(line) for line in done.stdout.splitlines()]
    assert len(results) == 3
    assert results[1].title == "Storm closes ports"
    assert results[2].article_id == "c-1"


def test_a_folder_without_articles_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# not an article\n", encoding="utf-8")
    done = _run("process", str(tmp_path))
    assert done.returncode == 2
    assert "a folder with no .txt, .html or .jsonl files in it" in _one_line(done)


def test_submit_a_folder_prints_one_id_per_article(own_settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "b.jsonl").write_text('{"id": "b-1", "text": "One."}\n{"id": "b-2", "text": "Two."}\n')
    done = _run("submit", str(tmp_path), env=settings_env(own_settings))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == ["b-1", "b-2"]
    assert len(done.stdout.splitlines()) == 3


@pytest.mark.parametrize("command", [["submit", str(SEED)], ["subscribe", "--count", "1"], ["health"]])
def test_an_unreachable_redis_is_one_line_with_the_password_redacted(command: list[str]) -> None:
    env = _unreachable_env()
    done = _run(*command, env=env, timeout=60)
    assert done.returncode == 3
    line = _one_line(done)
    assert "s3cret-pass" not in done.stderr
    assert env["NEWSFLOW_REDIS_URL"].replace("s3cret-pass", "***") in line
    assert line.startswith("newsflow: cannot reach Redis at ")
    assert line.endswith("start Redis there or set NEWSFLOW_REDIS_URL")


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (
            "NEWSFLOW_SUMMARY_SENTENCES",
            "three",
            "NEWSFLOW_SUMMARY_SENTENCES='three': Input should be a valid integer",
        ),
        (
            "NEWSFLOW_DUPLICATES",
            "maybe",
            "NEWSFLOW_DUPLICATES='maybe': Input should be 'annotate', 'skip' or 'off'",
        ),
        (
            "NEWSFLOW_SPACY_MODELS",
            "en=x",
            "NEWSFLOW_SPACY_MODELS: not valid JSON; it expects a JSON value (dict[str, str])",
        ),
        ("NEWSFLOW_VISIBILITY_TIMEOUT_S", "10", "NEWSFLOW_VISIBILITY_TIMEOUT_S must exceed"),
    ],
)
def test_an_invalid_setting_names_the_variable_and_what_it_expects(
    variable: str, value: str, expected: str
) -> None:
    # Every variable through the real command; the first through both commands that read settings.
    first = variable == "NEWSFLOW_SUMMARY_SENTENCES"
    for command in (["process", str(SEED)], ["submit", str(SEED)])[: 2 if first else 1]:
        done = _run(*command, env={**settings_env(Settings()), variable: value})
        assert done.returncode == 2
        assert expected in _one_line(done)
