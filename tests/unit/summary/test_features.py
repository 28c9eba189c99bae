"""The learned scorer's features and coefficients file, on handmade sentences."""

from dataclasses import replace

import numpy as np
import pytest

from worker.stages.summary.features import FEATURE_NAMES, sentence_features
from worker.stages.summary.model import default_scorer, scorer_from_dict, weights_digest

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
    without_lengths = {name: value for name, value in scorer.as_dict().items() if name != "lengths"}
    with pytest.raises(ValueError, match="lengths"):
        scorer_from_dict(without_lengths)


def test_the_shipped_version_names_its_weights() -> None:
    scorer = default_scorer()
    assert scorer.version.endswith("-" + weights_digest(scorer))
    nudged = replace(scorer, output_bias=scorer.output_bias + 0.001)
    assert weights_digest(nudged) != weights_digest(scorer)


def _caption_columns(text: str) -> tuple[float, float]:
    row = sentence_features([text], [True], np.eye(1), np.zeros(1), "", k=1)[0]
    return row[column("caption_label")], row[column("picture_reference")]


@pytest.mark.parametrize(
    ("text", "label", "picture"),
    [
        ("CLAIM: MP Jesse Norman is being investigated by police over claims", 1.0, 0.0),
        ("Long drop: The child dangles from the residential block", 1.0, 0.0),
        ("Fighter ace: Douglas Bader's story is to be told in a film", 1.0, 0.0),
        ("Tragic: ‘He was a lovely man,’ his widow said.", 1.0, 0.0),
        ("Pat, 69, pictured left in her fancy dress outfit, enjoys dancing", 0.0, 1.0),
        ("Daniel toasted his brother Adrian (right) and his new wife Sarah (left)", 0.0, 1.0),
        ("A student turned to sex work after her loan failed (picture posed by model)", 0.0, 1.0),
        ("Shocked: Terry Cooper said the badger burst through a hedge (stock image)", 1.0, 1.0),
        # a speech verb's colon, a colon later on, no colon: sentences, not captions
        ("He said: ‘We had no choice but to leave.’", 0.0, 0.0),
        ("Mr Smith told Reuters: “The deal is done.”", 0.0, 0.0),
        ("The minister gave one reason: Costs had doubled since 2019.", 0.0, 0.0),
        ("Officials imagined the scheme would pay for itself.", 0.0, 0.0),
        ("Warning: the bridge is closed.", 0.0, 0.0),  # the label's colon opens a lowercase clause
    ],
)
def test_caption_label_and_picture_reference(text: str, label: float, picture: float) -> None:
    assert _caption_columns(text) == (label, picture)
