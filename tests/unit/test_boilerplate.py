"""Boilerplate lines go; story sentences that merely mention the same words stay."""

import pytest

from worker.stages.boilerplate import boilerplate_kind


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Leave a Comment", "comment_prompt"),
        ("Leave a Reply", "comment_prompt"),
        ("12 Comments", "comment_prompt"),
        ("This site uses Akismet to reduce spam. Learn how your comment data is processed.", "spam_notice"),
        ("Share this:", "share_bar"),
        ("Facebook Twitter Email", "share_bar"),
        ("Share on Facebook", "share_bar"),
        ("Follow us on Twitter", "follow_prompt"),
        ("Sign up for our daily newsletter", "newsletter"),
        ("We use cookies to improve your experience.", "cookie_notice"),
        ("Advertisement", "advertisement"),
        ("Read more: Budget talks collapse", "read_more"),
        ("Photo: Reuters", "photo_credit"),
    ],
)
def test_boilerplate_lines_are_recognised(line: str, kind: str) -> None:
    assert boilerplate_kind(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        "Kim said the comments were taken out of context.",
        "The minister declined to comment on the report.",
        "Users who leave a comment on the site will be asked for their name, the regulator said.",
        "Shares in the company rose 4% on Monday.",
        "Regulators said the website uses cookies to track children without consent, which is illegal.",
        "Read more about the history of the treaty in the archive, the museum suggested.",
        "Advertisement revenue fell sharply last year.",
        "The photo was taken in Pyongyang.",
    ],
)
def test_story_lines_stay(line: str) -> None:
    assert boilerplate_kind(line) is None
