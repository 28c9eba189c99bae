"""The clean stage on the seed and on bad input."""

import time

import pytest

from schemas import ErrorReason, RawArticle
from worker.config import Settings
from worker.errors import InvalidArticle
from worker.identity import content_hash
from worker.stages.clean import clean

SETTINGS = Settings(max_article_bytes=200_000)
ENGLISH = "The council approved the new budget on Tuesday after a long debate about schools and roads."


def test_seed_title_is_split_from_the_body(seed_text: str) -> None:
    article = clean(RawArticle(text=seed_text), SETTINGS)
    assert article.title == "Putin and Kim Sign Pact Pledging Mutual Support Against ‘Aggression’"
    assert article.text.startswith(
        "The leaders of North Korea (Kim Jong Un) and Russia’s (Vladimar Putin) signed"
    )


def test_seed_noise_is_fixed_and_boilerplate_reported(seed_text: str) -> None:
    article = clean(RawArticle(text=seed_text), SETTINGS)
    assert "`" not in article.text
    assert "Leave a Comment" not in article.text and "Akismet" not in article.text
    assert [r.kind for r in article.removed] == ["comment_prompt", "spam_notice"]
    assert article.text.endswith("Russia has used in its war in Ukraine.")
    assert article.language == "en" and article.language_confidence > 0.9
    assert "\n\n" in article.text and "\n\n\n" not in article.text
    assert article.content_hash == content_hash(article.text)


def test_same_story_with_other_whitespace_and_quotes_hashes_the_same() -> None:
    a = clean(RawArticle(text=f"{ENGLISH}\n\n“It is done,” she said."), SETTINGS)
    b = clean(RawArticle(text=f'  {ENGLISH}  \n\n\n"It is done," she said.\n\nLeave a Comment'), SETTINGS)
    assert a.content_hash == b.content_hash


def test_producer_id_and_metadata_are_kept() -> None:
    article = clean(
        RawArticle(id="wire-42", text=ENGLISH, url="https://example.com/x", source="Wire"), SETTINGS
    )
    assert article.article_id == "wire-42"
    assert (article.metadata.url, article.metadata.site) == ("https://example.com/x", "Wire")


def test_html_gives_title_and_body() -> None:
    html = (
        "<html><head><title>Budget passes | City News</title></head><body><nav>Home | World</nav>"
        f"<article><h1>Budget passes</h1><p>{ENGLISH}</p><p>{ENGLISH.replace('Tuesday', 'Monday')}</p>"
        "</article><footer>Share this: Facebook Twitter</footer></body></html>"
    )
    article = clean(RawArticle(html=html), SETTINGS)
    assert "Budget passes" in article.title
    assert "approved the new budget on Tuesday" in article.text
    assert "Home | World" not in article.text


@pytest.mark.parametrize(
    "opening",
    ["<!DOCTYPE html>\n", "\ufeff  <!doctype html>", "<!-- cached -->\n", '<?xml version="1.0"?>\n', ""],
)
def test_an_html_page_sent_as_text_is_extracted_as_a_page(opening: str) -> None:
    html = (
        f"{opening}<html lang='en'><head><title>Budget passes | City News</title></head><body>"
        f"<nav>Home | World</nav><article><h1>Budget passes</h1><p>{ENGLISH}</p></article>"
        "<footer>Share this: Facebook Twitter</footer></body></html>"
    )
    as_text, as_page = clean(RawArticle(text=html), SETTINGS), clean(RawArticle(html=html), SETTINGS)
    assert as_text.title == as_page.title and "Budget passes" in as_text.title
    assert as_text.text == as_page.text and "<" not in as_text.text and "Home | World" not in as_text.text
    assert as_text.removed == as_page.removed and as_text.article_id == as_page.article_id
    with pytest.raises(InvalidArticle) as caught:  # the page's limits apply to it
        clean(RawArticle(text=html + "<i></i>" * 100), Settings(max_html_elements=100))
    assert caught.value.reason is ErrorReason.TOO_LARGE


def test_a_page_nested_deeper_than_libxml2s_default_limit_keeps_its_text() -> None:
    # a div left open in every paragraph: 600 levels, where libxml2 stops at 256 by default
    paragraphs = [f"{ENGLISH} It was item {i} on the agenda." for i in range(600)]
    html = "<html><body><article><h1>Budget passes</h1>" + "".join(f"<div>{p}" for p in paragraphs)
    article = clean(RawArticle(html=html + "</article></body></html>"), SETTINGS)
    assert "It was item 0 on" in article.text and "It was item 599 on the agenda." in article.text


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (RawArticle(text=""), ErrorReason.EMPTY_TEXT),
        (RawArticle(text=" \n\t \n"), ErrorReason.EMPTY_TEXT),
        (RawArticle(text="x" * 200_001), ErrorReason.TOO_LARGE),
        (RawArticle(text="é" * 150_000), ErrorReason.TOO_LARGE),
        (RawArticle(text="PK\x03\x04\x00\x00binary"), ErrorReason.BINARY_CONTENT),
        (RawArticle(text="bad \udcff surrogate"), ErrorReason.INVALID_ENCODING),
        (RawArticle(text="Leave a Comment\n\nShare this:"), ErrorReason.ONLY_BOILERPLATE),
        (RawArticle(html="<html><body><script>var x = 1;</script></body></html>"), ErrorReason.EMPTY_TEXT),
    ],
)
def test_bad_input_has_a_reason(raw: RawArticle, reason: ErrorReason) -> None:
    with pytest.raises(InvalidArticle) as caught:
        clean(raw, SETTINGS)
    assert caught.value.reason is reason


