"""The scorer's training code: the greedy ROUGE oracle and the small network."""

import numpy as np
import pytest

from bench.summary_oracle import lead_swap_oracle, oracle
from bench.summary_train import Example, Training, example_weights, fit_network, train


def test_the_oracle_takes_the_sentences_the_reference_says() -> None:
    sentences = [
        "Cats sleep all day.",
        "The council approved the new budget.",
        "Rain is expected.",
        "Taxes rise.",
    ]
    assert oracle(sentences, "The council approved a budget; taxes rise", 2) == [1, 3]
    assert oracle(sentences, "council budget", 3) == [1]  # stops when nothing more helps


def _accuracy(features: np.ndarray, labels: np.ndarray, training: Training) -> float:
    w1, b1, w2, b2 = fit_network(features, labels, np.ones(len(labels)), training)
    predicted = np.tanh(features @ w1 + b1) @ w2 + b2 > 0
    return float(np.mean(predicted == labels.astype(bool)))


def test_the_network_learns_an_interaction_a_linear_model_cannot() -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(400, 2))
    labels = (features[:, 0] * features[:, 1] > 0).astype(float)  # XOR of the signs
    assert _accuracy(features, labels, Training(hidden=8, epochs=600)) > 0.9
    assert _accuracy(features, labels, Training(hidden=1, epochs=600)) < 0.75


def test_training_is_reproducible() -> None:
    rng = np.random.default_rng(1)
    features = rng.normal(size=(50, 3))
    labels = (features[:, 0] > 0).astype(float)
    first = fit_network(features, labels, np.ones(50), Training(hidden=4, epochs=50))
    second = fit_network(features, labels, np.ones(50), Training(hidden=4, epochs=50))
    for a, b in zip(first, second, strict=True):
        assert np.array_equal(np.asarray(a), np.asarray(b))


def test_the_lead_swap_oracle_keeps_the_lead_unless_a_swap_beats_it() -> None:
    sentences = [
        "The council approved the new budget.",
        "Cats sleep all day.",
        "Rain is expected.",
        "Taxes rise.",
    ]
    assert lead_swap_oracle(sentences, "The council approved a budget; taxes rise", 2) == [0, 3]
    assert lead_swap_oracle(sentences, "Nothing here matches", 2) == [0, 1]  # nothing beats the lead
    assert lead_swap_oracle(sentences[:1], "council", 3) == [0]


def test_a_margin_keeps_the_lead_unless_a_swap_gains_that_much() -> None:
    sentences = ["The council met.", "Cats sleep all day.", "Taxes rise sharply."]
    reference = "The council met; taxes rise"
    assert lead_swap_oracle(sentences, reference, 2) == [0, 2]  # any gain moves the label
    assert lead_swap_oracle(sentences, reference, 2, margin=0.05) == [0, 2]  # a large gain still does
    assert lead_swap_oracle(sentences, reference, 2, margin=0.9) == [0, 1]  # no swap gains 0.9


def test_averaged_networks_are_one_network() -> None:
    rng = np.random.default_rng(2)
    features = rng.normal(size=(60, 3))
    labels = (features[:, 0] > 0).astype(float)
    examples = [
        Example("set", "A", features[i : i + 6], labels[i : i + 6], k=2 + i % 4) for i in range(0, 60, 6)
    ]
    single = [train(examples, Training(hidden=4, epochs=30, seed=s, seeds=1), "v") for s in (0, 1)]
    both = train(examples, Training(hidden=4, epochs=30, seed=0, seeds=2), "v")
    assert both.hidden_weights.shape == (3, 8)
    mean = (single[0].log_odds(features) + single[1].log_odds(features)) / 2
    assert np.allclose(both.log_odds(features), mean)
    assert both.lengths == (2, 4)  # the summary lengths the examples were labelled at
    assert [both.scoring_length(k) for k in (1, 2, 3, 4, 9)] == [2, 2, 3, 4, 4]


def test_each_set_weighs_one_split_between_its_own_length_and_the_others() -> None:
    def example(dataset: str, sentences: int, own: bool) -> Example:
        return Example(dataset, "A", np.zeros((sentences, 2)), np.zeros(sentences), 3, own)

    examples = [
        example("big", 4, True),
        example("big", 2, True),
        example("big", 4, False),
        example("small", 5, True),
    ]
    weights = example_weights(examples, budget_share=0.2)
    parts = np.split(weights, np.cumsum([len(e.labels) for e in examples])[:-1])
    assert [float(p.sum()) for p in parts] == pytest.approx([0.4, 0.4, 0.2, 1.0])
    assert weights[:4] == pytest.approx([0.1] * 4)  # an example's weight is shared by its sentences
    assert example_weights(examples)[6:10] == pytest.approx([0.0] * 4)  # no share: own lengths only
