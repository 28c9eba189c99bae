"""Sentence repair for the summary: captions glued to the next sentence are cut apart."""

from worker.stages.summary.sentences import split_glued


def _pieces(text: str) -> list[str]:
    return [text[start:end] for start, end in split_glued(text, 0, len(text))]


def test_a_caption_glued_to_a_sentence_is_cut_off_with_exact_offsets() -> None:
    text = (
        "People who never divorced can expect a retirement income 13% higher than a colleague "
        "The cost of divorce can wreck retirement many years after the break-up."
    )
    assert _pieces(text) == [
        "People who never divorced can expect a retirement income 13% higher than a colleague",
        "The cost of divorce can wreck retirement many years after the break-up.",
    ]


def test_a_caption_before_an_opening_quote_is_cut_off() -> None:
    text = "Kilmarnock will name Gary Locke boss on Friday ‘I’d be over the moon to get it,’ said Locke."
    assert _pieces(text) == [
        "Kilmarnock will name Gary Locke boss on Friday",
        "‘I’d be over the moon to get it,’ said Locke.",
    ]


def test_ordinary_sentences_stay_whole() -> None:
    for text in (
        "He told the court ‘I did nothing wrong’ before the verdict was read.",  # a speech verb
        "She said The Times had published the letter on Monday morning.",  # a name, not a seam
        "The bank raised rates. It said inflation was too high.",  # already two sentences
        "Shares rose It fell",  # pieces shorter than four words
    ):
        assert _pieces(text) == [text], text


def test_offsets_are_inside_the_given_span() -> None:
    text = "Intro. Police said the man fled the scene on foot It was the third attack this month. End."
    start = text.index("Police")
    end = text.index(" End.")
    assert [text[a:b] for a, b in split_glued(text, start, end)] == [
        "Police said the man fled the scene on foot",
        "It was the third attack this month.",
    ]
