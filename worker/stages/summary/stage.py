"""The summary stage: an extractive summary from the entities stage's sentences.

Each candidate sentence is scored by a small learned model (``model.py``) over features of its
position, centrality, length, entities, headline overlap, quotation and caption-likeness
(``features.py``). The best are taken greedily, skipping any candidate too similar to one already
taken, until ``k`` sentences (or ``max_words`` words) are chosen; they are returned in article
order. The headline and boilerplate lines are never chosen.
"""

import time
from dataclasses import dataclass

import numpy as np

from schemas.entities import AnalysedArticle
from schemas.result import ArticleResult, Summary, SummarySentence
from worker.stages.boilerplate import boilerplate_kind
from worker.stages.summary.features import sentence_features
from worker.stages.summary.graph import bags, cosine_similarity, words
from worker.stages.summary.model import Scorer, default_scorer
from worker.stages.summary.scores import ScoringParams, entity_mass
from worker.stages.summary.sentences import split_glued

METHOD = "newsflow-extractive"
MIN_WORDS = 4  # shorter sentences (datelines, captions, "Read more.") are chosen only if nothing else is
DEFAULT_PARAMS = ScoringParams()


def _normalised(text: str) -> str:
    return " ".join(w.casefold() for w in words(text))


@dataclass(frozen=True)
class Candidates:
    """The sentences that may be chosen, as spans of the body, and whether each opens a paragraph."""

    spans: list[tuple[int, int]]
    paragraph_starts: list[bool]


def candidates(article: AnalysedArticle) -> Candidates:
    """The body's sentences, glued captions cut apart; not the headline, not boilerplate, not tiny."""
    text = article.text
    spans: list[tuple[int, int]] = []
    starts: list[bool] = []
    previous_end = 0
    for sentence in article.sentences:
        opens = not spans or "\n" in text[previous_end : sentence.start]
        for position, piece in enumerate(split_glued(text, sentence.start, sentence.end)):
            spans.append(piece)
            starts.append(opens and position == 0)
        previous_end = sentence.end
    texts = [text[start:end] for start, end in spans]
    title = _normalised(article.title)
    usable = [i for i, t in enumerate(texts) if boilerplate_kind(t) is None and _normalised(t) != title]
    if not usable:
        usable = list(range(len(texts)))
    pool = [i for i in usable if len(words(texts[i])) >= MIN_WORDS] or usable
    return Candidates([spans[i] for i in pool], [starts[i] for i in pool])


def select(
    scores: np.ndarray,
    similarity: np.ndarray,
    lengths: list[int],
    *,
    k: int,
    redundancy: float,
    max_words: int | None = None,
) -> list[int]:
    """Greedy picks by score, skipping near-duplicates of earlier picks, within ``k`` and ``max_words``."""
    chosen: list[int] = []
    used = 0
    for index in np.argsort(-scores, kind="stable"):
        if len(chosen) == k:
            break
        local = int(index)
        if any(similarity[local, other] >= redundancy for other in chosen):
            continue
        if max_words is not None and chosen and used + lengths[local] > max_words:
            continue
        chosen.append(local)
        used += lengths[local]
    return sorted(chosen)


def fill(picked: list[int], scores: np.ndarray, texts: list[str], k: int) -> list[int]:
    """Top up a short pick (near-duplicates were skipped) with the best sentences not said verbatim."""
    said = {_normalised(texts[i]) for i in picked}
    chosen = list(picked)
    for index in np.argsort(-scores, kind="stable"):
        if len(chosen) >= k:
            break
        key = _normalised(texts[int(index)])
        if key not in said:
            said.add(key)
            chosen.append(int(index))
    return sorted(chosen)


def pool_features(article: AnalysedArticle, pool: Candidates, similarity: np.ndarray, k: int) -> np.ndarray:
    """The scorer's features for the candidate sentences ``pool``."""
    return sentence_features(
        [article.text[start:end] for start, end in pool.spans],
        pool.paragraph_starts,
        similarity,
        entity_mass(pool.spans, article.entities),
        article.title,
        k=k,
    )


def summarise(
    article: AnalysedArticle,
    k: int,
    *,
    max_words: int | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
    scorer: Scorer | None = None,
) -> ArticleResult:
    """Pick up to ``k`` sentences (and at most ``max_words`` words) of the body, in article order."""
    started = time.perf_counter()
    scorer = scorer or default_scorer()
    pool = candidates(article)
    spans = pool.spans
    texts = [article.text[start:end] for start, end in spans]
    lengths = [len(words(t)) for t in texts]
    picked: list[int] = []
    scores = np.zeros(len(spans))
    if spans:
        similarity = cosine_similarity(bags(texts))
        odds = scorer.log_odds(pool_features(article, pool, similarity, k))
        scores = 1.0 / (1.0 + np.exp(-odds))
        picked = select(scores, similarity, lengths, k=k, redundancy=params.redundancy, max_words=max_words)
        if max_words is None:
            picked = fill(picked, scores, texts, k)
    sentences = tuple(
        SummarySentence(text=texts[i], start=spans[i][0], end=spans[i][1], score=round(float(scores[i]), 6))
        for i in picked
    )
    recorded: dict[str, float | int | str] = {
        "k": k,
        "min_words": MIN_WORDS,
        **params.as_params(),
        "scorer": scorer.version,
    }
    if max_words is not None:
        recorded["max_words"] = max_words
    summary = Summary(
        sentences=sentences,
        text=" ".join(s.text for s in sentences),
        method=METHOD,
        params=recorded,
    )
    timings = {**article.timings, "summarise": round((time.perf_counter() - started) * 1000, 3)}
    return ArticleResult.model_validate({**article.model_dump(), "summary": summary, "timings": timings})
