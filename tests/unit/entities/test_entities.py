"""The entities stage: exact offsets, clean spans, grouping; with the real model and a rule-based one."""

import pytest
import spacy
from spacy.language import Language

from schemas import CleanArticle, RawArticle
from worker.config import Settings
from worker.nlp import load_nlp
from worker.stages.clean import clean
from worker.stages.entities import analyse, spans
from worker.stages.entities.spans import chunk_text, entity_key, parseable, trim_span


def _article(text: str) -> CleanArticle:
    return clean(RawArticle(text=text), Settings())


@pytest.fixture(scope="module")
def ruler_nlp() -> Language:
    """A blank English pipeline with an entity_ruler: fast and deterministic."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {"label": "PERSON", "pattern": "Ada Lovelace"},
            {"label": "PERSON", "pattern": "Lovelace"},
            {"label": "GPE", "pattern": [{"LOWER": "the"}, {"TEXT": "United"}, {"TEXT": "States"}]},
            {"label": "GPE", "pattern": "United States"},
            {"label": "ORG", "pattern": "U.N."},
            {"label": "ORG", "pattern": "UN"},
            {"label": "DATE", "pattern": "Monday"},
        ]
    )
    nlp.meta.update({"name": "ruler_test", "version": "0.0.1"})
    return nlp


def test_offsets_index_the_text_and_groups_merge_normalised_forms(ruler_nlp: Language) -> None:
    text = (
        "Ada Lovelace wrote to the United States on Monday. The United States answered Lovelace’s letter.\n\n"
        "Lovelace thanked the U.N. and the UN."
    )
    result = analyse(_article(text), ruler_nlp)
    by_name = {e.name: e for e in result.entities}
    for entity in result.entities:
        for mention in entity.mentions:
            assert result.text[mention.start : mention.end] == mention.text
    assert by_name["Ada Lovelace"].count == 3  # "Lovelace’s" lost its possessive and joined her
    assert by_name["Ada Lovelace"].aliases == ("Lovelace",)
    assert by_name["United States"].count == 2  # "the United States" and "The United States"
    assert {m.text for m in by_name["United States"].mentions} == {"United States"}
    assert by_name["U.N."].aliases == ("UN",)  # dots do not split a group
    assert "Monday" not in by_name  # dates are not entities of the article
    assert [s.start for s in result.sentences][:3] == [0, 51, result.text.index("Lovelace thanked")]
    assert result.model.name == "en_ruler_test"
    saliences = [e.salience for e in result.entities]
    assert saliences == sorted(saliences, reverse=True) and all(0 <= s <= 1 for s in saliences)


SEED_PEOPLE = {"Vladimir Putin", "Kim Jong Un", "Xi Jinping"}
SEED_PLACES = {
    "North Korea", "Russia", "Pyongyang", "China", "Moscow", "Ukraine", "United States",
    "Seoul", "Tokyo", "Washington", "Brussels", "Beijing",
}  # fmt: skip
SEED_ORGS = {"KCNA", "RIA", "U.N. Security Council"}  # "news agency RIA": named by its role


def test_seed_with_the_real_model(seed_text: str) -> None:
    nlp = load_nlp(Settings().spacy_model)
    assert set(nlp.pipe_names) >= {"senter", "vectorised_ner"} and "lemmatizer" not in nlp.pipe_names
    result = analyse(_article(seed_text), nlp)
    by_label: dict[str, list[str]] = {}
    for entity in result.entities:
        by_label.setdefault(entity.label, []).append(entity.name)
    assert sorted(by_label["PERSON"]) == sorted(SEED_PEOPLE)  # one entity per person
    assert sorted(by_label["GPE"]) == sorted(SEED_PLACES)
    assert sorted(by_label["ORG"]) == sorted(SEED_ORGS)
    assert set(by_label) == {"PERSON", "GPE", "ORG", "NORP"}
    assert all(" " not in name or name == "North Korean" for name in by_label["NORP"])
    by_name = {e.name: e for e in result.entities}
    putin, kim = by_name["Vladimir Putin"], by_name["Kim Jong Un"]
    assert set(putin.aliases) == {"Putin", "Vladimar Putin"}
    assert putin.count == 13 and kim.count == 10 and kim.aliases == ("Kim",)
    assert by_name["United States"].aliases == ("US",)
    assert by_name["North Korea"].aliases == ("North",)  # "the North’s main ... benefactor"
    assert [e.name for e in result.entities[:2]] == ["Vladimir Putin", "Kim Jong Un"]  # most salient
    assert [m.text for m in putin.title_mentions] == ["Putin"]
    assert [m.text for m in kim.title_mentions] == ["Kim"]
    for entity in result.entities:
        for mention in entity.title_mentions:
            assert result.title[mention.start : mention.end] == mention.text
    speakers = [(q.text.split()[0], q.speaker) for q in result.quotes]
    said_by = {e.id: e.name for e in result.entities}
    attributed = [(word, said_by[s]) for word, s in speakers if s is not None]
    assert attributed == [
        ("The", "Vladimir Putin"),  # “…,” said Putin
        ("strictly", "Kim Jong Un"),  # Kim said … calling it “…”
        ("Our", "Kim Jong Un"),  # “…,” Kim said
        ("We", "Vladimir Putin"),  # RIA quoted Putin as saying
    ]
    assert ("expresses", None) in speakers  # "he said": unknown, not guessed
    assert all(len(q.text.split()) >= 3 for q in result.quotes)  # “alliance” is a scare quote
    for quote in result.quotes:
        assert result.text[quote.start : quote.end] == quote.text
    for entity in result.entities:
        assert not any(ch in entity.name for ch in "`()“”’"), entity.name  # no bracket, quote, possessive
        for mention in entity.mentions:
            assert result.text[mention.start : mention.end] == mention.text
    assert not any("Sign Pact" in e.name for e in result.entities)  # the headline is not parsed
    assert len(result.sentences) == 24
    for sentence in result.sentences:
        assert "\n" not in result.text[sentence.start : sentence.end]


def test_long_text_is_chunked_with_offsets_kept(ruler_nlp: Language) -> None:
    paragraph = "Ada Lovelace met envoys of the United States in London for talks."
    text = "\n\n".join([paragraph] * 300)
    result = analyse(_article(text), ruler_nlp, chunk_chars=1_000)
    lovelace = next(e for e in result.entities if e.name == "Ada Lovelace")
    assert lovelace.count == 300
    assert all(result.text[m.start : m.end] == "Ada Lovelace" for m in lovelace.mentions)


def test_chunks_never_exceed_the_models_max_length(ruler_nlp: Language) -> None:
    paragraph = "Ada Lovelace met envoys of the United States in London for talks."
    text = "\n\n".join([paragraph] * 100)
    limit = ruler_nlp.max_length
    ruler_nlp.max_length = 500
    try:
        result = analyse(_article(text), ruler_nlp)  # the default chunk size is far above 500
    finally:
        ruler_nlp.max_length = limit
    assert next(e for e in result.entities if e.name == "Ada Lovelace").count == 100


def test_a_long_texts_chunks_reach_the_model_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each chunk is parsed before the next is read: a batch of chunks holds all their
    activations at once (a 2 MB article peaked at 2.6 GB in one batch)."""
    read: list[str] = []

    def reading(chunk: str) -> str:
        read.append(chunk)
        return parseable(chunk)

    monkeypatch.setattr(spans, "parseable", reading)
    text = "\n\n".join(["Ada Lovelace met envoys of the United States in London for talks."] * 300)
    parsed = spans.parse_chunks(load_nlp(Settings().spacy_model), text, 1_000)
    for count, (offset, doc) in enumerate(parsed, start=1):
        assert len(read) <= count + 1  # this chunk and at most the one after it
        assert text[offset : offset + len(doc.text)] == doc.text
    assert len(read) > 10


