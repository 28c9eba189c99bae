"""Per-sentence evidence for the summariser: centrality, position, entities, length, quotes.

Each feature is a multiplicative factor; their product is the sentence's score. The position
prior's strength follows the compression ratio k / n: when few of many sentences are kept
(wire stories) the opening carries the news and the prior is steep; when a large share is kept
the prior flattens and centrality decides.
"""

from dataclasses import asdict, dataclass

import numpy as np

from schemas.entities import Entity
from worker.stages.summary.graph import pagerank


@dataclass(frozen=True)
class ScoringParams:
    """The summariser's tunables: one configuration for all news."""

    damping: float = 0.85
    centrality_power: float = 1.0
    position_power: float = 1.0  # steepness of (i + 1) ** -power when k / n is near 0
    ratio_scale: float = 0.15  # the prior vanishes once k / n reaches this ratio
    position_floor: float = 0.0  # share of the prior's steepness kept at any ratio
    entity_weight: float = 0.2  # bonus for naming the article's salient entities
    length_power: float = 0.0  # weight of (words / mean words) ** power
    long_words: int = 100  # sentences longer than this are penalised in proportion
    quote_factor: float = 0.9  # mild demotion of a sentence that opens with a quotation mark
    redundancy: float = 0.7  # a candidate this similar (cosine) to a chosen one is skipped

    def as_params(self) -> dict[str, float | int | str]:
        """The parameters as recorded in the result."""
        return dict(asdict(self))


_QUOTE_OPEN = "\"“‘'"


def centrality(similarity: np.ndarray, damping: float) -> np.ndarray:
    """LexRank centrality scaled so the mean sentence scores 1.

    Self-loops are dropped: with them a sentence unlike any other keeps its share of the walk.
    """
    n = similarity.shape[0]
    uniform = np.full(n, 1.0 / n)
    return np.asarray(pagerank(similarity, uniform, damping, self_loops=False) * n)


def position_prior(n: int, k: int, params: ScoringParams) -> np.ndarray:
    """``(i + 1) ** -gamma`` with gamma falling linearly to the floor as k / n grows to ``ratio_scale``."""
    ratio = min(k, n) / max(n, 1)
    steep = max(0.0, 1.0 - ratio / params.ratio_scale)
    gamma = params.position_power * (params.position_floor + (1.0 - params.position_floor) * steep)
    return np.asarray(np.arange(1, n + 1, dtype=float) ** -gamma)


def entity_mass(spans: list[tuple[int, int]], entities: tuple[Entity, ...]) -> np.ndarray:
    """Per sentence, the salience of the distinct entities it mentions, scaled to max 1."""
    starts = np.array([start for start, _ in spans])
    mass = np.zeros(len(spans))
    for entity in entities:
        seen: set[int] = set()
        for mention in entity.mentions:
            index = int(np.searchsorted(starts, mention.start, side="right")) - 1
            if 0 <= index < len(spans) and mention.end <= spans[index][1] and index not in seen:
                seen.add(index)
                mass[index] += entity.salience
    peak = mass.max(initial=0.0)
    return mass / peak if peak > 0 else mass


def is_quote(text: str) -> bool:
    """A sentence that opens with a quotation mark: mostly someone's words, not the news."""
    return bool(text) and text[0] in _QUOTE_OPEN


def sentence_scores(
    texts: list[str],
    word_counts: list[int],
    similarity: np.ndarray,
    entity_share: np.ndarray,
    *,
    k: int,
    params: ScoringParams,
) -> np.ndarray:
    """The product of the factors for each sentence (higher is better)."""
    n = len(texts)
    scores = centrality(similarity, params.damping) ** params.centrality_power
    scores = scores * position_prior(n, k, params)
    scores = scores * (1.0 + params.entity_weight * entity_share)
    lengths = np.maximum(np.array(word_counts, dtype=float), 1.0)
    scores = scores * (lengths / lengths.mean()) ** params.length_power
    scores = scores * np.minimum(1.0, params.long_words / lengths)
    quotes = np.array([params.quote_factor if is_quote(t) else 1.0 for t in texts])
    return np.asarray(scores * quotes)
