"""The learned scorer's features and coefficients file, on handmade sentences."""

import numpy as np
import pytest

from worker.stages.summary.features import FEATURE_NAMES, sentence_features
from worker.stages.summary.model import default_scorer, scorer_from_dict

TEXTS = [
    "The central bank raised interest rates on Tuesday.",
    "“We had no choice,” the governor said.",
    "Markets fell after the bank raised rates?",
    "Prime Minister John Smith and Finance Minister Jane Doe at the Treasury in London",
]


def _features(title: str = "Bank raises rates", k: int = 2) -> np.ndarray:
    n = len(TEXTS)
    similarity = np.eye(n) + 0.1
    return sentence_features(
        TEXTS, [True, False, True, False], similarity, np.array([0.0, 0.0, 1.0, 0.5]), title, k=k
    )


def column(name: str) -> int:
    return FEATURE_NAMES.index(name)


def test_one_row_per_sentence_and_one_column_per_feature() -> None:
    assert _features().shape == (len(TEXTS), len(FEATURE_NAMES))
    assert sentence_features([], [], np.zeros((0, 0)), np.zeros(0), "", k=3).shape == (0, len(FEATURE_NAMES))


def test_position_quotation_and_caption_features() -> None:
    features = _features()
    assert list(features[:, column("first")]) == [1.0, 0.0, 0.0, 0.0]
    assert list(features[:, column("paragraph_start")]) == [1.0, 0.0, 1.0, 0.0]
    assert np.all(np.diff(features[:, column("log_position")]) > 0)
    assert list(features[:, column("opens_with_quote")]) == [0.0, 1.0, 0.0, 0.0]
    assert features[1, column("quoted_share")] > 0.3
    assert list(features[:, column("question")]) == [0.0, 0.0, 1.0, 0.0]
    assert list(features[:, column("no_final_punctuation")]) == [0.0, 0.0, 0.0, 1.0]
    assert features[3, column("capitalised_share")] > 0.6 > features[0, column("capitalised_share")]
    assert features[0, column("title_overlap")] > 0 == features[1, column("title_overlap")]


def test_the_ratio_scales_the_position_terms() -> None:
    few, many = _features(k=1), _features(k=4)
    name = "log_position_x_ratio"
    assert many[3, column(name)] == pytest.approx(4 * few[3, column(name)])


def test_the_shipped_scorer_loads_and_refuses_other_features() -> None:
    scorer = default_scorer()
    assert scorer.hidden_weights.shape[0] == len(FEATURE_NAMES) == scorer.mean.shape[0]
    assert scorer.log_odds(_features()).shape == (len(TEXTS),)
    with pytest.raises(ValueError, match="other features"):
        scorer_from_dict({**scorer.as_dict(), "features": ["first"]})
