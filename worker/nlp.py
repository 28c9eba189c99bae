"""spaCy loading: once per process, only the components the entities stage needs."""

import weakref
from functools import lru_cache
from pathlib import Path

import numpy as np
import spacy
from spacy.language import Language
from spacy.pipeline import Tok2Vec
from spacy.tokenizer import Tokenizer  # type: ignore[import-not-found]  # a Cython module, no stub
from spacy.tokens import Doc

from worker.config import Encoding, Matmul, NerDecoder, Settings
from worker.encoder import use_fused_encoders
from worker.logging import get_logger
from worker.matmul import use_matmul
from worker.ner_decoder import COMPONENT, supports

# What the entities stage uses: NER and sentence boundaries, and a shared tok2vec when one of
# them listens to it (in the en_core_web_* models NER and senter carry their own).
NEEDED = frozenset({"tok2vec", "senter", "ner"})
log = get_logger("newsflow.nlp")
# Room in the tokenizer's cache beyond the model's words, for text parsed outside a memory zone
# (spaCy's default size).
_CACHE_HEADROOM = 10_000


def _component_names(model: str) -> list[str]:
    path = Path(spacy.util.get_package_path(model)) if spacy.util.is_package(model) else Path(model)
    meta = spacy.util.get_model_meta(path)
    return list(meta.get("components", meta.get("pipeline", [])))


def load_nlp(
    model: str, decoder: NerDecoder = "vectorised", matmul: Matmul = "auto", encoder: Encoding = "fused"
) -> Language:
    """Load ``model`` (a package name or a path) with only the needed components.

    Sentences come from ``senter`` when the model has one, else from ``parser``, else a
    rule-based ``sentencizer`` is added. With ``decoder="vectorised"`` a recogniser it can
    decode sets its entities through ``worker.ner_decoder`` (the same entities, faster); with
    ``"spacy"`` spaCy decodes. ``matmul`` chooses who multiplies the networks' matrices
    (``worker.matmul``). With ``encoder="fused"`` the token encoders run as one function each
    (``worker.encoder``: the same vectors, faster); with ``"thinc"`` layer by layer. Cached: the
    first call in a process pays the load.
    """
    return _load(model, decoder, matmul, encoder)


@lru_cache(maxsize=8)  # two languages, two decoders, two libraries: a worker holds one or two
def _load(model: str, decoder: NerDecoder, matmul: Matmul, encoder: Encoding) -> Language:
    """``load_nlp``'s work, cached under all its arguments however they were passed."""
    components = _component_names(model)
    keep = set(NEEDED)
    if "senter" not in components and "parser" in components:
        keep.add("parser")
    nlp = spacy.load(model, exclude=[name for name in components if name not in keep])
    for name in list(nlp.disabled):
        nlp.enable_pipe(name)
    if not nlp.has_pipe("senter") and not nlp.has_pipe("parser"):
        nlp.add_pipe("sentencizer", first=True)
    sentence_pipe = "senter" if nlp.has_pipe("senter") else "parser"
    if nlp.has_pipe(sentence_pipe):
        nlp.add_pipe("paragraph_boundaries", after=sentence_pipe)
    else:
        nlp.add_pipe("paragraph_boundaries", first=True)
    _drop_unheard_tok2vec(nlp)
    if decoder == "vectorised" and nlp.has_pipe("ner") and supports(nlp.get_pipe("ner")):
        nlp.add_pipe(COMPONENT, after="ner", config={"source": "ner"})
        nlp.disable_pipe("ner")
    library = use_matmul(nlp, matmul)
    fused = use_fused_encoders(nlp) if encoder == "fused" else 0
    known_words(nlp)
    warm_vocabulary(nlp)
    log.info("model loaded", model=model, components=nlp.pipe_names, matmul=library, fused_encoders=fused)
    return nlp


def settings_nlp(settings: Settings, model: str) -> Language:
    """``model``'s pipeline with ``settings``' NER decoder, matrix library and token encoders."""
    return load_nlp(model, settings.ner_decoder, settings.matmul, settings.encoder)


def nlp_for(settings: Settings, language: str) -> Language | None:
    """The NER pipeline of ``language`` (loaded on first use), or None when it has no model."""
    model = settings.model_for(language)
    return None if model is None else settings_nlp(settings, model)


def warm_vocabulary(nlp: Language) -> None:
    """Create the lexemes of the model's own words now, outside any memory zone, and keep
    their tokenization in the tokenizer's cache.

    The entities stage parses in a memory zone, which frees every lexeme created inside it;
    without this, common words would be rebuilt for every article (about 10% of the parse
    time, for about 13 MB). Inside a zone the tokenizer also caches nothing, so every word
    of every article went through the prefix, suffix and infix searches; a word cached here
    is looked up instead, with the same tokens (spaCy's own cache, filled before the first
    zone). ``bench/components.py`` measures both.
    """
    words = [string for string in list(nlp.vocab.strings) if string.isalpha() and len(string) <= 24]
    tokenizer = nlp.tokenizer
    if not isinstance(tokenizer, Tokenizer):  # a custom tokenizer: no cache to fill, lexemes only
        for word in words:
            _ = nlp.vocab[word]
        return
    tokenizer.max_cache_size = max(tokenizer.max_cache_size, len(words) + _CACHE_HEADROOM)
    for word in words:
        tokenizer(word)


def _drop_unheard_tok2vec(nlp: Language) -> None:
    """Remove a shared ``tok2vec`` that no remaining component listens to.

    In the small English models only the tagger and parser listen to it; NER and senter embed
    the text themselves, so with those two left the shared layer is computed and thrown away
    (about a third of the parse time; ``bench/perf.py`` measures the pipeline as loaded).
    """
    for name, pipe in list(nlp.pipeline):
        if isinstance(pipe, Tok2Vec) and not pipe.listening_components:
            nlp.remove_pipe(name)


_KNOWN_WORDS: "weakref.WeakKeyDictionary[Language, frozenset[str]]" = weakref.WeakKeyDictionary()


def known_words(nlp: Language) -> frozenset[str]:
    """The strings the model knew before it read any article (its training vocabulary).

    Taken once per pipeline, on first call: parsing adds every new token to the string store,
    so the store itself would soon "know" every misspelling it has seen.
    """
    known = _KNOWN_WORDS.get(nlp)
    if known is None:
        known = _KNOWN_WORDS[nlp] = frozenset(nlp.vocab.strings)
    return known


_MODEL_IDS: "weakref.WeakKeyDictionary[Language, tuple[str, str]]" = weakref.WeakKeyDictionary()


def model_id(nlp: Language) -> tuple[str, str]:
    """The model's load name and version, as recorded in results.

    Read once per pipeline: ``nlp.meta`` rebuilds its dictionary, labels included, on every
    access (three accesses cost about 0.3 ms per article).
    """
    found = _MODEL_IDS.get(nlp)
    if found is None:
        meta = nlp.meta
        found = _MODEL_IDS[nlp] = (
            f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}",
            str(meta.get("version", "0")),
        )
    return found


@Language.component("paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A sentence never crosses a blank line: the token after one starts a sentence."""
    spaces = doc.to_array("IS_SPACE")  # only whitespace tokens are read in Python
    for index in np.flatnonzero(spaces[:-1]).tolist():
        if doc[index].text.count("\n") >= 2:
            doc[index + 1].is_sent_start = True
    return doc
