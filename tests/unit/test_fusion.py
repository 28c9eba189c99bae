"""Which stages a task runs, their limits, and the soft limit a fused stage keeps."""

import signal
import time

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from schemas.result import Stage
from worker.config import Settings
from worker.fusion import chain_limits, consumed_stages, fused_chain, soft_limit

ALL = frozenset(Stage(s) for s in ("clean", "entities", "summarise"))


def test_a_task_runs_its_stage_and_the_fused_ones_after_it() -> None:
    assert fused_chain(Stage.CLEAN, ALL) == (Stage.CLEAN, Stage.ENTITIES, Stage.SUMMARISE)
    assert fused_chain(Stage.ENTITIES, ALL) == (Stage.ENTITIES, Stage.SUMMARISE)
    assert fused_chain(Stage.CLEAN, frozenset({Stage.SUMMARISE})) == (Stage.CLEAN,)  # no gap jumped
    assert fused_chain(Stage.CLEAN, frozenset()) == (Stage.CLEAN,)


def test_consumed_stages_come_from_the_queue_names() -> None:
    settings = Settings(queue_clean="c", queue_entities="e", queue_summarise="s")
    assert consumed_stages(settings, ["e", "s", "other"]) == {Stage.ENTITIES, Stage.SUMMARISE}
    assert chain_limits(Settings(), (Stage.ENTITIES, Stage.SUMMARISE)) == (75.0, 115.0)


def test_a_fused_stage_keeps_its_own_soft_limit() -> None:
    before = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    with pytest.raises(SoftTimeLimitExceeded), soft_limit(0.05):
        while time.monotonic() - started < 5:
            pass  # busy, as a stage stuck in a loop would be
    assert time.monotonic() - started < 1
    assert signal.getsignal(signal.SIGALRM) is before
    with soft_limit(1.0):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # disarmed after a quick block


def test_fusion_needs_a_visibility_timeout_above_the_summed_hard_limits() -> None:
    with pytest.raises(ValueError, match="sum of the stages"):
        Settings(visibility_timeout_s=150)  # above each hard limit, below their sum (160)
    assert Settings(visibility_timeout_s=150, fuse_stages=False).visibility_timeout_s == 150
