"""Headline echo, comment threads, tag lists and datelines are removed and reported."""

import pytest

from worker.stages.boilerplate import is_dateline
from worker.stages.clean.noise import echoes_title, strip_noise

STORY = "The council approved the new budget on Tuesday after a long debate about schools and roads."


def test_headline_echo_at_the_top_is_removed() -> None:
    blocks = ["Budget passes after long debate", STORY]
    kept, removed = strip_noise(blocks, ("Budget passes after long debate | City News",))
    assert kept == [STORY]
    assert [(r.kind, r.text) for r in removed] == [("title_echo", "Budget passes after long debate")]


def test_a_headline_line_further_down_stays() -> None:
    blocks = [STORY, STORY, "Budget passes after long debate", STORY]
    kept, removed = strip_noise(blocks, ("Budget passes after long debate",))
    assert kept == blocks and removed == []


@pytest.mark.parametrize(
    ("line", "title", "echo"),
    [
        ("Budget passes", "Budget passes | City News", False),  # too short a part of the title
        ("Cat found in New Mexico after going missing", "Cat found in New Mexico after going missing", True),
        (
            "Cat is found in New Mexico after going missing",
            "Cat found in New Mexico after going missing",
            True,
        ),
        ("HS Roundup: Viera beats Rockledge", "High School Roundup: Viera defeats Rockledge again", False),
        (
            "Exclusive: Cat found in New Mexico after going missing",
            "Cat found in New Mexico after going missing",
            True,
        ),
        (STORY, "Budget passes", False),
        ("Storm hits coast of Florida.", "Storm hits coast", False),  # a lede, not the headline
    ],
)
def test_echoes_title(line: str, title: str, echo: bool) -> None:
    assert echoes_title(line, title) is echo


def test_comment_thread_is_cut_with_its_replies() -> None:
    blocks = [STORY, STORY, "6 thoughts on “Budget”", "Great article, thanks!", "I disagree with the mayor."]
    kept, removed = strip_noise(blocks)
    assert kept == [STORY, STORY]
    assert [r.kind for r in removed] == ["comment_prompt", "comment", "comment"]


def test_a_comment_count_near_the_top_only_drops_its_line() -> None:
    blocks = [STORY, "12 Comments", STORY, STORY, STORY, STORY, STORY, STORY]
    kept, removed = strip_noise(blocks)
    assert kept == [STORY] * 7
    assert [r.kind for r in removed] == ["comment_prompt"]


def test_comment_word_without_story_before_does_not_cut() -> None:
    kept, removed = strip_noise(["Comments", STORY, STORY])
    assert kept == [STORY, STORY] and [r.kind for r in removed] == ["comment_prompt"]


def test_tag_list_after_a_tags_heading_goes() -> None:
    blocks = [STORY, "Tags", "budget, city council, schools"]
    kept, removed = strip_noise(blocks)
    assert kept == [STORY] and [r.kind for r in removed] == ["tags", "tags"]


def test_lines_inside_a_paragraph_keep_their_paragraph() -> None:
    kept, removed = strip_noise([f"{STORY}\nAdvertisement\n{STORY}", "Read more: Other story"])
    assert kept == [f"{STORY}\n{STORY}"]
    assert [r.kind for r in removed] == ["advertisement", "read_more"]


@pytest.mark.parametrize(
    ("line", "stamp"),
    [
        ("Updated at 1:23 p.m.", True),
        ("10 p.m.", True),
        ("Nov. 19, 2019, 5:45 AM PST", True),
        ("22 de janeiro de 2018 às 0:13", True),
        ("On Monday 5 people died.", False),
        ("Rockledge 14 11 6 15 — 44", False),
        ("The vote was 5 to 4.", False),
        ("Monday", False),
    ],
)
def test_datelines(line: str, stamp: bool) -> None:
    assert is_dateline(line) is stamp


def test_related_links_under_a_bare_heading_go_and_the_story_resumes() -> None:
    blocks = [STORY, "Related stories", "Budget row: what happens next", "- Five charts on city debt", STORY]
    kept, removed = strip_noise(blocks)
    assert kept == [STORY, STORY]
    assert [r.kind for r in removed] == ["read_more", "related_links", "related_links"]


def test_a_read_more_line_with_its_link_does_not_swallow_the_next_line() -> None:
    blocks = [STORY, "Read more: Budget row deepens", "Officials met again", STORY]
    kept, removed = strip_noise(blocks)
    assert kept == [STORY, "Officials met again", STORY]
    assert [r.kind for r in removed] == ["read_more"]


def test_a_comments_link_under_the_headline_opens_no_thread() -> None:
    blocks = ["With writers on strike, two hosts appear on each other's show", "Comments", STORY, STORY]
    kept, removed = strip_noise(blocks)
    assert kept == [blocks[0], STORY, STORY] and [r.kind for r in removed] == ["comment_prompt"]
