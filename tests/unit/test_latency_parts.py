"""The idle latency's parts: read from an article's status marks, timings and Stream entry."""

import pytest

from bench.latency_parts import PARTS, latency_parts, median_parts
from bench.perf import Round, Run, idle_breakdown


def _status(submitted: int, clean: int, entities: int, summarise: int) -> dict[str, str]:
    return {
        "submitted": str(submitted),
        "revision": "0",
        "publish": "published",
        "clean": f"done:{clean}",
        "entities": f"done:{entities}",
        "summarise": f"done:{summarise}",
    }


def test_the_parts_split_the_latency_and_add_up_to_it() -> None:
    timings = {"clean": 3.0, "duplicates": 2.0, "entities": 15.0, "summarise": 2.5}
    # submitted at 1000, submit returned at 1001.5, the task started at 1004 and ran clean and the
    # index until 1009, entities until 1024.5, summarise until 1027, published at 1028
    parts = latency_parts(_status(1000, 1009, 1024, 1027), timings, 1028.0, 1001.5)
    assert parts["producer"] == 1.5
    assert parts["to the task"] == pytest.approx(2.5)  # 1009 - 3 - 2 = 1004 started
    assert parts["clean"] == 3.0 and parts["duplicates"] == 2.0
    assert parts["entities"] == 15.0 and parts["summarise"] == 2.5
    assert parts["between stages"] == pytest.approx(0.5)  # 1027 - 1009 - 15 - 2.5
    assert parts["publish"] == 1.0
    assert parts["total"] == 28.0
    assert sum(parts[name] for name in PARTS) == pytest.approx(parts["total"])


def test_a_hand_off_through_the_broker_shows_between_the_stages() -> None:
    timings = {"clean": 3.0, "duplicates": 2.0, "entities": 15.0, "summarise": 2.5}
    parts = latency_parts(_status(1000, 1009, 1030, 1036), timings, 1037.0, 1001.0)
    assert parts["between stages"] == pytest.approx(9.5)  # 6 + 3.5 ms of hand-offs
    assert sum(parts[name] for name in PARTS) == pytest.approx(parts["total"])


def test_medians_per_part_and_none_without_samples() -> None:
    samples = [{name: float(i) for name in (*PARTS, "total")} for i in (1, 5, 3)]
    assert median_parts(samples) == {name: 3.0 for name in (*PARTS, "total")}
    assert median_parts([]) == {}


def test_the_in_process_side_is_read_on_the_idle_samples_articles() -> None:
    b = Run("b", 2, 1.0, 0, latencies_ms=[20.0, 40.0])
    b.stage_ms = {"clean": [2.0, 4.0], "entities": [10.0, 30.0], "summarise": [1.0, 3.0]}
    sample = {name: 1.0 for name in (*PARTS, "total")}
    runs = [Run("a", 1, 1.0, 0), b]
    # three idle samples: articles 0, 1, 0 -> (b)'s medians are those of its articles 0, 1, 0
    round_ = Round(runs, [1.0] * 3, [], idle_parts=[sample] * 3)
    breakdown = idle_breakdown([round_])
    assert breakdown["d1"]["total"] == 1.0
    assert breakdown["d2_unfused"] == {}
    assert breakdown["b"]["clean"] == 2.0 and breakdown["b"]["entities"] == 10.0
    assert breakdown["b"]["total"] == 20.0 and breakdown["b"]["producer"] == 0.0
