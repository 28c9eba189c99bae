"""The entities stage: spaCy NER and sentences once per article, mentions grouped into entities."""

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import spacy
from spacy.language import Language

from schemas.article import CleanArticle
from schemas.entities import AnalysedArticle, Entity, Mention, ModelInfo, Sentence
from worker.nlp import model_id
from worker.stages.spans import chunk_text, entity_key, trim_span, trim_whitespace

# Named things; numeric labels (DATE, CARDINAL, MONEY, ...) are not entities of the article.
ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)


@dataclass
class _Group:
    first: int
    mentions: list[Mention] = field(default_factory=list)
    labels: Counter[str] = field(default_factory=Counter)


def _parse(nlp: Language, text: str, chunk_chars: int) -> Iterator[tuple[int, spacy.tokens.Doc]]:
    chunks = chunk_text(text, chunk_chars)
    for (offset, _), doc in zip(chunks, nlp.pipe(chunk for _, chunk in chunks), strict=True):
        yield offset, doc


def _salience(group: _Group, max_count: int, text_length: int) -> float:
    frequency = len(group.mentions) / max_count
    position = 1.0 - group.first / max(text_length, 1)
    return round(min(1.0, max(0.0, 0.6 * frequency + 0.4 * position)), 4)


def _to_entity(index: int, group: _Group, max_count: int, text_length: int) -> Entity:
    forms = Counter(m.text for m in group.mentions)
    name = max(forms, key=lambda form: (forms[form], len(form)))
    return Entity(
        id=f"e{index}",
        label=group.labels.most_common(1)[0][0],
        name=name,
        aliases=tuple(sorted(form for form in forms if form != name)),
        mentions=tuple(group.mentions),
        count=len(group.mentions),
        salience=_salience(group, max_count, text_length),
    )


def analyse(article: CleanArticle, nlp: Language, *, chunk_chars: int = 100_000) -> AnalysedArticle:
    """Find sentences and entities in the body of ``article`` (the headline is not parsed)."""
    started = time.perf_counter()
    text = article.text
    sentences: list[Sentence] = []
    groups: dict[str, _Group] = {}
    for offset, doc in _parse(nlp, text, chunk_chars):
        for sent in doc.sents:
            bounds = trim_whitespace(text, offset + sent.start_char, offset + sent.end_char)
            if bounds is not None:
                sentences.append(Sentence(start=bounds[0], end=bounds[1]))
        for ent in doc.ents:
            if ent.label_ not in ENTITY_LABELS:
                continue
            bounds = trim_span(text, offset + ent.start_char, offset + ent.end_char)
            if bounds is None:
                continue
            start, end = bounds
            mention = Mention(start=start, end=end, text=text[start:end])
            group = groups.setdefault(entity_key(mention.text), _Group(first=start))
            group.mentions.append(mention)
            group.labels[ent.label_] += 1
    max_count = max((len(g.mentions) for g in groups.values()), default=1)
    entities = [
        _to_entity(i, group, max_count, len(text))
        for i, group in enumerate(sorted(groups.values(), key=lambda g: g.first), start=1)
    ]
    entities.sort(key=lambda e: (-e.salience, e.mentions[0].start))
    name, version = model_id(nlp)
    return AnalysedArticle.model_validate(
        {
            **article.model_dump(),
            "sentences": sentences,
            "entities": entities,
            "model": ModelInfo(name=name, version=version, spacy_version=spacy.about.__version__),
            "timings": {
                **article.timings,
                "entities": round((time.perf_counter() - started) * 1000, 3),
            },
        }
    )
