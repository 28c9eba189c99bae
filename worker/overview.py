"""The pipeline at a glance, from Redis alone: queue depths, rates per stage, errors, dead letters."""

import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import cast

from schemas.result import Stage
from worker.delivery import Delivery

WINDOW_S = 60  # rates are over the last minute
STAGES = (Stage.CLEAN.value, Stage.ENTITIES.value, Stage.SUMMARISE.value)
# kombu's Redis transport keeps a queue's messages of priority 0 under its name and the others
# under the name, this separator and the priority step.
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)
_MAX_ERRORS_READ = 1000  # reasons are counted over at most this many recent dead letters


@dataclass(frozen=True)
class StageRate:
    """Articles that finished a stage within the window."""

    last_minute: int
    per_s: float


@dataclass(frozen=True)
class Overview:
    """One snapshot: what ``newsflow top`` shows and ``--once --json`` prints."""

    at_ms: int
    queues: dict[str, int]
    stages: dict[str, StageRate]
    published: StageRate
    failed: StageRate  # dead-lettered
    errors: dict[str, int]  # reason -> dead-lettered within the window
    dead_letters: int
    workers: list[str] = field(default_factory=list)
    in_flight: int = 0  # accepted articles without a terminal event yet (Redis brokers)

    def to_json(self) -> str:
        """The snapshot as one JSON document."""
        return json.dumps(asdict(self), sort_keys=False)


def _rate(count: int) -> StageRate:
    return StageRate(count, round(count / WINDOW_S, 3))


def queue_depths(delivery: Delivery, queues: list[str]) -> dict[str, int]:
    """Messages waiting in each queue (every priority)."""
    if delivery.settings.broker_is_amqp:
        return delivery.rabbit.depths(queues)
    with delivery.client.pipeline(transaction=False) as pipe:
        for queue in queues:
            pipe.llen(queue)
            for step in _PRIORITY_STEPS:
                pipe.llen(f"{queue}{_PRIORITY_SEPARATOR}{step}")
        lengths = pipe.execute()
    per_queue = 1 + len(_PRIORITY_STEPS)
    return {queue: sum(lengths[i * per_queue : (i + 1) * per_queue]) for i, queue in enumerate(queues)}


def overview(delivery: Delivery, *, now_ms: int | None = None, workers: list[str] | None = None) -> Overview:
    """A snapshot of the pipeline ``delivery``'s settings describe."""
    at = now_ms if now_ms is not None else int(time.time() * 1000)
    settings, keys = delivery.settings, delivery.keys
    queues = list(dict.fromkeys([*settings.queues, *sorted(settings.entities_queues.values())]))
    seconds = range(at // 1000 - WINDOW_S + 1, at // 1000 + 1)
    counted = (*STAGES, "published", "dead")
    names = [keys.throughput(name, second) for name in counted for second in seconds]
    counts = cast(list[str | None], delivery.client.mget(names))
    rates = {
        name: _rate(sum(int(c or 0) for c in counts[i * WINDOW_S : (i + 1) * WINDOW_S]))
        for i, name in enumerate(counted)
    }
    reasons: Counter[str] = Counter()
    recent = cast(
        list[tuple[str, dict[str, str]]],
        delivery.client.xrevrange(keys.dead, "+", f"{at - WINDOW_S * 1000}-0", count=_MAX_ERRORS_READ),
    )
    for _, fields in recent:
        reasons[str(json.loads(fields["error"]).get("reason", "unknown"))] += 1
    return Overview(
        at_ms=at,
        queues=queue_depths(delivery, queues),
        stages={stage: rates[stage] for stage in STAGES},
        published=rates["published"],
        failed=rates["dead"],
        errors=dict(reasons.most_common()),
        dead_letters=int(delivery.client.xlen(keys.dead)),
        workers=sorted(workers or []),
        in_flight=delivery.inflight.count(),
    )
