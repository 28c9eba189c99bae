"""Loading the model: only what the entities stage needs, with the same output as the full load."""

import spacy

from worker.config import Settings
from worker.nlp import load_nlp

BBC_LIKE = (
    "The dollar has hit its highest level against the euro after Alan Greenspan spoke in London.\n\n"
    "Mr Greenspan told the Federal Reserve that the US deficit would stabilise, said Reuters."
)


def test_the_pipeline_keeps_only_ner_and_sentences() -> None:
    nlp = load_nlp(Settings().spacy_model)
    # no unheard tok2vec; the NER model's moves decoded by worker/ner_decoder.py
    assert nlp.pipe_names == ["senter", "paragraph_boundaries", "vectorised_ner"]
    assert load_nlp(Settings().spacy_model, "spacy").pipe_names == ["senter", "paragraph_boundaries", "ner"]


def test_dropping_the_shared_tok2vec_changes_no_entity_or_sentence(seed_text: str) -> None:
    model = Settings().spacy_model
    pruned = load_nlp(model, matmul="blis")  # the library spacy.load multiplies with
    with_tok2vec = spacy.load(model, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer"])
    with_tok2vec.enable_pipe("senter")
    assert "tok2vec" in with_tok2vec.pipe_names
    for text in (seed_text, BBC_LIKE):
        a, b = pruned.make_doc(text), with_tok2vec.make_doc(text)
        for name in ("senter", "ner"):
            a, b = pruned.get_pipe(name)(a), with_tok2vec.get_pipe(name)(b)
        assert [(e.start, e.end, e.label_) for e in a.ents] == [(e.start, e.end, e.label_) for e in b.ents]
        assert [s.start for s in a.sents] == [s.start for s in b.sents]
        assert a.ents  # the comparison is about real entities


def test_the_models_words_are_lexemes_before_the_first_article() -> None:
    nlp = load_nlp(Settings().spacy_model)
    assert len(nlp.vocab) > 50_000  # a bare load holds under a thousand
    assert all(word in nlp.vocab for word in ("government", "economy", "said"))
    assert "Quenwick" not in nlp.vocab  # only the model's own strings
