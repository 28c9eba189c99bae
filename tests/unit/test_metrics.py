"""worker/metrics.py without a worker: when it is off, and a port it cannot have."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from worker.config import Settings
from worker.errors import UsageError
from worker.metrics import MULTIPROC_ENV, for_settings, reap_exited, serving


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


_COUNT_AND_EXIT = """
from worker.config import Settings
from worker.metrics import for_settings
metrics = for_settings(Settings(metrics_port=9808))
metrics.published_one("result")
metrics.stage_started("entities")  # never left: the process ends inside its stage run
"""


def test_reaping_drops_the_live_gauge_of_an_ended_process_and_keeps_its_counts(tmp_path: Path) -> None:
    env = {**os.environ, MULTIPROC_ENV: str(tmp_path)}
    ended = subprocess.run([sys.executable, "-c", _COUNT_AND_EXIT], env=env, check=True)
    assert ended.returncode == 0
    (gauge,) = tmp_path.glob("gauge_livesum_*.db")
    (counter,) = tmp_path.glob("counter_*.db")
    pid = int(gauge.stem.rpartition("_")[2])
    mine = tmp_path / f"gauge_livesum_{os.getpid()}.db"
    mine.write_bytes(gauge.read_bytes())  # a live gauge of a process still running: this one
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as running:
        child = tmp_path / f"gauge_livesum_{running.pid}.db"  # and one of its children
        child.write_bytes(gauge.read_bytes())
        stranger = tmp_path / f"gauge_livesum_{os.getppid()}.db"  # running, but not a child
        stranger.write_bytes(gauge.read_bytes())
        try:
            assert reap_exited(str(tmp_path)) == sorted([pid, os.getppid()])
            assert counter.exists() and mine.exists() and child.exists()
            assert not gauge.exists() and not stranger.exists()
        finally:
            running.kill()
    assert reap_exited(str(tmp_path)) == [running.pid]  # reaped by Popen's exit: gone
    assert mine.exists() and not child.exists()
