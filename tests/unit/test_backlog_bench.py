"""The backlog benchmark's arithmetic: the peaks of the samples, the publish-once count, the goals."""

from bench.backlog_figures import Sample, Summary, goals, published_once, shortened, summarise


def _sample(at_s: float, queues: dict[str, int], used: int, ingest: int, results: int = 0) -> Sample:
    return Sample(at_s, queues, used, ingest_length=0, ingest_bytes=ingest, results_length=0,
                  results_stream_bytes=results)  # fmt: skip


def test_the_summary_keeps_each_peak_of_the_samples() -> None:
    samples = [
        _sample(0.0, {"clean": 900, "entities": 0}, used=1_000 + 500, ingest=400),
        _sample(0.25, {"clean": 600, "entities": 350}, used=1_000 + 700, ingest=300),  # 950 in all
        _sample(0.5, {"clean": 10, "entities": 400}, used=1_000 + 600, ingest=0),
    ]
    summary = summarise(samples, baseline=1_000, results_kept=100, other_kept=50)
    assert summary.max_queued_seen == 950  # the most at once, not the sum of each queue's peak
    assert summary.max_per_queue == {"clean": 900, "entities": 400}
    assert summary.peak_used_memory_delta == 700
    assert summary.ingest_peak_bytes == 400
    assert summary.memory_ratio == 1.4  # 700 / (400 + 100)
    assert summary.memory_ratio_all_kept == round(700 / 550, 3)
    assert summary.samples == 3


def test_no_samples_give_zeros_not_an_error() -> None:
    summary = summarise([], baseline=5_000, results_kept=0, other_kept=0)
    assert (summary.max_queued_seen, summary.peak_used_memory_delta, summary.memory_ratio) == (0, 0, 0.0)


def test_published_once_names_the_missing_the_doubled_and_the_dead() -> None:
    once = published_once(
        ["a", "b", "c", "d"], published=["a", "b", "b", "warm-0", "warm-0"], dead=["d", "other"]
    )
    assert once.missing == ["c", "d"]
    assert once.twice == ["b"]  # warm-0 is not an article of the run
    assert once.errors == ["d"]
    assert not once.ok
    assert published_once(["a", "b"], published=["b", "a"], dead=[]).ok


def _summary(max_queued_seen: int, peak: int, ingest: int, results: int) -> Summary:
    return Summary(max_queued_seen, {}, peak, ingest, results, other_kept_bytes=0, samples=1)


def test_the_goals_are_the_queue_bound_the_memory_factor_and_publish_once() -> None:
    ok = published_once(["a"], ["a"], [])
    met = goals(_summary(1_000, peak=1_200, ingest=600, results=400), ok, max_queued=1_000)
    assert met == {
        "queues_within_max_queued": True,
        "memory_within_1.2x_ingest_plus_results": True,
        "published_exactly_once": True,
    }
    over = goals(_summary(1_001, peak=1_201, ingest=600, results=400), published_once(["a"], [], []), 1_000)
    assert over == dict.fromkeys(met, False)


def test_a_text_is_shortened_to_its_first_words_with_its_paragraphs() -> None:
    text = "Headline here\n\nOne two three.\n\nFour five."
    assert shortened(text, 4) == "Headline here\n\nOne two"
    assert shortened(text, 0) == text


def test_distinct_copies_share_no_five_word_shingle() -> None:
    from bench.backlog_figures import distinct

    text = "Headline of it\n\nOne two three four five six seven eight nine ten."

    def shingles(value: str) -> set[tuple[str, ...]]:
        words = value.split()
        return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}

    assert distinct(text, 0) == text
    first, second = distinct(text, 1), distinct(text, 2)
    assert len(first.split()) == len(text.split()) and "\n\n" in first
    assert not shingles(first) & shingles(second) and not shingles(first) & shingles(text)
