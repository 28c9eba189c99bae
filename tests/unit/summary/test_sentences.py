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


def test_a_caption_label_after_a_caption_is_cut_off() -> None:
    text = (
        "The driver was taken to the county hospital but died later that night "
        "Scene: Officers closed the road for six hours while they searched the verge."
    )
    assert _pieces(text) == [
        "The driver was taken to the county hospital but died later that night",
        "Scene: Officers closed the road for six hours while they searched the verge.",
    ]


def test_a_seam_after_a_closing_quote_or_before_a_contraction_is_cut() -> None:
    text = (
        "The show was renamed ‘Summer Nights’ The producers said the old title confused viewers "
        "It’s the second change this year and another may follow."
    )
    assert _pieces(text) == [
        "The show was renamed ‘Summer Nights’",
        "The producers said the old title confused viewers",
        "It’s the second change this year and another may follow.",
    ]


def test_titles_names_and_introduced_quotes_stay_whole() -> None:
    for text in (
        "The Lord of the Rings: The Return of the King took the most money at the weekend.",  # a title
        "They went to see Return of the Jedi: The Special Edition at the cinema last night.",
        "The charity's chief Anna Orr said: ‘It is worrying to see another rise this year.’",  # speech
        "The story is to be told in a new film dubbed ‘The Long Walk Home’ next spring.",  # naming
        "Ministers will meet the White House: The talks are set for the spring, aides say.",  # a name
    ):
        assert _pieces(text) == [text], text


def test_a_boilerplate_line_glued_to_the_start_is_cut_off() -> None:
    text = "Scroll down for video Firefighters rescued two hikers from the cliff on Sunday."
    assert _pieces(text) == [
        "Scroll down for video",
        "Firefighters rescued two hikers from the cliff on Sunday.",
    ]


def test_more_openers_mark_seams() -> None:
    text = (
        "The march was the largest the city had seen in a decade And it was peaceful from start to end "
        "In 2019, a smaller march ended in arrests near the station "
        "Count: Organisers said more than 40,000 people took part."
    )
    assert _pieces(text) == [
        "The march was the largest the city had seen in a decade",
        "And it was peaceful from start to end",
        "In 2019, a smaller march ended in arrests near the station",
        "Count: Organisers said more than 40,000 people took part.",
    ]


def test_words_a_sentence_may_open_with_are_not_cut_off_as_boilerplate() -> None:
    for text in (
        "On 10 March the talks resumed in Geneva after a week of delays.",  # reads as a dateline
        "More than 200 people were evacuated from the building on Monday.",  # a read-more link
        "Email Systems, a small engineering firm, received 12 million messages in January.",  # a share bar
    ):
        assert _pieces(text) == [text], text
