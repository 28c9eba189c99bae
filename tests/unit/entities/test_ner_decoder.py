"""The vectorised NER decoder sets exactly the entities spaCy's own decoding sets, with the real models."""

import json
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

import worker.ner_decoder
from worker.config import Settings
from worker.ner_decoder import COMPONENT, MAX_ROUNDS, supports
from worker.nlp import load_nlp, nlp_for

DATA = Path(__file__).resolve().parents[2] / "data"

# Written for these tests: names and numbers next to sentence and paragraph breaks, runs of
# whitespace, entities at the very start and end, a name cut by a line break, a long sentence.
TEXTS = (
    "",
    "London",
    "   ",
    "\n\n",
    "Barack Obama",
    "Angela Merkel met Emmanuel Macron in Berlin on Tuesday, October 3, 2023.",
    "He called John\n\nSmith said the deal was worth $4.5 billion, or 12% of Acme Corp.'s revenue.",
    "The United\nNations met in New York. New York City Mayor Eric Adams spoke first.\n\nThe end.",
    "  \n\n  Paris  \n\n\n  Tokyo  ",
    "Shares of Apple Inc. rose 3 per cent in early trading in San Francisco, the company said,"
    " after Tim Cook told CNBC that the iPhone 15 would ship to 40 countries by Christmas Day."
    " The World Health Organization, the Red Cross and the European Central Bank were not asked.",
    "Visit the Museum of Modern Art",
)


def _entities(doc: Doc) -> tuple[list[tuple[int, int, str]], list[int]]:
    return [(e.start, e.end, e.label_) for e in doc.ents], [token.ent_iob for token in doc]


def _pairs(model: str) -> tuple[Language, Language]:
    return load_nlp(model, "spacy"), load_nlp(model, "vectorised")


@pytest.fixture(scope="module")
def english() -> tuple[Language, Language]:
    return _pairs(Settings().spacy_model)


def test_the_loaded_pipeline_decodes_with_it_and_spacy_can_be_chosen(
    english: tuple[Language, Language],
) -> None:
    spacy_nlp, ours = english
    assert ours.pipe_names == ["senter", "paragraph_boundaries", COMPONENT]
    assert "ner" in ours.disabled  # its weights are the decoder's
    assert spacy_nlp.pipe_names == ["senter", "paragraph_boundaries", "ner"]
    assert nlp_for(Settings(ner_decoder="spacy"), "en") is spacy_nlp
    assert nlp_for(Settings(), "en") is ours


def test_the_same_entities_as_spacy_one_document_at_a_time(
    english: tuple[Language, Language], seed_text: str
) -> None:
    spacy_nlp, ours = english
    found = 0
    for text in (*TEXTS, seed_text):
        expected, got = _entities(spacy_nlp(text)), _entities(ours(text))
        assert got == expected, text
        found += len(expected[0])
    assert found > 30  # the comparison is about real entities


def test_the_same_entities_as_spacy_in_a_batch(english: tuple[Language, Language], seed_text: str) -> None:
    spacy_nlp, ours = english
    texts = [*TEXTS, seed_text, *reversed(TEXTS)]
    expected = [_entities(doc) for doc in spacy_nlp.pipe(texts, batch_size=8)]
    assert [_entities(doc) for doc in ours.pipe(texts, batch_size=8)] == expected


def test_the_french_model_gives_the_same_entities_as_spacy() -> None:
    spacy_nlp, ours = _pairs(Settings().spacy_models["fr"])
    samples = json.loads((DATA / "languages.json").read_text(encoding="utf-8"))
    for text in (samples["fr"], *TEXTS):
        assert _entities(ours(text)) == _entities(spacy_nlp(text))
    assert ours(samples["fr"]).ents


def test_a_document_with_entities_already_set_keeps_spacys_rules(english: tuple[Language, Language]) -> None:
    spacy_nlp, ours = english
    text = "Barack Obama met Angela Merkel in Berlin."

    def preset(nlp: Language, component: str) -> Doc:
        doc = nlp.make_doc(text)
        for name, pipe in nlp.pipeline:
            if name != component:
                doc = pipe(doc)
        doc.set_ents([Span(doc, 3, 5, label="ORG")], default="unmodified")  # "Angela Merkel"
        return nlp.get_pipe(component)(doc)

    expected, got = preset(spacy_nlp, "ner"), preset(ours, COMPONENT)
    assert _entities(got) == _entities(expected)
    assert ("Angela Merkel", "ORG") in [(e.text, e.label_) for e in got.ents]


def test_only_a_greedy_recogniser_is_decoded_here(english: tuple[Language, Language]) -> None:
    spacy_nlp, _ = english
    assert supports(spacy_nlp.get_pipe("ner"))
    blank = spacy.blank("en")
    beam = blank.add_pipe("beam_ner")
    ruler = blank.add_pipe("entity_ruler")
    assert not supports(beam)
    assert not supports(ruler)
    with pytest.raises(ValueError, match="greedy"):
        blank.add_pipe(COMPONENT, config={"source": "beam_ner"})


def test_an_entity_longer_than_the_rounds_goes_to_spacys_decoding(english: tuple[Language, Language]) -> None:
    spacy_nlp, ours = english
    text = "Bank of America Merrill Lynch Global Research " * 8  # one entity of 56 tokens
    expected = _entities(spacy_nlp(text))
    assert max(end - start for start, end, _ in expected[0]) > MAX_ROUNDS
    assert _entities(ours(text)) == expected


def test_the_fallback_gives_spacys_entities(
    english: tuple[Language, Language], seed_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spacy_nlp, ours = english
    monkeypatch.setattr(worker.ner_decoder, "MAX_ROUNDS", 1)  # every multi-token entity falls back
    for text in (*TEXTS, seed_text):
        assert _entities(ours(text)) == _entities(spacy_nlp(text))
