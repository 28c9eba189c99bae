"""First names the entities stage knows, and how far apart two spellings are.

``first_names.txt`` beside this module is built by ``python -m bench.build_first_names`` from
Faker's person providers (every locale's first names in Latin letters; MIT licence), not from
any benchmark data. It tells a real name ("Mary") from a misspelling ("Paal").
"""

from functools import lru_cache
from pathlib import Path

_SOURCE = Path(__file__).with_name("first_names.txt")


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The case-folded first names of the vocabulary (read once per process)."""
    lines = _SOURCE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def is_first_name(word: str) -> bool:
    """Whether ``word`` (any case) is a first name the vocabulary knows."""
    return word.casefold() in first_names()


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (substitution, insertion, deletion, neighbour swap).

    Counting stops above ``limit``: any larger distance comes back as ``limit + 1``.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)
