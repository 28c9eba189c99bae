"""Sentence repair for the summary: captions glued to the next sentence are cut apart."""

from itertools import pairwise

import pytest

from worker.stages.summary.sentences import split_glued


def _pieces(text: str) -> list[str]:
    return [text[start:end] for start, end in split_glued(text, 0, len(text))]


@pytest.mark.parametrize(
    "pieces",
    [
        [  # a clause opener after a word without final punctuation
            "People who never divorced can expect a retirement income 13% higher than a colleague",
            "The cost of divorce can wreck retirement many years after the break-up.",
        ],
        [  # an opening quotation mark
            "Kilmarnock will name Gary Locke boss on Friday",
            "‘I’d be over the moon to get it,’ said Locke.",
        ],
        [  # a caption's label
            "The driver was taken to the county hospital but died later that night",
            "Scene: Officers closed the road for six hours while they searched the verge.",
        ],
        [  # a label of a name and a speech verb after a caption
            "The director said the actor never let illness slow his career",
            "Redwood said: ‘My aim was simple: careful research and the best performers.’",
        ],
        [  # after a closing quotation mark; a contraction
            "The show was renamed ‘Summer Nights’",
            "The producers said the old title confused viewers",
            "It’s the second change this year and another may follow.",
        ],
        [  # boilerplate glued to the start
            "Scroll down for video",
            "Firefighters rescued two hikers from the cliff on Sunday.",
        ],
        [  # more openers, one before a number
            "The march was the largest the city had seen in a decade",
            "And it was peaceful from start to end",
            "In 2019, a smaller march ended in arrests near the station",
            "Count: Organisers said more than 40,000 people took part.",
        ],
    ],
)
def test_glued_sentences_are_cut_apart_with_exact_offsets(pieces: list[str]) -> None:
    assert _pieces(" ".join(pieces)) == pieces


@pytest.mark.parametrize(
    "text",
    [
        "He told the court ‘I did nothing wrong’ before the verdict was read.",  # a speech verb
        "She said The Times had published the letter on Monday morning.",  # a name, not a seam
        "The bank raised rates. It said inflation was too high.",  # already two sentences
        "Shares rose It fell",  # pieces shorter than four words
        "The Lord of the Rings: The Return of the King took the most money at the weekend.",  # a title
        "They went to see Return of the Jedi: The Special Edition at the cinema last night.",
        "The charity's chief Anna Orr said: ‘It is worrying to see another rise this year.’",  # speech
        "The story is to be told in a new film dubbed ‘The Long Walk Home’ next spring.",  # naming
        "Ministers will meet the White House: The talks are set for the spring, aides say.",  # a name
        "On 10 March the talks resumed in Geneva after a week of delays.",  # reads as a dateline
        "More than 200 people were evacuated from the building on Monday.",  # a read-more link
        "Email Systems, a small engineering firm, received 12 million messages in January.",  # a share bar
    ],
)
def test_ordinary_sentences_stay_whole(text: str) -> None:
    assert _pieces(text) == [text]


def test_caption_labels_are_read_in_english_only() -> None:
    text = "Die Polizei zog am Abend eine Bilanz: Mehr als hundert Menschen wurden verletzt."
    cut = split_glued(text, 0, len(text))
    assert [text[a:b] for a, b in cut] == [
        "Die Polizei zog am Abend eine",
        "Bilanz: Mehr als hundert Menschen wurden verletzt.",
    ]  # what an English reading would do
    assert split_glued(text, 0, len(text), labels=False) == [(0, len(text))]


def test_offsets_are_inside_the_given_span() -> None:
    text = "Intro. Police said the man fled the scene on foot It was the third attack this month. End."
    start = text.index("Police")
    end = text.index(" End.")
    assert [text[a:b] for a, b in split_glued(text, start, end)] == [
        "Police said the man fled the scene on foot",
        "It was the third attack this month.",
    ]


def test_a_sentence_of_fifty_thousand_words_is_cut_at_every_seam() -> None:
    text = "a cat sat on a mat The dog ran " * 7_000  # one "sentence": no final punctuation anywhere
    cut = split_glued(text, 0, len(text))
    assert len(cut) == 7_000
    assert cut[0] == (0, len("a cat sat on a mat")) and cut[-1][1] == len(text)
    assert all(text[end:next_start] == " " for (_, end), (next_start, _) in pairwise(cut))
    title_like = "word word word " + "the The cat sat on the mat " * 7_000  # every seam after "the"
    assert split_glued(title_like, 0, len(title_like)) == [(0, len(title_like))]
