"""Per-sentence features for the learned sentence scorer (``summary/model.py``).

Every feature is computed from the article alone: where the sentence sits, how central it is,
how long it is, what it names, whether it repeats the headline, whether it is a quotation or reads
like an image caption. Two document-level inputs, the compression ratio k / n and the number of
sentences, are the same for every sentence of an article: they change no ranking by themselves,
but the scorer's hidden layer combines them with the others (when few of many sentences are kept,
the opening carries the news; when many are kept, centrality and length decide).
"""

import math
import re

import numpy as np

from worker.stages.summary.graph import terms, words
from worker.stages.summary.scores import centrality, is_quote
from worker.stages.summary.sentences import INTRODUCERS

FEATURE_NAMES: tuple[str, ...] = (
    "first",  # the first candidate sentence
    "log_position",  # log(1 + index among the candidates)
    "relative_position",  # index / (n - 1)
    "log_position_x_ratio",  # log(1 + index) * k / n: the opening weighs more when few are kept
    "relative_position_x_ratio",
    "paragraph_start",  # opens a paragraph of the body
    "log_centrality",  # LexRank centrality, the mean sentence at 0
    "log_words",  # log of the word count
    "long",  # words beyond 40, in units of 40
    "short",  # fewer than 10 words, in units of 10
    "entity_mass",  # salience of the entities named, scaled to the article's maximum
    "title_overlap",  # share of the sentence's content words found in the headline
    "opens_with_quote",
    "quoted_share",  # share of the characters inside quotation marks
    "capitalised_share",  # share of words that start with a capital: names lists, captions
    "no_final_punctuation",  # ends without . ! ? or a closing quote: captions, run-ons
    "question",
    "caption_label",  # opens with a caption's short label and colon ("Shocked: Pensioner Terry ...")
    "picture_reference",  # names a picture ("pictured", "(left)", "stock image"): a caption
    "digits_share",  # share of words holding a digit: tables, scores, listings
    "ratio",  # k / n for the article
    "log_sentences",  # log n
)

# A caption's label: up to three words, the first capitalised, a colon, then a capital or a quote
# ("CLAIM: MP Jesse ...", "Long drop: The child ..."); not a speech verb's colon ("He said: ‘...").
_LABEL = re.compile(r"[A-Z][\w’'-]*(?: [\w’'-]+){0,2}(?=: [A-Z‘“'\"])")
_PICTURE = re.compile(
    r"\b(?:pictured|photographed|(?:stock |file )?(?:image|photo|picture)s?)\b"
    r"|\((?:[\w ]{0,20} )?(?:left|right|centre|center|above|below|top|bottom|inset|pictured)\)",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
_FINAL = (".", "!", "?", "”", '"', "’", "'", ")", ":")


def _caption_label(text: str) -> bool:
    label = _LABEL.match(text)
    return label is not None and not INTRODUCERS.intersection(label.group().casefold().split())


def _has_digit(token: str) -> bool:
    return not token.isalpha() and any(c.isdigit() for c in token)


def sentence_features(
    texts: list[str],
    paragraph_starts: list[bool],
    similarity: np.ndarray,
    entity_share: np.ndarray,
    title: str,
    *,
    k: int,
    tokens: list[list[str]] | None = None,
    term_lists: list[list[str]] | None = None,
) -> np.ndarray:
    """One row of ``FEATURE_NAMES`` per sentence (``texts`` in article order).

    ``tokens`` (``graph.words``) and ``term_lists`` (``graph.terms``) of the texts, when the caller
    has them already, save tokenising again.
    """
    n = len(texts)
    if n == 0:
        return np.zeros((0, len(FEATURE_NAMES)))
    index = np.arange(n, dtype=float)
    ratio = min(k, n) / n
    log_position = np.log1p(index)
    relative = index / max(n - 1, 1)
    central = np.log(np.maximum(centrality(similarity), 1e-6))
    title_words = set(terms(title))
    token_lists = tokens if tokens is not None else [words(t) for t in texts]
    found = term_lists if term_lists is not None else [terms(t) for t in texts]
    rows = []
    for i, text in enumerate(texts):
        sentence_tokens = token_lists[i]
        count = max(len(sentence_tokens), 1)
        content = set(found[i])
        quoted = sum(len(m) for m in _QUOTED.findall(text))
        stripped = text.rstrip()
        rows.append(
            [
                1.0 if i == 0 else 0.0,
                log_position[i],
                relative[i],
                log_position[i] * ratio,
                relative[i] * ratio,
                1.0 if paragraph_starts[i] else 0.0,
                central[i],
                math.log(count),
                max(0.0, count - 40) / 40,
                max(0.0, 10 - count) / 10,
                float(entity_share[i]),
                len(content & title_words) / len(content) if content and title_words else 0.0,
                1.0 if is_quote(text) else 0.0,
                quoted / max(len(text), 1),
                sum(1 for t in sentence_tokens if t[:1].isupper()) / count,
                0.0 if stripped.endswith(_FINAL) else 1.0,
                1.0 if stripped.endswith("?") else 0.0,
                1.0 if _caption_label(text) else 0.0,
                1.0 if _PICTURE.search(text) else 0.0,
                sum(1 for t in sentence_tokens if _has_digit(t)) / count,
                ratio,
                math.log(n),
            ]
        )
    return np.array(rows, dtype=float)
