"""The benchmark's arithmetic: ratios per round, the idle comparison on the same articles."""

from pathlib import Path

from bench.perf import PAIRED, Round, Run, _median


def _run(name: str, per_second: float, latencies: list[float] | None = None) -> Run:
    return Run(name, articles=int(per_second * 10), seconds=10.0, tokens=0, latencies_ms=latencies or [])


def test_ratios_compare_the_configurations_of_one_round() -> None:
    b_latencies = [40.0, 100.0, 40.0, 100.0]  # the idle samples were articles 0 and 1, then 0 and 1
    runs = [
        _run("a", 20),
        _run("b", 10, b_latencies),
        _run("c", 20),
        _run("d1", 15),
        _run("d2", 30),
        _run("u", 24),
    ]
    ratios = Round(runs, idle_ms=[44.0, 110.0, 44.0], idle_unfused_ms=[52.0, 120.0, 52.0]).ratios()
    assert ratios["d2_over_a_articles_per_s"] == 1.5
    assert ratios["d2_over_c_articles_per_s"] == 1.5
    assert ratios["d2_over_d1"] == 2.0
    assert ratios["unfused_d2_over_c_articles_per_s"] == 1.2
    # idle samples 0, 1, 0 are compared with (b) on articles 0, 1, 0: p50 44 against 40
    assert ratios["idle_p50_d_over_b"] == 1.1
    assert ratios["unfused_idle_p50_d_over_b"] == 1.3
    assert "d2_over_e_articles_per_s" not in ratios  # no (e) in this round
    with_e = Round([*runs, _run("e", 40)], idle_ms=[44.0], idle_unfused_ms=[52.0]).ratios()
    assert with_e["d2_over_e_articles_per_s"] == 0.75  # (d, 2) at 30/s against the bare model's 40/s
    assert "d2_over_e0_articles_per_s" not in with_e
    with_e0 = Round([*runs, _run("e", 40), _run("e0", 25)], idle_ms=[44.0], idle_unfused_ms=[52.0]).ratios()
    assert with_e0["d2_over_e0_articles_per_s"] == 1.2  # against spaCy decoding the same model
    assert "d2_over_d2_blis" not in with_e0
    blis = Round([*runs, _run("e", 40), _run("e0", 25), _run("d2 blis", 20)], [44.0], [52.0]).ratios()
    assert blis["d2_over_d2_blis"] == 1.5  # (d, 2) at 30/s against 20/s with BLIS multiplying
    assert "d2_over_d2_thinc_encoders" not in blis
    thinc = Round([*runs, _run("e", 40), _run("e0", 25), _run("blis", 20), _run("thinc", 24)], [44.0], [52.0])
    assert thinc.ratios()["d2_over_d2_thinc_encoders"] == 1.25  # against thinc running the encoders


def test_median_of_odd_and_even_counts() -> None:
    assert _median([3.0, 1.0, 2.0]) == 2.0
    assert _median([4.0, 1.0, 3.0, 2.0]) == 2.5


def test_a_feed_with_copies_holds_each_copy_after_its_original() -> None:
    from bench.perf import with_copies

    texts = [
        f"Headline {i}\n\nFirst {i} paragraph.\n\nSecond {i}.\n\nThird {i}.\n\nLast {i}." for i in range(20)
    ]
    feed = with_copies(texts, 0.3)
    assert len(feed) == 20
    copies = [position for position, text in enumerate(feed) if text.startswith("Updated:")]
    assert len(copies) == 6
    for position in copies:
        marker = feed[position].split("\n\n")[1].split()[1]  # "First <i> paragraph." -> the source
        source = next(p for p, text in enumerate(feed) if text.startswith(f"Headline {marker}\n"))
        assert source < position and f"Last {marker}." not in feed[position]


def _six_runs() -> list[Run]:
    """(a), (b) with one latency, (c), (d, 1), (d, 2) and (d, 2) not fused."""
    return [
        _run("a", 20),
        _run("b", 10, [40.0]),
        _run("c", 20),
        _run("d1", 15),
        _run("d2", 30),
        _run("u", 24),
    ]


