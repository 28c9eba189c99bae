"""A MinHash signature of the cleaned body, for near-duplicate detection across a feed.

The body's words are casefolded (letters and digits only) and cut into overlapping 5-word
shingles; each shingle is hashed once (blake2b, 64 bits) and the signature keeps, for each of
``PERMUTATIONS`` universal hash functions ``(a*x + b) mod p``, the smallest value over the
shingles. Two signatures agree in a slot with probability equal to the Jaccard similarity of
their shingle sets, so the share of equal slots estimates it. The slots are grouped in
``BANDS`` bands of ``ROWS`` rows for locality-sensitive lookup: two articles whose signatures
agree on every row of any one band become candidates. With 64 bands of 2 rows a pair of
similarity s is a candidate with chance 1 - (1 - s**2)**64: 0.9976 at s = 0.3, 0.93 at 0.2 and
0.006 at 0.01 (unrelated stories); candidates are then confirmed against the threshold.

numpy rather than datasketch: the same algorithm, one vectorised pass over all shingles and
permutations (``python -m bench.duplicates`` measures the time per article).
"""

import hashlib
import re
from dataclasses import dataclass

import numpy as np

SHINGLE_WORDS = 5
PERMUTATIONS = 128
BANDS = 64
ROWS = PERMUTATIONS // BANDS
_PRIME = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64((1 << 32) - 1)
_SEED = 20261201
_CHUNK = 4096
_WORD = re.compile(r"\w+")


def _coefficients() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(_SEED)
    a = rng.integers(1, int(_PRIME), size=PERMUTATIONS, dtype=np.uint64)
    b = rng.integers(0, int(_PRIME), size=PERMUTATIONS, dtype=np.uint64)
    return a, b


_A, _B = _coefficients()


@dataclass(frozen=True)
class Signature:
    """``PERMUTATIONS`` 32-bit minimum hashes of an article's shingles, and how many it has."""

    slots: np.ndarray  # uint32, shape (PERMUTATIONS,)
    shingles: int = 0

    def to_bytes(self) -> bytes:
        """Little-endian uint32 slots: 4 bytes each."""
        return self.slots.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, shingles: int = 0) -> "Signature":
        """The inverse of ``to_bytes``."""
        slots = np.frombuffer(data, dtype="<u4")
        if slots.shape != (PERMUTATIONS,):
            raise ValueError(f"a signature has {PERMUTATIONS} slots, got {slots.shape[0]}")
        return cls(slots.astype(np.uint32), shingles)

    def bands(self) -> list[str]:
        """One short hex digest per band: equal digests mean the band's rows all agree."""
        raw = self.slots.astype("<u4").tobytes()
        width = ROWS * 4
        return [
            hashlib.blake2b(raw[i * width : (i + 1) * width], digest_size=8).hexdigest() for i in range(BANDS)
        ]

    def shares_band(self, other: "Signature") -> bool:
        """Whether the two agree on every row of some band: LSH makes them candidates."""
        rows = (self.slots == other.slots).reshape(BANDS, ROWS)
        return bool(rows.all(axis=1).any())

    def similarity(self, other: "Signature") -> float:
        """The estimated Jaccard similarity: the share of slots that agree."""
        return float(np.mean(self.slots == other.slots))

    def containment(self, other: "Signature") -> float:
        """The estimated share of the smaller body's shingles that the other body holds."""
        return containment(self.similarity(other), self.shingles, other.shingles)


def containment(similarity: float, left: int, right: int) -> float:
    """|A & B| / min(|A|, |B|) from the Jaccard similarity and the set sizes (capped at 1).

    |A & B| = J * (|A| + |B|) / (1 + J). A re-publication with its end cut keeps a high
    containment while its Jaccard similarity falls with the share cut.
    """
    if min(left, right) <= 0:
        return 0.0
    return min(1.0, similarity * (left + right) / ((1 + similarity) * min(left, right)))


def shingles(text: str) -> set[bytes]:
    """The body's distinct 5-word shingles, UTF-8 (fewer words: the whole body as one shingle)."""
    tokens = [w.casefold().encode() for w in _WORD.findall(text)]
    if not tokens:
        return set()
    if len(tokens) < SHINGLE_WORDS:
        return {b" ".join(tokens)}
    return {b" ".join(tokens[i : i + SHINGLE_WORDS]) for i in range(len(tokens) - SHINGLE_WORDS + 1)}


def jaccard(left: str, right: str) -> float:
    """The exact Jaccard similarity of two bodies' shingle sets (for measurement and tests)."""
    a, b = shingles(left), shingles(right)
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def signature(text: str) -> Signature | None:
    """The MinHash signature of ``text``, or None when it has no words."""
    parts = shingles(text)
    if not parts:
        return None
    digests = b"".join([hashlib.blake2b(s, digest_size=8).digest() for s in parts])
    hashed = np.frombuffer(digests, dtype="<u8")  # each digest as a little-endian integer
    # As datasketch does: a*x + b wraps at 2**64 before the reduction mod p, which mixes well
    # (a and b below p keep every permutation distinct).
    values = hashed & _MAX32
    minimum = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(values), _CHUNK):  # bounded memory for very long bodies
        mixed = np.outer(values[start : start + _CHUNK], _A)
        mixed += _B
        np.minimum(minimum, mod_prime(mixed).min(axis=0), out=minimum)
    return Signature((minimum & _MAX32).astype(np.uint32), len(parts))


def mod_prime(values: np.ndarray) -> np.ndarray:
    """``values % p`` for uint64 ``values`` and the Mersenne prime p = 2**61 - 1, without dividing.

    With x = h * 2**61 + l, x = h + l (mod p), and h + l <= 7 + p, so one subtraction of p where
    the sum reaches it leaves the remainder. Overwrites ``values``.
    """
    remainder = values & _PRIME
    values >>= np.uint64(61)
    remainder += values
    np.subtract(remainder, _PRIME, out=remainder, where=remainder >= _PRIME)
    return remainder
