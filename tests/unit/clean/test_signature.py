"""MinHash signatures: estimates near the exact Jaccard similarity, bands, bytes."""

import hashlib
import random

import numpy as np
import pytest

from worker.stages.clean.signature import (
    BANDS,
    PERMUTATIONS,
    Signature,
    _coefficients,
    containment,
    jaccard,
    mod_prime,
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


def test_the_remainder_without_division_is_the_remainder() -> None:
    p = (1 << 61) - 1
    edges = [0, 1, p - 1, p, p + 1, 2 * p, 2 * p + 6, 1 << 61, (1 << 62) - 1, 7 * p, 8 * p - 1, (1 << 64) - 1]
    rng = np.random.default_rng(7)
    values = np.array(edges + [int(v) for v in rng.integers(0, 2**63, 1000)], dtype=np.uint64)
    values[-500:] *= np.uint64(2)  # the upper half of the range too
    expected = [int(v) % p for v in values]
    assert mod_prime(values.copy()).tolist() == expected


def test_a_signature_is_the_textbook_minhash_of_the_shingles() -> None:
    """Each slot: the least (a * x + b mod 2**64) mod p over the shingles' blake2b hashes' low 32
    bits, in Python's integers. Signatures stored in the index stay comparable across versions."""
    text = story(4, sentences=5)
    found = signature(text)
    assert found is not None
    hashes = [
        int.from_bytes(hashlib.blake2b(part, digest_size=8).digest(), "little") & 0xFFFFFFFF
        for part in shingles(text)
    ]
    a, b = _coefficients()
    p = (1 << 61) - 1
    slots = [
        min(((int(ai) * x + int(bi)) % 2**64) % p for x in hashes) & 0xFFFFFFFF
        for ai, bi in zip(a, b, strict=True)
    ]
    assert found.slots.tolist() == slots and found.shingles == len(hashes)
    assert shingles("Café  au LAIT, s'il vous plaît") == {
        "café au lait s il".encode(),
        b"au lait s il vous",
        "lait s il vous plaît".encode(),
    }
