"""The plausibility check on hand-written candidate bodies."""

from worker.stages.clean.plausible import core_of, has_prose, shape, suspect

PROSE = (
    "The council approved the new budget on Tuesday after a long debate about schools and roads in town.\n"
    "Residents said the plan would close two branch libraries and cut three bus routes used by older people."
)


def test_prose_needs_a_full_sentence_of_ordinary_length() -> None:
    assert has_prose(PROSE)
    assert not has_prose("Home\nNews\nSport\nThe budget passes")


def test_a_clean_story_is_not_suspect() -> None:
    assert suspect(PROSE) is None
    assert suspect(PROSE, page_prose=60) is None


def test_suspect_shapes() -> None:
    assert suspect("") == "no_prose"
    assert suspect(PROSE, page_prose=2000) == "little_prose"
    table = "\n".join(f"| {line} | Weather | Sport |" for line in PROSE.split("\n"))
    assert shape(table).table_share == 1.0 and suspect(table) == "layout_table"
    links = PROSE + "\n" + "\n".join(f"Story number {i}" for i in range(6))
    assert suspect(links) == "short_lines"


def test_the_core_of_a_candidate_is_the_shorter_text_it_contains() -> None:
    padded = PROSE + "\n" + "\n".join(f"Read our other story about item {i} today" for i in range(8))
    assert core_of(padded, PROSE)
    assert not core_of(PROSE, padded)  # longer
    assert not core_of(padded, "Read our other story")  # no prose
    other = "A different story about a storm that closed the coast road for two days and cut the power."
    assert not core_of(padded, other)  # not inside the candidate
