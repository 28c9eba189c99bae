"""The README's Python code blocks, run as written against a real worker, so they cannot rot."""

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, settings_env
from worker.config import Settings

_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def readme_python_blocks() -> list[str]:
    """Every ```python block of README.md, in order."""
    return _PYTHON_BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_readme_has_python_blocks_that_use_the_client() -> None:
    blocks = readme_python_blocks()
    assert len(blocks) >= 2
    assert all("from worker.client import Client" in block for block in blocks)


@pytest.mark.parametrize("index", range(len(readme_python_blocks())))
def test_a_readme_python_block_runs_as_written(
    index: int, worker_process: subprocess.Popen[bytes], test_settings: Settings
) -> None:
    env = {**settings_env(test_settings), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", readme_python_blocks()[index]],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    if index == 0:
        assert re.fullmatch(r"ArticleResult [0-9a-f]{32}", lines[0]), lines
    if index == 1:
        assert "live: ArticleResult storm-1" in lines
        assert "replay: storm-1" in lines
        assert lines[-1] == "result published"
