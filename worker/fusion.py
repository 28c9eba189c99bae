"""Stage fusion: a worker that also consumes the next stage's queue runs that stage itself.

Like operator chaining in Flink: where the message would go to Redis only for the same
process to take it back, the follow-on stage runs in the same task on the same JSON document.
Each stage still has its own queue, guard, status mark, soft time limit and dead-letter input;
a worker pool per queue (the docker-compose layout) hands every article on through Redis.
What a fused task shares: its message (a redelivery or retry starts again at its first stage,
the publish-once marker keeps the result single) and its hard time limit (the stages' sum,
reported for the first stage with that stage's input).
"""

import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import FrameType

from celery.exceptions import SoftTimeLimitExceeded

from schemas.result import Stage
from worker.config import Settings

ORDER = (Stage.CLEAN, Stage.ENTITIES, Stage.SUMMARISE)


def next_stage(stage: Stage) -> Stage | None:
    """The stage after ``stage``, or None after the last."""
    index = ORDER.index(stage)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def consumed_stages(settings: Settings, queues: Iterable[str]) -> frozenset[Stage]:
    """The stages whose queue is among ``queues``."""
    names = set(queues)
    return frozenset(stage for stage, queue in zip(ORDER, settings.queues, strict=True) if queue in names)


def fused_chain(stage: Stage, fused: frozenset[Stage]) -> tuple[Stage, ...]:
    """The stages a task of ``stage`` runs: itself, then each following stage while it is fused."""
    chain = [stage]
    following = next_stage(stage)
    while following is not None and following in fused:
        chain.append(following)
        following = next_stage(following)
    return tuple(chain)


def chain_limits(settings: Settings, chain: tuple[Stage, ...]) -> tuple[float, float]:
    """Soft and hard time limits of a task running ``chain``: the sums of its stages' limits."""
    soft = sum(settings.soft_time_limits_s[s.value] for s in chain)
    hard = sum(settings.hard_time_limits_s[s.value] for s in chain)
    return soft, hard


def can_fuse() -> bool:
    """Fused stages keep their own soft limits with SIGALRM, which needs the main thread.

    True in a prefork pool process; a threads pool hands every stage on through Redis.
    """
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


@contextmanager
def soft_limit(seconds: float) -> Iterator[None]:
    """Raise SoftTimeLimitExceeded in the block after ``seconds``, as Celery's soft limit does."""

    def expired(_signum: int, _frame: FrameType | None) -> None:
        raise SoftTimeLimitExceeded(f"soft time limit ({seconds} s) exceeded")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