def test_runs_of_symbols_are_read_as_spaces_with_offsets_kept(ruler_nlp: Language) -> None:
    run = "(" * 5_000 + "“”" * 100 + "🙂" * 200 + "(." * 100  # split one character at a time
    text = f"Ada Lovelace met envoys. {run} Lovelace left on Monday."
    masked = parseable(text)
    assert len(masked) == len(text) and masked == text.replace(run, " " * len(run))
    assert len(ruler_nlp.make_doc(masked)) < 20  # the run is one token, not 5,600
    result = analyse(_article(text), ruler_nlp)
    lovelace = next(e for e in result.entities if e.name == "Ada Lovelace")
    assert lovelace.count == 2
    assert [result.text[m.start : m.end] for m in lovelace.mentions] == ["Ada Lovelace", "Lovelace"]
    # leaders and rules of dots or hyphens, and shorter runs, are read as they are
    for kept in ("Cheltenham win. " + "." * 75 + " Barnet", "-" * 80, "a " + "(" * 63 + " b", "x_y" * 40):
        assert parseable(kept) == kept


def test_span_helpers() -> None:
    text = "“Russia’s” (the U.N.) said."
    assert text[slice(*trim_span(text, 0, 10) or (0, 0))] == "Russia"
    assert text[slice(*trim_span(text, 11, 21) or (0, 0))] == "U.N."
    assert trim_span(text, 0, 1) is None
    assert entity_key("the  U.N.") == entity_key("The UN") != entity_key("UNO")
    chunks = chunk_text("aaa\n\nbbb ccc", 6)
    assert "".join(c for _, c in chunks) == "aaa\n\nbbb ccc"
    assert all(len(c) <= 6 for _, c in chunks)


def test_new_words_do_not_grow_the_vocabulary() -> None:
    """A long-running worker must not keep every new word it reads (memory stays flat)."""
    nlp = load_nlp(Settings().spacy_model)
    before = len(nlp.vocab.strings)
    for i in range(3):
        text = f"Zorblatt Quenwick{i} met Vexmoora Trundlebaum{i} in Plinkerton{i} on Tuesday to sign a pact."
        analyse(_article(text * 3), nlp)
    assert len(nlp.vocab.strings) == before
