"""Per-sentence evidence the scorer reads: LexRank centrality, the entities a sentence names, quotes."""

from bisect import bisect_right
from dataclasses import asdict, dataclass

import numpy as np

from schemas.entities import Entity
from worker.stages.summary.graph import pagerank


@dataclass(frozen=True)
class ScoringParams:
    """The selection's tunables: one configuration for all news (the scorer's weights are learned)."""

    redundancy: float = 0.7  # a candidate this similar (cosine) to a chosen one is skipped
    # Log-odds added to the first k candidates: a non-lead sentence replaces a lead one only when
    # the scorer prefers it by this much. A hedge for news unlike the training sets, where the
    # opening is the safest bet (python -m bench.summary_crossfit --lead-bonus 0 0.25 0.5 measures it).
    lead_bonus: float = 0.25

    def as_params(self) -> dict[str, float | int | str]:
        """The parameters as recorded in the result."""
        return dict(asdict(self))


_QUOTE_OPEN = "\"“‘'"


def centrality(similarity: np.ndarray, damping: float = 0.85) -> np.ndarray:
    """LexRank centrality scaled so the mean sentence scores 1.

    Self-loops are dropped: with them a sentence unlike any other keeps its share of the walk.
    """
    n = similarity.shape[0]
    uniform = np.full(n, 1.0 / n)
    return np.asarray(pagerank(similarity, uniform, damping, self_loops=False) * n)


def entity_mass(spans: list[tuple[int, int]], entities: tuple[Entity, ...]) -> np.ndarray:
    """Per sentence, the salience of the distinct entities it mentions, scaled to max 1."""
    starts = [start for start, _ in spans]
    mass = [0.0] * len(spans)
    for entity in entities:
        seen: set[int] = set()
        for mention in entity.mentions:
            index = bisect_right(starts, mention.start) - 1
            if 0 <= index < len(spans) and mention.end <= spans[index][1] and index not in seen:
                seen.add(index)
                mass[index] += entity.salience
    shares = np.array(mass)
    peak = shares.max(initial=0.0)
    return shares / peak if peak > 0 else shares


def is_quote(text: str) -> bool:
    """A sentence that opens with a quotation mark: mostly someone's words, not the news."""
    return bool(text) and text[0] in _QUOTE_OPEN