def test_the_metrics_ratio_compares_the_run_with_metrics_to_d2() -> None:
    runs = _six_runs()
    with_metrics = Round(runs, [44.0], [52.0], _run("d2m", 29.7)).ratios()
    assert with_metrics["metrics_d2_over_d2"] == 0.99
    assert "metrics_d2_over_d2" not in Round(runs, [44.0], [52.0]).ratios()


class _Calls:
    """Records the metric calls made on it (a stand-in for worker.metrics.Metrics)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []

    def stage_started(self, stage: str) -> None:
        self.calls.append(("started", stage))

    def stage_ended(self, stage: str, outcome: str, seconds: float) -> None:
        assert 0 <= seconds < 1
        self.calls.append(("ended", stage, outcome))

    def stage_left(self, stage: str) -> None:
        self.calls.append(("left", stage))

    def published_one(self, kind: str) -> None:
        self.calls.append(("published", kind))


def test_the_metrics_cost_loop_makes_a_fused_articles_metric_calls() -> None:
    from bench.metrics_cost import record_article

    recorder = _Calls()
    record_article(recorder)
    stages = ("clean", "entities", "summarise")
    expected = [call for s in stages for call in (("started", s), ("ended", s, "done"), ("left", s))]
    assert recorder.calls == [*expected, ("published", "result")]
    record_article(None)  # without metrics: only the checks


def test_callgrind_dumps_are_read_by_part_name(tmp_path: Path) -> None:
    from bench.callgrind import read_totals

    header = "version: 1\ncreator: callgrind-3.19.0\ncmd: python\n"
    (tmp_path / "callgrind.out.1").write_text(
        header + "desc: Trigger: Client Request: pipeline\nevents: Ir\nsummary: 1200\n"
        "fn=(1) f\n0 1200\ntotals: 1200\n"
    )
    (tmp_path / "callgrind.out.2").write_text(header + "desc: Trigger: Client Request: off\ntotals: 35\n")
    (tmp_path / "callgrind.out").write_text(header + "desc: Trigger: Program termination\ntotals: 9\n")
    assert read_totals(tmp_path) == {"pipeline": 1200, "off": 35}


def test_the_paired_idle_ratio_compares_each_sample_with_the_stages_run_right_after_it() -> None:
    runs = _six_runs()
    parts = [{"total": total, PAIRED: paired} for total, paired in ((44.0, 40.0), (66.0, 50.0), (55.0, 44.0))]
    round_ = Round(runs, idle_ms=[p["total"] for p in parts], idle_unfused_ms=[52.0], idle_parts=parts)
    assert round_.paired_p50_ms() == 44.0
    assert round_.ratios()["idle_p50_d_over_b_paired"] == 1.25  # p50 55 against p50 44
    unpaired = Round(runs, idle_ms=[44.0], idle_unfused_ms=[52.0], idle_parts=[{"total": 44.0}])
    assert "idle_p50_d_over_b_paired" not in unpaired.ratios()  # no pairs, no ratio


def test_the_bounds_come_from_the_stages_alone_and_from_celery_and_redis_alone() -> None:
    runs = [*_six_runs(), _run("e", 40)]  # (b) at 10/s, (e) at 40/s
    parts = [{"total": total, PAIRED: paired} for total, paired in ((44.0, 40.0), (66.0, 50.0), (55.0, 44.0))]
    idle = [p["total"] for p in parts]
    floor = [3.0, 1.0, 9.0, 2.0, 2.5]  # p50 2.5
    ratios = Round(runs, idle, [52.0], idle_parts=parts, floor_idle_ms=floor).ratios()
    assert ratios["twice_b_over_e"] == 0.5  # two processes at (b)'s 10/s against (e)'s 40/s
    assert ratios["idle_floor_over_b_paired"] == round((44.0 + 2.5) / 44.0, 3)
    without = Round(_six_runs(), idle, [52.0], idle_parts=parts).ratios()
    assert "twice_b_over_e" not in without and "idle_floor_over_b_paired" not in without
