"""Where one article's time goes between its submit and its publish, from what newsflow records.

Every article's status hash holds its submit time and each stage's end (``done:<ms>``, Redis
marks taken in the worker), the published result holds each stage's own time (``timings``) and
the results Stream entry's id holds the publish time (Redis's clock, ms). With the moment the
producer's ``submit`` call returned, that splits the latency into parts that add up to it:

- ``producer``: the rest of ``submit`` after it took the submit time (recording the article for
  recovery, sending the task message);
- ``to the task``: the message through the broker, Celery's main process and its hand-off to a
  pool process, up to the first stage's start (its end less its own time);
- ``clean``, ``duplicates``, ``entities``, ``summarise``: each stage's own time;
- ``between stages``: what lies between one stage's end and the next one's start (in a fused
  task, almost nothing; otherwise the hand-off through the broker);
- ``publish``: from the last stage's end to the Stream entry.

Marks and entry ids are whole milliseconds, so a part is good to about 1 ms; over many samples
the medians are finer.
"""

from collections.abc import Mapping, Sequence

from bench.common import percentile

PARTS = (
    "producer",
    "to the task",
    "clean",
    "duplicates",
    "entities",
    "summarise",
    "between stages",
    "publish",
)


def latency_parts(
    status: Mapping[str, str],
    timings: Mapping[str, float],
    published_ms: float,
    returned_ms: float,
) -> dict[str, float]:
    """The parts of one published article's latency (ms), in ``PARTS`` order, and ``total``.

    ``status``: its status hash; ``timings``: its result's stage timings; ``published_ms``: its
    Stream entry's time; ``returned_ms``: when the producer's submit call returned.
    """
    submitted = float(status["submitted"])
    ends = {stage: float(mark[5:]) for stage, mark in status.items() if mark.startswith("done:")}
    clean, duplicates = timings.get("clean", 0.0), timings.get("duplicates", 0.0)
    entities, summarise = timings.get("entities", 0.0), timings.get("summarise", 0.0)
    started = ends["clean"] - clean - duplicates
    between = ends["summarise"] - ends["clean"] - entities - summarise
    parts = {
        "producer": returned_ms - submitted,
        "to the task": started - returned_ms,
        "clean": clean,
        "duplicates": duplicates,
        "entities": entities,
        "summarise": summarise,
        "between stages": between,
        "publish": published_ms - ends["summarise"],
    }
    return {**parts, "total": published_ms - submitted}


def median_parts(samples: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Each part's median over ``samples`` (the medians need not add up to the median total)."""
    if not samples:
        return {}
    return {name: round(percentile([s[name] for s in samples], 50), 2) for name in (*PARTS, "total")}
