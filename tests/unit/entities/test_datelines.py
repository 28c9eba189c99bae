"""Wire datelines: the place in capitals before the date is a GPE mention."""

from worker.stages.entities.datelines import dateline_places, with_datelines
from worker.stages.entities.mentions import RawMention


def test_dateline_places_and_regions() -> None:
    text = "Nadim Ladki AL-AIN , United Arab Emirates 1996-12-06 Japan won. LONDON (Reuters) - Shares fell."
    assert [text[a:b] for a, b in dateline_places(text)] == ["AL-AIN", "United Arab Emirates", "LONDON"]
    assert dateline_places("The UN met on 2005-01-02 in Rome.") == []  # not in capitals


def test_a_mention_that_ran_into_the_place_stops_before_it() -> None:
    text = "Nadim Ladki AL-AIN 1996-12-06 Japan won."
    glued = RawMention(0, 18, "Nadim Ladki AL-AIN", "PERSON")
    mentions, tagged = with_datelines(text, [glued], [(0, 18), (19, 29)])
    assert [(m.text, m.label) for m in mentions] == [("Nadim Ladki", "PERSON"), ("AL-AIN", "GPE")]
    assert (0, 18) not in tagged and (19, 29) in tagged and (12, 18) in tagged
