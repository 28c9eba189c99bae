"""Loading the model: only what the entities stage needs, with the same output as the full load."""

import spacy
from spacy.tokens import Doc

from bench.tokenizer_cache import emptied_twin
from worker.config import Settings
from worker.nlp import known_words, load_nlp, warm_vocabulary

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


TRICKY = (
    "U.S.-based Acme Corp. (NYSE: ACM) said on Monday it won't pay £5bn, or $6.2bn, to e-mail "
    "users at https://example.com/a?b=1 - \"we're done,\" Mr. O'Neill told @reporter #news 😀. "
    "Réunion's mayor, Jean-Pierre, can't say; the 1990s-era plan (see p.12) isn't dead..."
)


def test_the_model_words_are_in_the_tokenizer_cache_with_room_to_spare() -> None:
    nlp = load_nlp(Settings().spacy_model)
    words = sum(1 for s in known_words(nlp) if s.isalpha() and len(s) <= 24)  # the strings at load
    assert words > 50_000  # spaCy's default of 10,000 entries would leave most of them out
    assert nlp.tokenizer.max_cache_size >= words + 10_000  # type: ignore[union-attr]


def test_the_cached_words_tokenize_as_without_the_cache(seed_text: str) -> None:
    model = Settings().spacy_model
    cached = load_nlp(model)
    empty = emptied_twin(cached, model)  # a second pipeline loaded alike, its cache emptied
    for text in (seed_text, BBC_LIKE, TRICKY, TRICKY.upper(), TRICKY.lower()):
        with cached.memory_zone(), empty.memory_zone():
            a, b = cached(text), empty(text)
            assert [(t.text, t.whitespace_) for t in a] == [(t.text, t.whitespace_) for t in b]
            assert [(e.start, e.end, e.label_) for e in a.ents] == [
                (e.start, e.end, e.label_) for e in b.ents
            ]


def test_a_custom_tokenizer_is_not_called_and_the_words_still_become_lexemes() -> None:
    nlp = spacy.blank("en")
    nlp.vocab.strings.add("Quenwick")
    assert "Quenwick" not in nlp.vocab
    calls: list[str] = []

    def tokenize(text: str) -> Doc:
        calls.append(text)
        return Doc(nlp.vocab, words=text.split())

    nlp.tokenizer = tokenize
    warm_vocabulary(nlp)
    assert "Quenwick" in nlp.vocab and not calls
