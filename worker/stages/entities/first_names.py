"""First names the entities stage knows, and how far apart two spellings are.

``first_names.txt`` beside this module is built by ``python -m bench.build_first_names`` from
Faker's person providers (every locale's first names in Latin letters, each with the number of
locales that list it; MIT licence), not from any benchmark data. A first name the stage knows
is one listed by at least ``MIN_LOCALES`` locales: a widespread name ("Mary", "Michel"), not a
spelling that one country uses and a typo also makes ("Alica" for "Alicia", "Mik" for "Mike").
"""

from functools import lru_cache
from pathlib import Path

_SOURCE = Path(__file__).with_name("first_names.txt")
MIN_LOCALES = 3
MIN_LENGTH = 3
LONG_NAME = 8  # from this length two edits are allowed


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The case-folded first names of the vocabulary (read once per process)."""
    names = []
    for line in _SOURCE.read_text(encoding="utf-8").splitlines():
        name, _, locales = line.partition(" ")
        if name and not name.startswith("#") and int(locales) >= MIN_LOCALES:
            names.append(name)
    return frozenset(names)


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


def near_spelling(a: str, b: str) -> bool:
    """Whether two different first names (case-folded) could be one name misspelt.

    The same first letter, then one edit apart (two when the longer has eight letters or more).
    """
    if a == b or min(len(a), len(b)) < MIN_LENGTH or a[0] != b[0]:
        return False
    limit = 2 if max(len(a), len(b)) >= LONG_NAME else 1
    return edit_distance(a, b, limit) <= limit
