"""The learned sentence scorer: a small neural network over ``features.FEATURE_NAMES``.

One hidden layer of tanh units over the standardised features, one logistic output: a sentence's
log-odds of being in the ROUGE oracle summary of the development sets' tuning halves that a local
search from the first k sentences reaches (the "beat the lead" labels of ``bench/summary_oracle``);
several trained networks averaged are stored as one, their hidden units side by side. Its
weights ship inside the package (``scorer.json``, written by ``python -m bench.summary_train``), so
nothing is downloaded at run time, and scoring an article is two small matrix products.
"""

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from worker.stages.summary.features import FEATURE_NAMES

SCORER_FILE = Path(__file__).with_name("scorer.json")


@dataclass(frozen=True)
class Scorer:
    """Standardisation, hidden layer and output of the network, inputs in ``FEATURE_NAMES`` order."""

    mean: np.ndarray  # (features,)
    scale: np.ndarray  # (features,)
    hidden_weights: np.ndarray  # (features, hidden)
    hidden_bias: np.ndarray  # (hidden,)
    output_weights: np.ndarray  # (hidden,)
    output_bias: float
    version: str
    # The shortest and longest summary lengths k its training examples were labelled at: the
    # features hold k / n, and at a k outside these the network would extrapolate (at k=1 it
    # preferred short lines to the opening sentence), so ``scoring_length`` keeps k within them.
    lengths: tuple[int, int]

    def scoring_length(self, k: int) -> int:
        """The summary length the features are computed at for a summary of ``k`` sentences."""
        return min(max(k, self.lengths[0]), self.lengths[1])

    def log_odds(self, features: np.ndarray) -> np.ndarray:
        """Each row's log-odds of being an oracle sentence."""
        if features.shape[0] == 0:
            return np.zeros(0)
        hidden = np.tanh(((features - self.mean) / self.scale) @ self.hidden_weights + self.hidden_bias)
        return np.asarray(hidden @ self.output_weights + self.output_bias)

    def as_dict(self) -> dict[str, Any]:
        """The file's content for these weights (the training script adds its provenance)."""

        def rounded(values: np.ndarray) -> Any:
            return np.round(values, 7).tolist()

        return {
            "features": list(FEATURE_NAMES),
            "mean": rounded(self.mean),
            "scale": rounded(self.scale),
            "hidden_weights": rounded(self.hidden_weights),
            "hidden_bias": rounded(self.hidden_bias),
            "output_weights": rounded(self.output_weights),
            "output_bias": round(float(self.output_bias), 7),
            "version": self.version,
            "lengths": list(self.lengths),
        }


def scorer_from_dict(data: dict[str, Any]) -> Scorer:
    """A Scorer from the file's content; refuses weights trained on another feature list."""
    if data.get("features") != list(FEATURE_NAMES):
        raise ValueError("scorer.json was trained on other features; run python -m bench.summary_train")
    arrays = {
        name: np.array(data[name], dtype=float)
        for name in ("mean", "scale", "hidden_weights", "hidden_bias", "output_weights")
    }
    if "lengths" not in data:
        raise ValueError("scorer.json lacks the lengths it was trained at; run python -m bench.summary_train")
    shortest, longest = (int(k) for k in data["lengths"])
    return Scorer(
        **arrays,
        output_bias=float(data["output_bias"]),
        version=str(data["version"]),
        lengths=(shortest, longest),
    )


def weights_digest(scorer: Scorer) -> str:
    """Eight hex digits of a hash of everything but the version: the training script ends the
    version with it, so results name the weights that scored them."""
    content = {name: value for name, value in scorer.as_dict().items() if name != "version"}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:8]


@lru_cache(maxsize=1)
def default_scorer() -> Scorer:
    """The shipped scorer, read once per process."""
    return scorer_from_dict(json.loads(SCORER_FILE.read_text(encoding="utf-8")))
