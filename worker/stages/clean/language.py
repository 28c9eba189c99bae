"""Offline language identification with lingua, robust to name-heavy text.

Names are poor evidence: "Ada Lovelace met Charles Babbage in London." reads as French to an
n-gram model. So capitalised tokens (names, acronyms, sentence starts) are left out, and a
text with too little other evidence is reported as undetermined instead of guessed.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from lingua import LanguageDetector, LanguageDetectorBuilder

from schemas.result import ErrorReason
from worker.config import Settings
from worker.errors import InvalidArticle

# Characters of uncapitalised words read. On 2,000 benchmark texts, 500 give the verdicts of
# 3,000 but one (a Malay page read as Indonesian, as with 1,000), in 42% of the time
# (python -m bench.language).
SAMPLE_CHARS: Final = 500
# A first pass on this many characters stands when lingua is this sure of it, at a third of the
# cost (python -m bench.language compares its verdicts with the 3,000-character ones).
FIRST_PASS_CHARS: Final = 120
SURE_CONFIDENCE: Final = 0.99
_TOKEN = re.compile(r"[^\W\d_]+")
# Distinct evidence (sum of the lengths of the distinct uncapitalised words) needed to decide.
MIN_EVIDENCE_CHARS: Final = 30
UNDETERMINED: Final = "und"


@dataclass(frozen=True)
class Detection:
    """The most likely language (ISO 639-1, or ``und``), its confidence and the runner-ups."""

    language: str
    confidence: float
    evidence_chars: int
    scores: dict[str, float] = field(default_factory=dict)

    def score(self, language: str) -> float:
        """The detector's confidence for ``language`` (0 when it was not a candidate)."""
        return self.scores.get(language, 0.0)


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    """The process-wide detector: all languages, low-accuracy mode.

    High-accuracy mode costs about 1.3 GB of models (measured: 131 MB vs 1,287 MB RSS with every
    model preloaded) and still calls name-heavy English French, so it buys nothing here.
    """
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def evidence(text: str, sample_chars: int = SAMPLE_CHARS) -> tuple[str, int]:
    """The uncapitalised words of ``text`` in order, and how much distinct evidence they give.

    Words of caseless scripts (Chinese, Japanese, Arabic, ...) are always kept.
    """
    words = [word for word in _TOKEN.findall(text[: sample_chars * 4]) if not word[0].isupper()]
    distinct = sum(len(word) for word in set(words))
    return " ".join(words)[:sample_chars], distinct


def detect(
    text: str, sample_chars: int = SAMPLE_CHARS, *, first_pass_chars: int | None = FIRST_PASS_CHARS
) -> Detection:
    """Detect the language of ``text`` from its uncapitalised words; ``und`` when they are too few.

    A first pass reads ``first_pass_chars`` of them and stands when it is sure (confidence at
    least ``SURE_CONFIDENCE``); otherwise ``sample_chars`` are read (``None``: one pass only).
    """
    if first_pass_chars is not None and first_pass_chars < sample_chars:
        quick = _detect(text, first_pass_chars)
        if quick.language != UNDETERMINED and quick.confidence >= SURE_CONFIDENCE:
            return quick
    return _detect(text, sample_chars)


def _detect(text: str, sample_chars: int) -> Detection:
    sample, distinct = evidence(text, sample_chars)
    if distinct < MIN_EVIDENCE_CHARS:
        return Detection(UNDETERMINED, 0.0, distinct)
    values = detector().compute_language_confidence_values(sample)
    scores = {v.language.iso_code_639_1.name.lower(): float(v.value) for v in values[:5]}
    if not values:
        return Detection(UNDETERMINED, 0.0, distinct)
    best = values[0]
    return Detection(best.language.iso_code_639_1.name.lower(), float(best.value), distinct, scores)


def detect_language(text: str) -> tuple[str, float]:
    """ISO 639-1 code of the most likely language of ``text`` and its confidence 0..1.

    Returns ``("und", 0.0)`` when no language can be told.
    """
    found = detect(text)
    return found.language, found.confidence


def choose_language(text: str, hint: str | None, settings: Settings) -> tuple[str, float]:
    """The article's language, or InvalidArticle(unsupported_language).

    ``hint`` is what the producer or the page declares. The detector decides when it is sure
    (confidence at least ``min_language_confidence``); a declared accepted language wins when
    the detector gives it some support; a less sure detection stands when accepted; a text too
    short or too name-heavy to tell takes the declared language, else ``default_language``.
    Every language is accepted unless ``settings.languages`` lists some.
    """
    found = detect(text)
    detected = found.language if found.language != UNDETERMINED else None
    sure = found.confidence >= settings.min_language_confidence
    if detected is not None and sure and settings.accepts(detected):
        return detected, found.confidence
    if (
        hint is not None
        and settings.accepts(hint)
        and found.score(hint) >= settings.language_hint_min_confidence
    ):
        return hint, found.score(hint)
    if detected is not None and sure:
        raise InvalidArticle(
            ErrorReason.UNSUPPORTED_LANGUAGE,
            f"article language {detected!r} (confidence {found.confidence:.2f}) is not one of "
            f"{list(settings.languages)}",
        )
    if hint is not None and not settings.accepts(hint):
        raise InvalidArticle(
            ErrorReason.UNSUPPORTED_LANGUAGE,
            f"declared language {hint!r} is not one of {list(settings.languages)} and the text does not"
            " say otherwise",
        )
    if hint is None and detected is not None and settings.accepts(detected):
        return detected, found.confidence
    fallback = hint or _default(settings)
    return fallback, found.score(fallback)


def _default(settings: Settings) -> str:
    if settings.accepts(settings.default_language):
        return settings.default_language
    return settings.languages[0]
