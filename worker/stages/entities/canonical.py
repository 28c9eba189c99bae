"""Merging mentions into canonical entities: one entity per thing the article names.

Mentions first group by a normalised key (case, dots and spacing do not matter). Groups then
merge by three rules, each only when the match is unique, so ambiguous cases stay apart:

- acronyms and short forms: "U.N." / "UN" join "United Nations", "US" joins "United States";
- misspelt first names: two person names with the same other words whose first names differ
  by one edit (two for names of eight letters or more, the first letter kept) merge when the
  rarer spelling is not a first name the vocabulary knows ("Paal Tucker" joins "Paul Tucker")
  or is far rarer in the article; "Mark Smith" and "Mary Smith" stay apart;
- near-miss spellings of another word of a person's name: one edit inside a word of six
  letters or more with equal ends, the other words equal;
- partial names of a person: "Putin" joins "Vladimir Putin", "Kim" joins "Kim Jong Un", unless
  two different full names share that part (two Kims stay apart);
- a compass word for a place ("the North") joins the one place named with it ("North Korea");
  other parts of place names never do ("Sudan" is not "South Sudan").
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from worker.stages.entities.first_names import is_first_name, near_spelling
from worker.stages.entities.mentions import PLACE_LABELS, RawMention
from worker.stages.entities.spans import entity_key

_CONNECTORS = frozenset({"of", "the", "and", "for", "&", "de", "du", "des", "la", "le", "del", "von", "van"})
_COMPASS = frozenset({"north", "south", "east", "west"})
MIN_NEAR_MISS_LENGTH = 6
MAX_GROUPS_COMPARED = 400  # bounds the pairwise near-miss pass on pathological inputs
FAR_RARER = 3  # a spelling this many times rarer is a slip even when it is a real name


@dataclass
class Cluster:
    """The mentions of one canonical entity.

    ``label`` and ``name`` are worked out on first use and kept: read them once the cluster is
    complete (``cluster_mentions`` returns complete clusters).
    """

    mentions: list[RawMention] = field(default_factory=list)
    known: Callable[[str], bool] = lambda word: False  # is a word a spelling the model knows

    @property
    def first(self) -> int:
        """Where the entity is first mentioned."""
        return min(m.start for m in self.mentions)

    @cached_property
    def label(self) -> str:
        """The label most mentions carry; a tie goes to the label of the longest mention."""
        return vote(self.mentions)

    @cached_property
    def name(self) -> str:
        """The fullest proper form.

        Most words first; then most words spelled as the model's vocabulary knows them (so
        "Vladimir Putin" beats "Vladimar Putin"), most frequent, from a clean span, earliest.
        """
        forms = Counter(m.text for m in self.mentions)
        clean = {m.text for m in self.mentions if not m.split}
        first_seen = {m.text: m.start for m in sorted(self.mentions, key=lambda m: -m.start)}

        def rank(form: str) -> tuple[int, int, int, bool, int]:
            words = form.split()
            known = sum(self.known(word) for word in words)
            return (len(words), known, forms[form], form in clean, -first_seen[form])

        return max(forms, key=rank)

    @property
    def aliases(self) -> tuple[str, ...]:
        """Every other surface form, sorted."""
        name = self.name
        return tuple(sorted({m.text for m in self.mentions} - {name}))


def vote(mentions: list[RawMention]) -> str:
    """The majority label of ``mentions``; ties go to the label of the longest mention."""
    labels = Counter(m.label for m in mentions)
    best = max(labels.values())
    tied = {label for label, n in labels.items() if n == best}
    return max((m for m in mentions if m.label in tied), key=lambda m: (len(m.text), -m.start)).label


class _UnionFind:
    def __init__(self, keys: list[str]) -> None:
        self.parent = {key: key for key in keys}

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, child: str, parent: str) -> None:
        self.parent[self.find(child)] = self.find(parent)


def _initials(key: str) -> str:
    return "".join(word[0] for word in key.split() if word not in _CONNECTORS)


def _looks_like_acronym(mentions: list[RawMention]) -> bool:
    return any(
        sum(ch.isupper() for ch in m.text) >= 2 and not any(ch.islower() for ch in m.text) for m in mentions
    )


def near_miss(a: str, b: str) -> bool:
    """One substitution, insertion, deletion or swap inside two long words with equal ends."""
    if a == b or min(len(a), len(b)) < MIN_NEAR_MISS_LENGTH or a[0] != b[0] or a[-1] != b[-1]:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(1, len(long) - 1))


def _merge_acronyms(groups: dict[str, list[RawMention]], labels: dict[str, str], sets: _UnionFind) -> None:
    long_forms: dict[str, set[str]] = {}
    for key in groups:
        if len(key.split()) >= 2 and labels[key] != "PERSON":
            long_forms.setdefault(_initials(key), set()).add(key)
    for key, mentions in groups.items():
        if " " in key or not 2 <= len(key) <= 6 or labels[key] == "PERSON":
            continue
        if not _looks_like_acronym(mentions):
            continue
        candidates = {sets.find(k) for k in long_forms.get(key, set())}
        if len(candidates) == 1:
            sets.union(key, candidates.pop())


def first_name_slip(a: str, b: str, count_a: int, count_b: int) -> bool:
    """Whether first names ``a`` and ``b`` (seen ``count_a`` and ``count_b`` times) are one name.

    They must differ by one edit (two when the longer has eight letters or more) after the same
    first letter; then the rarer spelling must be unknown as a first name, or far rarer.
    """
    if not near_spelling(a, b):
        return False
    if count_a * FAR_RARER <= count_b or count_b * FAR_RARER <= count_a:
        return True
    rarer = [w for w, n in ((a, count_a), (b, count_b)) if n == min(count_a, count_b)]
    return any(not is_first_name(word) for word in rarer)


def _merge_near_misses(groups: dict[str, list[RawMention]], votes: dict[str, str], sets: _UnionFind) -> None:
    """Misspelt names of a person; the misspelt one may carry another label ("Tonuy Blair": ORG)."""
    labels = {key: label for key, label in votes.items() if " " in key}
    surnames = {key.split()[-1] for key, label in labels.items() if label == "PERSON"}
    full = [key.split() for key in labels if key.split()[-1] in surnames][:MAX_GROUPS_COMPARED]
    counts = {key: len(groups[key]) for key in labels}
    full.sort(key=lambda words: -counts[" ".join(words)])  # the commoner spelling is the parent
    for i, a in enumerate(full):
        for b in full[i + 1 :]:
            if len(a) != len(b) or "PERSON" not in (labels[" ".join(a)], labels[" ".join(b)]):
                continue
            differing = [k for k, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
            if len(differing) != 1:
                continue
            k = differing[0]
            key_a, key_b = " ".join(a), " ".join(b)
            if k == 0:
                same = first_name_slip(a[0], b[0], counts[key_a], counts[key_b])
            else:
                same = near_miss(a[k], b[k])
            if same:
                sets.union(key_b, key_a)


def _merge_partial_names(persons: list[str], sets: _UnionFind) -> None:
    # every leading and trailing run of words of a longer name -> the names it starts or ends
    parts: dict[tuple[str, ...], set[str]] = {}
    for key in persons:
        words = tuple(key.split())
        for size in range(1, len(words)):
            parts.setdefault(words[:size], set()).add(key)
            parts.setdefault(words[-size:], set()).add(key)
    for key in persons:
        candidates = {sets.find(full) for full in parts.get(tuple(key.split()), set())}
        if len(candidates) == 1:
            sets.union(key, candidates.pop())


def _merge_compass_short_forms(labels: dict[str, str], sets: _UnionFind) -> None:
    places = [key for key, label in labels.items() if label in PLACE_LABELS]
    for key in places:
        if key not in _COMPASS:
            continue
        candidates = {sets.find(other) for other in places if other.split()[0] == key and other != key}
        if len(candidates) == 1:
            sets.union(key, candidates.pop())


def cluster_mentions(
    mentions: list[RawMention], known: Callable[[str], bool] = lambda word: False
) -> list[Cluster]:
    """Merge ``mentions`` into clusters, one per canonical entity, in order of first mention.

    ``known`` tells whether a word is a spelling the model knows; it only picks canonical names.
    """
    groups: dict[str, list[RawMention]] = {}
    for mention in mentions:
        groups.setdefault(entity_key(mention.text), []).append(mention)
    sets = _UnionFind(list(groups))
    labels = {key: vote(group) for key, group in groups.items()}  # each group's vote, once
    _merge_acronyms(groups, labels, sets)
    _merge_compass_short_forms(labels, sets)
    persons = [key for key, label in labels.items() if label == "PERSON"]
    _merge_near_misses(groups, labels, sets)
    _merge_partial_names(persons, sets)
    clusters: dict[str, Cluster] = {}
    for key, group in groups.items():
        clusters.setdefault(sets.find(key), Cluster(known=known)).mentions.extend(group)
    for cluster in clusters.values():
        cluster.mentions.sort(key=lambda m: m.start)
    return sorted(clusters.values(), key=lambda c: c.first)