def test_a_language_outside_the_allow_list_is_refused_and_every_language_is_accepted_by_default() -> None:
    french = RawArticle(text="Le conseil municipal a approuvé le nouveau budget mardi après un long débat.")
    with pytest.raises(InvalidArticle) as caught:
        clean(french, Settings(languages=("en",)))
    assert caught.value.reason is ErrorReason.UNSUPPORTED_LANGUAGE
    assert clean(french, SETTINGS).language == "fr"


PARAGRAPH = f"<p>{ENGLISH}</p>"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<html><body>" + "<div>" * 50_000 + "<p>x</p>" + "</div>" * 50_000 + "</body></html>", "empty_text"),
        (
            "<html><body><article><p>Leave a Comment</p><p>Share this:</p></article></body></html>",
            "only_boilerplate",
        ),
        ("<html><body>" + "<div><span>a</span></div>" * 25_000 + "</body></html>", "too_large"),
        ("<html><body><p>caf\udce9</p></body></html>", "invalid_encoding"),
    ],
)
def test_hostile_html_fails_fast_with_its_reason(html: str, reason: str) -> None:
    started = time.perf_counter()
    with pytest.raises(InvalidArticle) as caught:
        clean(RawArticle(html=html), Settings(max_article_bytes=600_000))
    assert caught.value.reason.value == reason
    assert time.perf_counter() - started < 5


def test_huge_html_under_the_limit_is_bounded() -> None:
    html = "<html><body><article>" + PARAGRAPH * 1_900 + "</article></body></html>"
    started = time.perf_counter()
    article = clean(RawArticle(html=html), Settings(max_article_bytes=200_000))
    assert ENGLISH in article.text
    assert time.perf_counter() - started < 10


def test_html_metadata_and_future_dates() -> None:
    head = (
        "<html lang='en'><head><title>Budget passes | City News</title>"
        "<meta name='author' content='Jane Doe'><meta property='og:site_name' content='City News'>"
        "<link rel='canonical' href='https://news.example.com/budget'>"
        "<meta property='article:published_time' content='{date}'></head>"
    )
    monday = PARAGRAPH.replace("Tuesday", "Monday")
    body = f"<body><article><h1>Budget passes</h1>{PARAGRAPH}{monday}</article></body></html>"
    past = clean(RawArticle(html=head.format(date="2019-11-19T10:00:00Z") + body), SETTINGS)
    assert past.metadata.author == "Jane Doe" and past.metadata.site == "City News"
    assert past.metadata.url == "https://news.example.com/budget"
    assert past.metadata.date is not None and past.metadata.date.year == 2019
    assert not past.text.startswith("Budget passes")  # the headline is the title, not the body
    future = clean(RawArticle(html=head.format(date="2099-01-01T00:00:00Z") + body), SETTINGS)
    assert future.metadata.date is None or future.metadata.date.year < 2099


def test_html_boilerplate_is_reported() -> None:
    html = (
        "<html><head><title>Budget passes</title></head><body><article><h1>Budget passes</h1>"
        f"{PARAGRAPH}<p>Advertisement</p>{PARAGRAPH.replace('Tuesday', 'Monday')}"
        "<p>Reporting by Jane Doe; Editing by John Roe</p></article></body></html>"
    )
    article = clean(RawArticle(html=html), SETTINGS)
    assert "Advertisement" not in article.text and "Reporting by" not in article.text
    assert {r.kind for r in article.removed} >= {"advertisement", "credit"}


def test_two_producers_of_one_story_get_one_hash() -> None:
    wire = (
        "Kim’s “alliance” – a pact… signed on Wednesday.\n\nIt deepens ties.\n\n"
        "Follow us on Twitter\n\nLeave a Comment"
    )
    scraper = (
        '  Kim\'s "alliance" - a pact... signed on\u00a0Wednesday.\n\n\n'
        " It deepens\u200b ties. \n\nAdvertisement"
    )
    a, b = clean(RawArticle(text=wire), SETTINGS), clean(RawArticle(text=scraper), SETTINGS)
    assert a.content_hash == b.content_hash
    assert a.content_hash != clean(RawArticle(text="It deepens ties.\n\nKim signed."), SETTINGS).content_hash


@pytest.mark.parametrize(
    ("first", "is_title"),
    [("Rivals of the £400 Apple...", True), ("Budget passes", True), ("The council met on Monday.", False)],
)
def test_first_line_reads_as_a_title(first: str, is_title: bool) -> None:
    article = clean(RawArticle(text=f"{first}\n\n{ENGLISH}"), SETTINGS)
    assert (article.title == first) is is_title


def test_a_date_the_story_mentions_is_not_taken_for_the_publication_date() -> None:
    html = (
        f"<html><body><article>{PARAGRAPH * 3}<p>The plan runs until March 3, 2018 at the latest.</p>"
        "</article><footer>© 2019 City News</footer></body></html>"
    )
    assert clean(RawArticle(html=html), SETTINGS).metadata.date is None


def test_producer_dates_in_the_future_become_null() -> None:
    future = clean(RawArticle(text=ENGLISH, published_at="2099-01-01T00:00:00Z"), SETTINGS)
    past = clean(RawArticle(text=ENGLISH, published_at="2019-11-19T10:00:00"), SETTINGS)
    assert future.metadata.date is None
    assert past.metadata.date is not None and past.metadata.date.year == 2019


def test_pages_with_too_many_elements_are_refused_before_parsing() -> None:
    html = "<html><body>" + "<span>a</span>" * 200 + "</body></html>"
    with pytest.raises(InvalidArticle) as caught:
        clean(RawArticle(html=html), Settings(max_html_elements=100))
    assert caught.value.reason is ErrorReason.TOO_LARGE
