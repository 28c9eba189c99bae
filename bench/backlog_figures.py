"""The backlog benchmark's arithmetic: the samples' peaks, the publish-once count, the goals."""

import re
from collections import Counter
from dataclasses import dataclass, field

MEMORY_FACTOR = 1.2  # the goal: peak memory at most this times (ingest Stream + results kept)


@dataclass(frozen=True)
class Sample:
    """One look at Redis during the run."""

    at_s: float
    queues: dict[str, int]
    used_memory: int
    ingest_length: int
    ingest_bytes: int
    results_length: int
    results_stream_bytes: int


@dataclass(frozen=True)
class Summary:
    """What the samples and the end state say, in bytes and articles."""

    max_queued_seen: int  # the most articles the stage queues held at once
    max_per_queue: dict[str, int]
    peak_used_memory_delta: int  # used_memory above the baseline, at its highest
    ingest_peak_bytes: int
    results_kept_bytes: int  # the results Stream and the stored results, at the end
    other_kept_bytes: int  # status, done markers, near-duplicate index at the end
    samples: int

    @property
    def memory_ratio(self) -> float:
        """Peak memory over (ingest Stream + results kept): the goal is at most 1.2."""
        return round(
            self.peak_used_memory_delta / max(1, self.ingest_peak_bytes + self.results_kept_bytes), 3
        )

    @property
    def memory_ratio_all_kept(self) -> float:
        """The same with every per-article key kept (status, done marker, duplicate index) counted."""
        kept = self.ingest_peak_bytes + self.results_kept_bytes + self.other_kept_bytes
        return round(self.peak_used_memory_delta / max(1, kept), 3)


def summarise(samples: list[Sample], baseline: int, results_kept: int, other_kept: int) -> Summary:
    """The peaks of the samples; ``baseline`` is used_memory before the first XADD."""
    per_queue: dict[str, int] = {}
    for sample in samples:
        for queue, length in sample.queues.items():
            per_queue[queue] = max(per_queue.get(queue, 0), length)
    return Summary(
        max_queued_seen=max((sum(s.queues.values()) for s in samples), default=0),
        max_per_queue=per_queue,
        peak_used_memory_delta=max((s.used_memory for s in samples), default=baseline) - baseline,
        ingest_peak_bytes=max((s.ingest_bytes for s in samples), default=0),
        results_kept_bytes=results_kept,
        other_kept_bytes=other_kept,
        samples=len(samples),
    )


@dataclass(frozen=True)
class Once:
    """How often each article of the run was published or dead-lettered."""

    missing: list[str] = field(default_factory=list)
    twice: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.twice or self.errors)


def published_once(ids: list[str], published: list[str], dead: list[str]) -> Once:
    """Each of ``ids`` published exactly once and never dead-lettered."""
    counts, wanted = Counter(published), set(ids)
    return Once(
        missing=[i for i in ids if counts[i] == 0],
        twice=sorted(i for i, n in counts.items() if n > 1 and i in wanted),
        errors=sorted({i for i in dead if i in wanted}),
    )


def goals(summary: Summary, once: Once, max_queued: int) -> dict[str, bool]:
    """The three goals of the backlog benchmark, met or not."""
    return {
        "queues_within_max_queued": summary.max_queued_seen <= max_queued,
        "memory_within_1.2x_ingest_plus_results": summary.memory_ratio <= MEMORY_FACTOR,
        "published_exactly_once": once.ok,
    }


def shortened(text: str, words: int) -> str:
    """The first ``words`` words of ``text``, its paragraph breaks kept."""
    pieces = re.split(r"(\s+)", text.strip())  # word, space, word, ...
    return "".join(pieces[: 2 * words - 1]) if words else text


def distinct(text: str, cycle: int) -> str:
    """``text`` with every fourth word suffixed by ``cycle`` (0: unchanged), so that copies from two
    cycles share no word 5-shingle and the near-duplicate index sees distinct articles."""
    if not cycle:
        return text
    pieces = re.split(r"(\s+)", text.strip())  # words at even positions
    return "".join(f"{p}{cycle}" if i % 8 == 0 else p for i, p in enumerate(pieces))
