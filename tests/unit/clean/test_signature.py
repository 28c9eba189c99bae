"""MinHash signatures: estimates near the exact Jaccard similarity, bands, bytes."""

import random

import numpy as np
import pytest

from worker.stages.clean.signature import (
    BANDS,
    PERMUTATIONS,
    Signature,
    containment,
    jaccard,
    shingles,
    signature,
)

WORDS = [
    "council",
    "budget",
    "school",
    "minister",
    "river",
    "bridge",
    "market",
    "shares",
    "police",
    "court",
    "hospital",
    "station",
    "village",
    "harbour",
    "election",
    "rainfall",
    "factory",
    "union",
    "museum",
    "league",
    "coach",
    "injury",
    "festival",
]


def story(seed: int, sentences: int = 30) -> str:
    rng = random.Random(seed)
    return " ".join(
        f"The {rng.choice(WORDS)} near the {rng.choice(WORDS)} rose by {rng.randint(1, 999)} "
        f"after the {rng.choice(WORDS)} met on day {rng.randint(1, 99)}."
        for _ in range(sentences)
    )


def test_identical_bodies_have_identical_signatures_and_bands() -> None:
    text = story(1)
    first, second = signature(text), signature(text + "  ")
    assert first is not None and second is not None
    assert first.similarity(second) == 1.0
    assert first.bands() == second.bands() and first.shares_band(second)
    assert len(first.bands()) == BANDS


@pytest.mark.parametrize("cut", [3, 8, 15])
def test_the_estimate_is_near_the_exact_jaccard(cut: int) -> None:
    original = story(2)
    edited = " ".join(original.split(". ")[cut:])  # the first sentences cut
    exact = jaccard(original, edited)
    a, b = signature(original), signature(edited)
    assert a is not None and b is not None
    assert abs(a.similarity(b) - exact) < 0.12  # 128 slots: standard error below 0.045


def test_distinct_stories_share_almost_no_slots() -> None:
    a, b = signature(story(3)), signature(story(4))
    assert a is not None and b is not None
    assert a.similarity(b) < 0.1
    assert not set(a.bands()) & set(b.bands()) and not a.shares_band(b)


def test_words_not_punctuation_or_case_make_the_shingles() -> None:
    assert shingles("The Dollar, gains; on Greenspan speech!") == shingles(
        "the dollar gains on greenspan speech"
    )
    assert shingles("Two words") == {b"two words"}
    assert signature("  ... ") is None


def test_bytes_round_trip_and_a_wrong_length_is_refused() -> None:
    sig = signature(story(5))
    assert sig is not None
    again = Signature.from_bytes(sig.to_bytes())
    assert np.array_equal(again.slots, sig.slots) and len(sig.to_bytes()) == 4 * PERMUTATIONS
    with pytest.raises(ValueError, match="slots"):
        Signature.from_bytes(sig.to_bytes()[:-4])


def test_a_very_long_body_is_signed_in_chunks_with_the_same_result() -> None:
    text = " ".join(story(seed, 200) for seed in range(6))  # about 18,000 shingles, several chunks
    sig = signature(text)
    assert sig is not None
    parts = shingles(text)
    assert len(parts) > 10_000
    assert sig.similarity(signature(text)) == 1.0  # type: ignore[arg-type]


def test_containment_counts_a_copy_with_its_end_cut_as_whole() -> None:
    original = story(7, 40)
    cut = ". ".join(original.split(". ")[:14])  # about a third kept
    a, b = signature(original), signature(cut)
    assert a is not None and b is not None
    assert a.similarity(b) < 0.5  # Jaccard falls with the share cut
    assert a.containment(b) > 0.85 and b.containment(a) == a.containment(b)
    assert containment(0.0, 10, 10) == 0.0 and containment(1.0, 10, 10) == 1.0
    assert containment(0.5, 0, 10) == 0.0
    assert containment(0.25, 100, 100) == pytest.approx(0.4)  # |A&B| = 0.25 * 200 / 1.25 = 40
