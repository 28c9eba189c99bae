"""`newsflow health` against a real worker, a Redis without one, and an unreachable Redis."""

import subprocess
import sys
import time

from tests.conftest import ROOT, node_name, settings_env
from worker.config import Settings
from worker.health import check_health

CLI = [sys.executable, "-m", "worker.cli"]


def _health(settings: Settings, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "health", *options],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=settings_env(settings),
        check=False,
    )


def test_healthy_when_redis_answers_and_a_worker_replies(
    worker_process: subprocess.Popen[bytes], test_settings: Settings
) -> None:
    done = _health(test_settings)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: Redis at redis://127.0.0.1")
    assert node_name(test_settings) in done.stdout
    assert check_health(test_settings).workers == (node_name(test_settings),)


def test_unhealthy_when_no_worker_consumes_the_queues(own_settings: Settings) -> None:
    started = time.monotonic()
    done = _health(own_settings, "--timeout", "1")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith("newsflow: unhealthy: Redis at")
    assert f"no worker on the queues {own_settings.queue_clean}" in lines[0]
    assert time.monotonic() - started < 20
    assert not check_health(own_settings, timeout_s=0.5).ok


def test_with_a_node_only_that_worker_counts(
    worker_process: subprocess.Popen[bytes], test_settings: Settings
) -> None:
    assert _health(test_settings, "--node", node_name(test_settings)).returncode == 0
    done = _health(test_settings, "--node", "nobody@nowhere", "--timeout", "1")
    assert done.returncode == 1
    assert "but worker nobody@nowhere on the queues" in done.stderr
    assert "did not reply within 1 s" in done.stderr
