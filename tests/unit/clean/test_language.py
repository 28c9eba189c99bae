"""Language detection: names are no evidence, declared languages help, real foreign text is refused."""

import pytest
from trafilatura.utils import load_html

from schemas import ErrorReason, RawArticle
from worker.config import Settings
from worker.errors import InvalidArticle
from worker.stages.clean import clean, language
from worker.stages.clean.language import (
    FIRST_PASS_CHARS,
    SAMPLE_CHARS,
    SURE_CONFIDENCE,
    UNDETERMINED,
    Detection,
    detect,
    evidence,
)
from worker.stages.clean.page_hints import language_code, page_hints

SETTINGS = Settings(languages=("en",))
NAMES = "Ada Lovelace met Charles Babbage in London. " * 20
FRENCH = (
    "Le conseil municipal a approuvé le nouveau budget mardi soir après un long débat sur les écoles "
    "et les routes, et les habitants ont été invités à donner leur avis."
)
GERMAN = (
    "Der Stadtrat hat am Dienstag nach einer langen Debatte den neuen Haushalt für die Schulen beschlossen."
)
ENGLISH = "The council approved the new budget on Tuesday after a long debate about schools and roads."


def test_capitalised_words_are_not_evidence() -> None:
    sample, distinct = evidence("Ada Lovelace met Charles Babbage in London.")
    assert sample == "met in" and distinct == 5


def test_name_heavy_english_is_undetermined_not_french() -> None:
    assert detect(NAMES).language == UNDETERMINED


def test_name_heavy_english_article_is_kept() -> None:
    article = clean(RawArticle(text=NAMES), SETTINGS)
    assert article.language == "en"


def test_names_with_a_little_english_are_english() -> None:
    text = "Yesterday Ada Lovelace said that Charles Babbage would travel to London with the committee. " * 3
    found = detect(text)
    assert found.language == "en" and found.confidence > 0.9


@pytest.mark.parametrize(("text", "code"), [(FRENCH, "fr"), (GERMAN, "de"), (ENGLISH, "en")])
def test_real_text_is_detected(text: str, code: str) -> None:
    assert detect(text).language == code


@pytest.mark.parametrize("text", [FRENCH, GERMAN])
def test_foreign_articles_are_refused(text: str) -> None:
    with pytest.raises(InvalidArticle) as caught:
        clean(RawArticle(text=text), SETTINGS)
    assert caught.value.reason is ErrorReason.UNSUPPORTED_LANGUAGE


def test_a_declared_foreign_language_is_refused_when_the_text_cannot_tell() -> None:
    with pytest.raises(InvalidArticle) as caught:
        clean(RawArticle(text=NAMES, language="fr"), SETTINGS)
    assert caught.value.reason is ErrorReason.UNSUPPORTED_LANGUAGE


def test_french_is_accepted_when_configured() -> None:
    article = clean(RawArticle(text=FRENCH), Settings(languages=("en", "fr")))
    assert article.language == "fr" and article.language_confidence > 0.5


def test_page_declared_language_is_read() -> None:
    html = "<html lang='en-GB'><head><title>T</title><meta property='og:title' content='OG'></head>"
    hints = page_hints(load_html(f"{html}<body><h1>Head</h1><p>x</p></body></html>"))
    assert hints.language == "en"
    assert hints.headlines == ("Head", "T", "OG")


@pytest.mark.parametrize(
    ("value", "code"), [("en-GB", "en"), ("pt_BR", "pt"), ("FR", "fr"), ("", None), ("xyz", None)]
)
def test_language_code(value: str, code: str | None) -> None:
    assert language_code(value) == code


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sample lengths ``detect`` reads from now on."""
    reads: list[int] = []
    one_pass = language._detect

    def counted(text: str, sample_chars: int) -> Detection:
        reads.append(sample_chars)
        return one_pass(text, sample_chars)

    monkeypatch.setattr(language, "_detect", counted)
    return reads


@pytest.mark.parametrize("text", [ENGLISH * 8, FRENCH * 6, GERMAN * 6])
def test_a_sure_first_pass_stands_and_agrees_with_the_full_sample(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = detect(text, first_pass_chars=None)
    reads = _reads(monkeypatch)
    quick = detect(text)
    assert reads == [FIRST_PASS_CHARS]
    assert quick.language == full.language and quick.confidence >= SURE_CONFIDENCE


def test_an_unsure_first_pass_reads_the_full_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(language, "SURE_CONFIDENCE", 1.01)  # never sure
    reads = _reads(monkeypatch)
    assert detect(ENGLISH * 8).language == "en"
    assert reads == [FIRST_PASS_CHARS, SAMPLE_CHARS]
