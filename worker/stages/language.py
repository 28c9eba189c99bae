"""Offline language identification with lingua."""

from functools import lru_cache

from lingua import LanguageDetector, LanguageDetectorBuilder

_SAMPLE_CHARS = 3000


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    """The process-wide detector (all languages, low-accuracy mode: fast, small)."""
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def detect_language(text: str) -> tuple[str, float]:
    """ISO 639-1 code of the most likely language of ``text`` and its confidence 0..1.

    Returns ``("und", 0.0)`` when no language can be told.
    """
    values = detector().compute_language_confidence_values(text[:_SAMPLE_CHARS])
    if not values:
        return "und", 0.0
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), float(best.value)
