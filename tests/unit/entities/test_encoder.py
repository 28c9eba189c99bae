"""The fused token encoders give thinc's vectors bit for bit, with the real English and French models."""

import json
from functools import partial
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
from pydantic import ValidationError
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Linear, Model, chain

import worker.encoder
from worker.config import Settings
from worker.encoder import Encoder, encoder_of, encoders, networks, use_fused_encoders
from worker.nlp import load_nlp, nlp_for

ROOT = Path(__file__).resolve().parents[3]

# Written for these tests: one token, runs of whitespace and blank lines, digits, symbols, a word
# longer than any in the tables, a text in a caseless script, a long sentence with names.
TEXTS = (
    "London",
    "  \n\n  Paris  \n\n\n  Tokyo  ",
    "He called John\n\nSmith said the deal was worth $4.5 billion, or 12% of Acme Corp.'s revenue.",
    "Pneumonoultramicroscopicsilicovolcanoconiosis!!! ... ??? #hashtag @handle http://example.org/x?y=1",
    "東京で会議が開かれた。",
    "Shares of Apple Inc. rose 3 per cent in early trading in San Francisco, the company said,"
    " after Tim Cook told CNBC that the iPhone 15 would ship to 40 countries by Christmas Day.",
)


def _encoders(nlp: Language) -> list[Model[Any, Any]]:
    """The nodes of ``nlp``'s networks that ``encoder_of`` reads as token encoders."""
    return [encoder.model for encoder in encoders(nlp)]


@pytest.fixture(scope="module", params=["en", "fr"])
def thinc_nlp(request: pytest.FixtureRequest) -> Language:
    """A pipeline as the stage loads it, its encoders left to thinc's layers."""
    language: str = request.param
    model = Settings().model_for(language)
    assert model is not None
    return load_nlp(model, encoder="thinc")


def _texts(language: str) -> list[str]:
    """``TEXTS``, the seed article and the tests' sample text in ``language`` when there is one."""
    samples = json.loads((ROOT / "tests" / "data" / "languages.json").read_text(encoding="utf-8"))
    seeds = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))]
    return [*TEXTS, *seeds, *([samples[language]] if language in samples else [])]


def _same(left: list[np.ndarray], right: list[np.ndarray]) -> bool:
    """The same arrays: dtypes, shapes and every value (bit for bit: no tolerance)."""
    pairs = zip(left, right, strict=True)
    return len(left) == len(right) and all(
        a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b) for a, b in pairs
    )


def _entities(doc: Doc) -> list[tuple[int, int, str]]:
    return [(e.start, e.end, e.label_) for e in doc.ents]


def test_both_encoders_of_each_model_are_read_and_give_thincs_vectors(thinc_nlp: Language) -> None:
    nodes = _encoders(thinc_nlp)
    assert len(nodes) == 2  # the sentence recogniser's and the entity recogniser's
    language = str(thinc_nlp.lang)
    docs = [thinc_nlp.make_doc(text) for text in _texts(language)]
    for node in nodes:
        encoder = encoder_of(node)
        assert isinstance(encoder, Encoder)
        for doc in docs:
            assert _same(encoder([doc]), node.predict([doc])), doc.text
        assert _same(encoder(docs), node.predict(docs))  # a batch: padding between documents


def test_the_loaded_pipeline_runs_them_and_reads_every_text_as_thincs_does(thinc_nlp: Language) -> None:
    model = Settings().model_for(str(thinc_nlp.lang))
    assert model is not None
    fused = load_nlp(model)
    assert fused is not thinc_nlp
    assert _encoders(fused) == []  # each now runs as one function
    for text in _texts(str(thinc_nlp.lang)):
        ours, theirs = fused(text), thinc_nlp(text)
        assert _entities(ours) == _entities(theirs)
        assert [s.start for s in ours.sents] == [s.start for s in theirs.sents]


def test_an_empty_document_training_and_a_copied_model_go_through_thinc(
    thinc_nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = _encoders(thinc_nlp)[-1]
    original = node._func
    calls: list[int] = []
    real_call = Encoder.__call__

    def counted(self: Encoder, docs: list[Doc]) -> list[np.ndarray]:
        calls.append(len(docs))
        return real_call(self, docs)

    monkeypatch.setattr(Encoder, "__call__", counted)
    try:
        use_fused_encoders(thinc_nlp)
        docs = [thinc_nlp.make_doc("Angela Merkel spoke."), thinc_nlp.make_doc("")]
        assert _same(node.predict(docs), original(node, docs, is_train=False)[0])
        assert calls == []  # an empty document in the batch: thinc's layers
        _, backprop = node(docs[:1], is_train=True)
        assert calls == [] and callable(backprop)
        copied = node.copy()
        assert copied.predict(docs[:1])[0].shape == node.predict(docs[:1])[0].shape
        assert calls == [1]  # only the original ran fused; the copy went through thinc
        assert use_fused_encoders(thinc_nlp) == 0  # once per node
    finally:
        for each in networks(thinc_nlp):  # the pipeline is the module's: back to thinc's layers
            if getattr(each._func, "func", None) is worker.encoder._fused_forward:
                each._func = cast("partial[Any]", each._func).args[1]
    assert len(_encoders(thinc_nlp)) == 2


def test_another_network_is_not_read_as_an_encoder() -> None:
    assert encoder_of(Linear(4, 3)) is None
    assert encoder_of(chain(Linear(4, 3), Linear(3, 4))) is None


def test_the_setting_picks_the_encoders_of_the_stages_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_ENCODER", "thinc")
    settings = Settings()
    assert settings.encoder == "thinc"
    assert nlp_for(settings, "en") is load_nlp(settings.spacy_model, encoder="thinc")
    assert nlp_for(Settings(encoder="fused"), "en") is load_nlp(settings.spacy_model)
    monkeypatch.setenv("NEWSFLOW_ENCODER", "jit")
    with pytest.raises(ValidationError):
        Settings()
