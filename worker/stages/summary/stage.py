"""The summary stage: an extractive summary from the entities stage's sentences.

Each candidate sentence is scored by a small learned model (``model.py``) over features of its
position, centrality, length, entities, headline overlap, quotation and caption-likeness
(``features.py``), computed at a summary length the model was trained at (a shorter summary is
scored as for the shortest); the first k candidates get a small bonus (``ScoringParams.lead_bonus``), so the
opening is left only for a clearly better sentence. The best are taken greedily, skipping any
candidate too similar to one already taken, until ``k`` sentences (or ``max_words`` words) are
chosen; they are returned in article order. The headline and boilerplate lines are never chosen.
"""

import time
from dataclasses import dataclass

import numpy as np

from schemas.entities import AnalysedArticle
from schemas.result import ArticleResult, Summary, SummarySentence
from worker.stages.boilerplate import boilerplate_kind
from worker.stages.summary.features import sentence_features
from worker.stages.summary.graph import bags, cosine_similarity, terms, words
from worker.stages.summary.model import Scorer, default_scorer
from worker.stages.summary.scores import ScoringParams, entity_mass
from worker.stages.summary.sentences import split_glued

METHOD = "newsflow-extractive"
MIN_WORDS = 4  # shorter sentences (datelines, captions, "Read more.") are chosen only if nothing else is
# A longer text is summarised from its first this many candidates: the similarity graph grows with
# the square of their number (8,000 short sentences, 720 KB, took the stage to 1.6 GB).
MAX_CANDIDATES = 1_000
DEFAULT_PARAMS = ScoringParams()


def _normalised(text: str, tokens: list[str] | None = None) -> str:
    return " ".join(words(text) if tokens is None else tokens).casefold()


@dataclass(frozen=True)
class Candidates:
    """The sentences that may be chosen, as spans of the body, whether each opens a paragraph,
    and their texts with word tokens (``graph.words``) and terms (``graph.terms``)."""

    spans: list[tuple[int, int]]
    paragraph_starts: list[bool]
    texts: list[str]
    tokens: list[list[str]]
    term_lists: list[list[str]]


def candidates(article: AnalysedArticle) -> Candidates:
    """The body's sentences, glued captions cut apart; not the headline, not boilerplate, not tiny."""
    text = article.text
    spans: list[tuple[int, int]] = []
    starts: list[bool] = []
    previous_end = 0
    for sentence in article.sentences:
        opens = not spans or "\n" in text[previous_end : sentence.start]
        pieces = split_glued(text, sentence.start, sentence.end, labels=article.language == "en")
        for position, piece in enumerate(pieces):
            spans.append(piece)
            starts.append(opens and position == 0)
        previous_end = sentence.end
    texts = [text[start:end] for start, end in spans]
    tokens = [words(t) for t in texts]
    title_words = words(article.title)
    title = _normalised(article.title, title_words)

    def is_title(i: int) -> bool:
        return len(tokens[i]) == len(title_words) and _normalised(texts[i], tokens[i]) == title

    usable = [i for i, t in enumerate(texts) if boilerplate_kind(t) is None and not is_title(i)]
    if not usable:
        usable = list(range(len(texts)))
    pool = ([i for i in usable if len(tokens[i]) >= MIN_WORDS] or usable)[:MAX_CANDIDATES]
    return Candidates(
        [spans[i] for i in pool],
        [starts[i] for i in pool],
        [texts[i] for i in pool],
        [tokens[i] for i in pool],
        [terms(texts[i]) for i in pool],
    )


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


def fill(
    picked: list[int], scores: np.ndarray, texts: list[str], k: int, tokens: list[list[str]] | None = None
) -> list[int]:
    """Top up a short pick (near-duplicates were skipped) with the best sentences not said verbatim."""
    if len(picked) >= k:
        return sorted(picked)

    def key_of(i: int) -> str:
        return _normalised(texts[i], None if tokens is None else tokens[i])

    said = {key_of(i) for i in picked}
    chosen = list(picked)
    for index in np.argsort(-scores, kind="stable"):
        if len(chosen) >= k:
            break
        key = key_of(int(index))
        if key not in said:
            said.add(key)
            chosen.append(int(index))
    return sorted(chosen)


def pool_features(article: AnalysedArticle, pool: Candidates, similarity: np.ndarray, k: int) -> np.ndarray:
    """The scorer's features for the candidate sentences ``pool``."""
    return sentence_features(
        pool.texts,
        pool.paragraph_starts,
        similarity,
        entity_mass(pool.spans, article.entities),
        article.title,
        k=k,
        tokens=pool.tokens,
        term_lists=pool.term_lists,
    )


def sentence_scores(
    article: AnalysedArticle,
    pool: Candidates,
    similarity: np.ndarray,
    k: int,
    scorer: Scorer,
    *,
    params: ScoringParams = DEFAULT_PARAMS,
) -> np.ndarray:
    """Each candidate's probability of belonging in a summary of ``k`` sentences: the scorer's, on
    features computed at a length it was trained at (``Scorer.scoring_length``), the first ``k``
    candidates given ``params.lead_bonus``."""
    odds = scorer.log_odds(pool_features(article, pool, similarity, scorer.scoring_length(k)))
    odds[:k] += params.lead_bonus
    return np.asarray(1.0 / (1.0 + np.exp(-odds)))


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
    texts = pool.texts
    lengths = [len(tokens) for tokens in pool.tokens]
    picked: list[int] = []
    scores = np.zeros(len(spans))
    if spans:
        similarity = cosine_similarity(bags(texts, pool.term_lists))
        scores = sentence_scores(article, pool, similarity, k, scorer, params=params)
        picked = select(scores, similarity, lengths, k=k, redundancy=params.redundancy, max_words=max_words)
        if max_words is None:
            picked = fill(picked, scores, texts, k, pool.tokens)
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
    return ArticleResult.model_validate({**dict(article), "summary": summary, "timings": timings})
