"""worker/metrics.py without a worker: when it is off, and a port it cannot have."""

import os
import socket
from pathlib import Path

import pytest

from worker.config import Settings
from worker.errors import UsageError
from worker.metrics import MULTIPROC_ENV, for_settings, serving


def test_off_without_a_port_or_without_the_workers_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    assert for_settings(Settings()) is None
    assert for_settings(Settings(metrics_port=9808)) is None  # not under `newsflow worker`
    monkeypatch.setenv(MULTIPROC_ENV, "/nonexistent")
    assert for_settings(Settings()) is None
    with serving(Settings()) as url:
        assert url is None


def test_a_port_in_use_is_one_clear_error_and_leaves_nothing_behind(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        expected = f"cannot serve metrics on http://127.0.0.1:{port}/metrics"
        with pytest.raises(UsageError, match=expected), serving(Settings(metrics_port=port)):
            pass
    assert MULTIPROC_ENV not in os.environ
    assert list(os.scandir(str(tmp_path))) == []
