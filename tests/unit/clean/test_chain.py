"""The extractor chain on hand-written pages: no page with prose is lost, furniture is cut by structure."""

import pytest

from schemas import ErrorReason, RawArticle
from worker.config import Settings
from worker.errors import InvalidArticle
from worker.stages.clean import clean
from worker.stages.clean.candidates import from_trafilatura
from worker.stages.clean.html import extract_html
from worker.stages.clean.limits import is_markup
from worker.stages.clean.markup import close_title, parse_page

SETTINGS = Settings()
STORY = (
    "The council approved the new budget on Tuesday after a long debate about schools, roads and "
    "the future of the public library system in the north of the city.",
    "Residents who spoke at the meeting said the plan would close two branch libraries and cut "
    "three bus routes that many older people depend on every day.",
    "The mayor said the savings were needed to balance the books, and promised that the libraries "
    "would reopen once the city had found a new source of money.",
    "Opposition members voted against the plan and said they would take the matter to the "
    "regional court before the cuts come into force in the spring.",
)
PARAGRAPHS = "".join(f"<p>{line}</p>" for line in STORY)


def page(body: str, head: str = "<title>Budget passes after long debate</title>") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def assert_whole_story(text: str) -> None:
    for line in STORY:
        assert line in text


def test_a_story_in_a_footer_is_found_by_recall_mode() -> None:
    html = page(f"<footer>{PARAGRAPHS}</footer>")
    tree = parse_page(html)
    assert from_trafilatura(tree, None, "precision").text == ""  # precision mode empties the page
    assert_whole_story(clean(RawArticle(html=html), SETTINGS).text)


def test_a_story_no_trafilatura_mode_keeps_is_found_by_readability() -> None:
    html = page(f"<div class='comment-body'>{PARAGRAPHS}</div>")
    tree = parse_page(html)
    for mode in ("fast", "precision", "default", "recall"):
        assert from_trafilatura(tree, None, mode).text == ""
    extracted = extract_html(html)
    assert extracted.source == "readability"
    assert_whole_story(extracted.text)


def test_a_layout_table_gives_way_to_the_story_inside_it() -> None:
    menu = "".join(f"<tr><td><a href='/s/{i}'>Section {i}</a></td></tr>" for i in range(12))
    html = page(
        "<table><tr><td><table>" + menu + "</table></td>"
        f"<td><h1>Budget passes after long debate</h1>{PARAGRAPHS}</td>"
        "<td><table><tr><td>Weather</td><td>12C</td></tr><tr><td>Traffic</td><td>Heavy</td></tr></table></td>"
        "</tr></table>"
    )
    article = clean(RawArticle(html=html), SETTINGS)
    assert_whole_story(article.text)
    assert "Section 3" not in article.text and "Traffic" not in article.text


COMMENTS = "".join(
    f"<div><p><b>{name}</b> wrote:</p><p>{said}</p></div>"
    for name, said in (
        ("jenny42", "This is a disgrace, the libraries are the only warm place for many people in winter."),
        ("Bob", "Finally someone is making the hard choices, the city has been spending money it lacks."),
    )
)
RELATED = (
    "<h3>Related stories</h3><ul>"
    + "".join(
        f"<li><a href='/n/{i}'>{title}</a></li>"
        for i, title in enumerate(("Council names a new head of libraries", "Bus routes to change in March"))
    )
    + "</ul>"
)
LINKS = (
    "<ul>"
    + "".join(
        f"<li><a href='/m/{i}'>{title}</a></li>"
        for i, title in enumerate(
            ("Storm closes the coast road", "Local team wins the cup", "New cafe opens")
        )
    )
    + "</ul>"
)


def test_comment_thread_and_link_lists_after_the_story_are_cut_by_structure() -> None:
    html = page(f"<div><div>{PARAGRAPHS}</div>{RELATED}{LINKS}<div><h3>2 comments</h3>{COMMENTS}</div></div>")
    article = clean(RawArticle(html=html), SETTINGS)
    assert_whole_story(article.text)
    for gone in ("jenny42", "disgrace", "hard choices", "Bus routes to change", "Storm closes"):
        assert gone not in article.text
    kinds = {removal.kind for removal in article.removed}
    assert {"comment", "related_links"} <= kinds


def test_a_comments_heading_above_the_story_takes_nothing() -> None:
    html = page(f"<div><h3>Comments</h3><div>{PARAGRAPHS}</div></div>")
    assert_whole_story(clean(RawArticle(html=html), SETTINGS).text)


def test_an_unclosed_title_is_closed_at_its_line_end() -> None:
    assert close_title("<title>Budget passes\n<body>") == "<title>Budget passes</title>\n<body>"
    assert close_title("<title>Fine</title><body>") == "<title>Fine</title><body>"


@pytest.mark.parametrize(
    "head",
    [
        "<title>Budget passes after long debate\n",  # never closed: the page is the title's text
        '<title id="t">Budget passes</titlevalue="true" -->\n',  # closed by a mangled tag
    ],
)
def test_broken_markup_that_swallows_the_page_is_repaired(head: str) -> None:
    html = f"<html><head>{head}<meta name='x' content='y'></head><body><div>{PARAGRAPHS}</div></body></html>"
    assert_whole_story(clean(RawArticle(html=html), SETTINGS).text)


def test_an_html_page_with_stray_nul_and_control_bytes_is_not_binary() -> None:
    odd = "\x00\x01\x02\x1b" * 40
    html = f"<!DOCTYPE html><html><head><title>Budget</title></head><body><div>{odd}{PARAGRAPHS}</div></body>"
    assert is_markup(html)
    assert_whole_story(clean(RawArticle(html=html), SETTINGS).text)


@pytest.mark.parametrize(
    "raw",
    [
        RawArticle(html="PK\x03\x04\x14\x00\x00\x00\x08\x00" * 200),  # a zip file sent as a page
        RawArticle(html="\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 100),  # an image
        RawArticle(text="\x00\x01\x02PK\x03\x04" * 50),
    ],
)
def test_bytes_that_are_not_text_are_binary(raw: RawArticle) -> None:
    with pytest.raises(InvalidArticle) as caught:
        clean(raw, SETTINGS)
    assert caught.value.reason is ErrorReason.BINARY_CONTENT


def test_a_reprint_notice_gives_way_to_the_story(monkeypatch: pytest.MonkeyPatch) -> None:
    """When every trafilatura mode keeps only a notice, readability's plausible story wins."""
    from worker.stages.clean import html as chain
    from worker.stages.clean.candidates import Candidate

    notice = (
        "This copy is for your personal, non-commercial use only. To order presentation-ready copies "
        "for distribution to your colleagues or clients, visit www.example.com/reprints"
    )
    monkeypatch.setattr(chain, "from_trafilatura", lambda tree, url, mode: Candidate(mode, notice))
    tree = parse_page(page(f"<p>{notice}</p><div>{PARAGRAPHS * 2}</div>"))
    chosen = chain.choose_body(tree, None)
    assert chosen.source == "readability"
    assert_whole_story(chosen.text)
