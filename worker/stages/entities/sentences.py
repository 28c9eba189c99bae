"""Sentences for a language with no NER model, and the article as the entities stage hands it on.

Sentences come from spaCy's rule-based ``sentencizer`` on that language's blank pipeline (its
tokenizer knows the language's punctuation and abbreviations); a sentence never crosses a blank
line. Scripts written without spaces between words (Japanese, Chinese, Thai, ...) are cut after
sentence-final punctuation instead, since their blank pipelines need word segmenters that are
not installed. Such an article has ``entities: []`` and ``model.name == NO_MODEL``.
"""

import re
import time
from functools import lru_cache

import spacy
from spacy.language import Language

import worker.nlp  # noqa: F401  (registers the "paragraph_boundaries" component)
from schemas.article import CleanArticle
from schemas.entities import AnalysedArticle, ModelInfo, Sentence
from worker.stages.entities.spans import parse_chunks, trim_whitespace

NO_MODEL = "none"
# Languages whose words are not separated by spaces.
UNSPACED = frozenset({"ja", "zh", "th", "lo", "km", "my", "bo"})
_SENTENCE_END = re.compile(r"[^。！？!?．｡\n]*(?:[。！？!?．｡]+[」』）)\"”’]*|\n+|$)")
_CHUNK_CHARS = 100_000


@lru_cache(maxsize=16)
def blank_pipeline(language: str) -> Language:
    """The blank pipeline of ``language`` with a sentencizer (the multilingual one if unknown)."""
    try:
        nlp = spacy.blank(language)
    except (ImportError, KeyError, ValueError):  # no such language in spaCy, or it needs a package
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("paragraph_boundaries")
    return nlp


def _punctuation_sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _SENTENCE_END.finditer(text):
        bounds = trim_whitespace(text, match.start(), match.end())
        if bounds is not None:
            spans.append(bounds)
    return spans


def _spacy_sentences(text: str, language: str) -> list[tuple[int, int]]:
    nlp = blank_pipeline(language)
    spans = []
    with nlp.memory_zone():
        for offset, doc in parse_chunks(nlp, text, _CHUNK_CHARS):
            for sent in doc.sents:
                bounds = trim_whitespace(text, offset + sent.start_char, offset + sent.end_char)
                if bounds is not None:
                    spans.append(bounds)
    return spans


def rule_sentences(text: str, language: str) -> list[Sentence]:
    """The sentences of ``text`` without a trained model; offsets into ``text``."""
    spans = _punctuation_sentences(text) if language in UNSPACED else _spacy_sentences(text, language)
    return [Sentence(start=start, end=end) for start, end in spans]


def analyse_without_model(article: CleanArticle) -> AnalysedArticle:
    """The article with rule-based sentences and no entities: no NER model serves its language."""
    started = time.perf_counter()
    sentences = rule_sentences(article.text, article.language)
    return AnalysedArticle.model_validate(
        {
            **dict(article),
            "sentences": sentences,
            "entities": (),
            "quotes": (),
            "model": ModelInfo(name=NO_MODEL, version="", spacy_version=spacy.about.__version__),
            "timings": {**article.timings, "entities": round((time.perf_counter() - started) * 1000, 3)},
        }
    )
