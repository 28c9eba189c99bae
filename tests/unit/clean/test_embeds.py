"""Embedded posts dropped by the extractor come back between the story paragraphs they sat between."""

from trafilatura.utils import load_html

from worker.stages.clean.embeds import Embed, find_embeds, restore_embeds

FIRST = "The state launched its anti-drug campaign on Monday with a slogan that quickly drew ridicule."
SECOND = "Officials defended the campaign, saying it had started a conversation about addiction."
TWEET = (
    '<blockquote class="twitter-tweet"><p lang="en">Yes this is real<br>and yes it cost a lot '
    '<a href="https://t.co/x">https://t.co/x</a></p>— Dee (@dee) <a href="https://twitter.com/dee/1">'
    "November 18, 2019</a></blockquote>"
)


def test_posts_are_found_with_the_paragraph_before_them() -> None:
    tree = load_html(
        f"<html><body><p>{FIRST}</p><div class='embed'>{TWEET}</div><p>{SECOND}</p></body></html>"
    )
    assert find_embeds(tree) == [
        Embed(
            FIRST, ("Yes this is real and yes it cost a lot https://t.co/x", "— Dee (@dee) November 18, 2019")
        )
    ]


def test_a_post_with_no_paragraph_before_it_is_ignored() -> None:
    assert find_embeds(load_html(f"<html><body>{TWEET}<p>{FIRST}</p></body></html>")) == []


def test_missing_posts_are_restored_after_their_anchor_in_page_order() -> None:
    embeds = [
        Embed(FIRST, ("post one",)),
        Embed(FIRST, ("post two",)),
        Embed("not in the story " * 4, ("x",)),
    ]
    assert restore_embeds([FIRST, SECOND], embeds) == [FIRST, "post one", "post two", SECOND]


def test_posts_already_extracted_are_not_doubled() -> None:
    assert restore_embeds([FIRST, "post one", SECOND], [Embed(FIRST, ("post one",))]) == [
        FIRST,
        "post one",
        SECOND,
    ]
