"""The entities stage: spaCy once over the body, clean mentions merged into canonical entities.

The headline is never parsed (a title-case headline reads to NER as a string of names); the
entities of the body are looked up in it instead. Long bodies are parsed in chunks cut at
paragraph boundaries, offsets kept. Quotes are attributed to entities of the body.
"""

import time

import spacy
from spacy.language import Language

from schemas.article import CleanArticle
from schemas.entities import AnalysedArticle, Entity, Mention, ModelInfo, Quote, Sentence
from worker.nlp import known_words, model_id
from worker.stages.entities.canonical import Cluster, cluster_mentions
from worker.stages.entities.consistency import propagate
from worker.stages.entities.mentions import ENTITY_LABELS, RawMention, clean_mentions
from worker.stages.entities.quotes import Located, find_quotes
from worker.stages.entities.salience import SalienceInput, lead_end, salience
from worker.stages.entities.spans import cross_article_key, parse_chunks, trim_whitespace
from worker.stages.entities.title import find_in_title

__all__ = ["ENTITY_LABELS", "analyse", "find_mentions"]

_SPEAKER_LABELS = frozenset({"PERSON", "ORG", "GPE"})


def find_mentions(
    nlp: Language, text: str, chunk_chars: int, language: str = "en"
) -> tuple[list[Sentence], list[RawMention]]:
    """Sentences and clean entity mentions of ``text``, offsets into ``text``.

    The model's mentions are made consistent over the whole text (``consistency.propagate``;
    the English-news rules only for English, honorifics per language).

    Parsing runs in a spaCy memory zone: the strings this article adds to the vocabulary are
    freed afterwards, so a long-running worker does not grow with every new word it reads.
    """
    sentences: list[Sentence] = []
    mentions: list[RawMention] = []
    tagged: list[tuple[int, int]] = []
    with nlp.memory_zone():
        for offset, doc in parse_chunks(nlp, text, chunk_chars):
            for sent in doc.sents:
                bounds = trim_whitespace(text, offset + sent.start_char, offset + sent.end_char)
                if bounds is not None:
                    sentences.append(Sentence(start=bounds[0], end=bounds[1]))
            for ent in doc.ents:
                tagged.append((offset + ent.start_char, offset + ent.end_char))
                mentions.extend(
                    clean_mentions(text, offset + ent.start_char, offset + ent.end_char, ent.label_, language)
                )
    starts = [s.start for s in sentences]
    return sentences, propagate(text, mentions, tagged, starts, language=language)


def _title_forms(cluster: Cluster) -> set[str]:
    """The surface forms of the body, and for a person also the first and last word of the name."""
    forms = {m.text for m in cluster.mentions}
    words = cluster.name.split()
    if cluster.label == "PERSON" and len(words) > 1:
        forms |= {words[0], words[-1]}
    return forms


def _title_mentions(title: str, clusters: list[Cluster]) -> dict[int, list[Mention]]:
    forms = {i: _title_forms(cluster) for i, cluster in enumerate(clusters)}
    found = find_in_title(title, forms)
    return {i: [Mention(start=a, end=b, text=title[a:b]) for a, b in spans] for i, spans in found.items()}


def _entities(article: CleanArticle, clusters: list[Cluster]) -> list[Entity]:
    text = article.text
    in_title = _title_mentions(article.title, clusters)
    max_count = max((len(c.mentions) for c in clusters), default=1)
    lead = lead_end(text)
    entities = []
    for index, cluster in enumerate(clusters):
        mentions = tuple(Mention(start=m.start, end=m.end, text=m.text) for m in cluster.mentions)
        score = salience(
            SalienceInput(count=len(mentions), first=cluster.first, in_title=index in in_title),
            max_count=max_count,
            text_length=len(text),
            lead=lead,
        )
        entities.append(
            Entity(
                id=f"e{index + 1}",
                label=cluster.label,
                name=cluster.name,
                key=cross_article_key(cluster.label, cluster.name),
                aliases=cluster.aliases,
                mentions=mentions,
                count=len(mentions),
                salience=score,
                title_mentions=tuple(in_title.get(index, ())),
            )
        )
    return entities


def _quotes(text: str, sentences: list[Sentence], entities: list[Entity], language: str) -> list[Quote]:
    located = [
        Located(m.start, m.end, e.id, e.label)
        for e in entities
        if e.label in _SPEAKER_LABELS
        for m in e.mentions
    ]
    found = find_quotes(text, [(s.start, s.end) for s in sentences], located, language)
    return [Quote(start=q.start, end=q.end, text=text[q.start : q.end], speaker=q.speaker) for q in found]


def analyse(article: CleanArticle, nlp: Language, *, chunk_chars: int = 100_000) -> AnalysedArticle:
    """Sentences, canonical entities (sorted by salience) and attributed quotes of ``article``."""
    started = time.perf_counter()
    known = known_words(nlp)  # before parsing adds this article's words to the vocabulary
    sentences, mentions = find_mentions(nlp, article.text, chunk_chars, article.language)
    entities = _entities(article, cluster_mentions(mentions, known=known.__contains__))
    quotes = _quotes(article.text, sentences, entities, article.language)
    entities.sort(key=lambda e: (-e.salience, e.mentions[0].start))
    name, version = model_id(nlp)
    return AnalysedArticle.model_validate(
        {
            **dict(article),  # the validated fields as they are: nothing to dump and parse again
            "sentences": sentences,
            "entities": entities,
            "quotes": quotes,
            "model": ModelInfo(name=name, version=version, spacy_version=spacy.about.__version__),
            "timings": {
                **article.timings,
                "entities": round((time.perf_counter() - started) * 1000, 3),
            },
        }
    )
