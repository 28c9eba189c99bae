"""Merge rules and must-stay-apart rules, on a blank pipeline with an entity_ruler (deterministic)."""

import pytest
import spacy
from spacy.language import Language

from schemas import AnalysedArticle, CleanArticle
from worker.stages.entities import analyse
from worker.stages.entities.canonical import cluster_mentions, first_name_slip, near_miss
from worker.stages.entities.first_names import is_first_name
from worker.stages.entities.mentions import RawMention, clean_mentions, fix_label

PERSONS = [
    "Vladimir Putin", "Vladimar Putin", "Putin", "Mr Putin", "President Vladimir Putin",
    "Kim Jong Un", "Kim Yo Jong", "Kim", "Vladimir", "Chinese President Xi Jinping", "Xi Jinping",
    "Andrew Smith", "Andrea Smith", "Smith", "Jon Lee", "Joan Lee", "Mr Kim",
]  # fmt: skip
ORGS = ["United Nations", "U.N.", "UN", "Unilever Nigeria", "World Health Organization", "WHO"]
PLACES = [
    "United States",
    "US",
    "U.S.",
    "Russia",
    "Ukrainian",
    "North Korea",
    "North",
    "Sudan",
    "South Sudan",
]


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer")
    ruler = pipeline.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(  # type: ignore[attr-defined]
        [{"label": "PERSON", "pattern": p} for p in PERSONS]
        + [{"label": "ORG", "pattern": p} for p in ORGS]
        + [{"label": "GPE", "pattern": p} for p in PLACES]
    )
    pipeline.meta.update({"name": "ruler_test", "version": "0.0.1"})
    return pipeline


def _run(nlp: Language, text: str, title: str = "") -> AnalysedArticle:
    article = CleanArticle(
        article_id="test",
        content_hash="0" * 64,
        title=title,
        text=text,
        language="en",
        language_confidence=1.0,
        pipeline_version="test",
    )
    return analyse(article, nlp)


def _groups(result: AnalysedArticle) -> dict[str, set[str]]:
    return {e.name: {m.text for m in e.mentions} for e in result.entities}


def test_surname_first_name_and_titles_join_the_full_name(nlp: Language) -> None:
    text = (
        "President Vladimir Putin arrived. Mr Putin spoke. Putin left.\n\n"
        "Kim Jong Un waited. Mr Kim smiled. Vladimir waved. Chinese President Xi Jinping was absent."
    )
    groups = _groups(_run(nlp, text))
    assert groups["Vladimir Putin"] == {"Vladimir Putin", "Putin", "Vladimir"}
    assert groups["Kim Jong Un"] == {"Kim Jong Un", "Kim"}
    assert groups["Xi Jinping"] == {"Xi Jinping"}  # "Chinese President" is not part of the name
    assert len(groups) == 3


def test_near_miss_spelling_joins_and_the_known_spelling_names_it() -> None:
    mentions = [
        RawMention(0, 14, "Vladimar Putin", "PERSON"),
        RawMention(20, 34, "Vladimir Putin", "PERSON"),
        RawMention(40, 45, "Putin", "PERSON"),
    ]
    (cluster,) = cluster_mentions(mentions, known={"Vladimir", "Putin"}.__contains__)
    assert cluster.name == "Vladimir Putin"
    assert cluster.aliases == ("Putin", "Vladimar Putin")
    (unknown,) = cluster_mentions(mentions)
    assert unknown.name == "Vladimar Putin"  # without a vocabulary: a tie, the first form


def test_near_miss_tolerance_keeps_different_people_apart(nlp: Language) -> None:
    assert (
        near_miss("Vladimir", "Vladimar")
        and near_miss("Vladmiir", "Vladimir")
        and near_miss("Vladimr", "Vladimir")
    )
    assert not near_miss("Andrew", "Andrea")  # a different last letter: a different name
    assert not near_miss("Jon", "Joan") and not near_miss("Kim", "Kin")  # too short to judge
    text = "Andrew Smith met Andrea Smith. Jon Lee met Joan Lee. Smith said nothing."
    groups = _groups(_run(nlp, text))
    assert {"Andrew Smith", "Andrea Smith", "Jon Lee", "Joan Lee", "Smith"} == set(groups)


def test_two_kims_stay_apart_and_the_bare_surname_stays_alone(nlp: Language) -> None:
    text = "Kim Jong Un met Kim Yo Jong. Kim spoke first."
    groups = _groups(_run(nlp, text))
    assert groups == {"Kim Jong Un": {"Kim Jong Un"}, "Kim Yo Jong": {"Kim Yo Jong"}, "Kim": {"Kim"}}


def test_acronyms_and_short_forms_join_the_long_form(nlp: Language) -> None:
    text = (
        "The United Nations met in the United States. The U.N. and the UN are one; "
        "the US and the U.S. are one. The World Health Organization, or WHO, agreed."
    )
    groups = _groups(_run(nlp, text))
    assert groups["United Nations"] == {"United Nations", "U.N.", "UN"}
    assert groups["United States"] == {"United States", "US", "U.S."}
    assert groups["World Health Organization"] == {"World Health Organization", "WHO"}


def test_the_north_joins_the_one_place_named_with_it_but_sudan_is_not_south_sudan(nlp: Language) -> None:
    text = "North Korea hosted talks. The North wants aid. Sudan and South Sudan sent envoys."
    groups = _groups(_run(nlp, text))
    assert groups["North Korea"] == {"North Korea", "North"}
    assert groups["Sudan"] == {"Sudan"} and groups["South Sudan"] == {"South Sudan"}


def test_an_acronym_with_two_possible_long_forms_stays_apart(nlp: Language) -> None:
    text = "Unilever Nigeria and the United Nations: the UN said little."
    groups = _groups(_run(nlp, text))
    assert groups["UN"] == {"UN"}


def test_possessives_brackets_and_quotes_leave_the_span(nlp: Language) -> None:
    text = "Russia’s (Vladimar Putin) met “Putin’s” friends. Russia's envoy came."
    result = _run(nlp, text)
    for entity in result.entities:
        for mention in entity.mentions:
            assert result.text[mention.start : mention.end] == mention.text
            assert not any(ch in mention.text for ch in "’'()“”")
    assert _groups(result)["Russia"] == {"Russia"}


def test_a_glued_span_splits_and_labels_are_voted() -> None:
    text = "Russia`s(Vladimar Putin)"
    pieces = clean_mentions(text, 0, len(text) - 1, "PERSON")
    assert [(m.text, m.split) for m in pieces] == [("Russia", True), ("Vladimar Putin", True)]
    votes = [*pieces, RawMention(30, 36, "Russia", "GPE"), RawMention(40, 46, "Russia", "GPE")]
    labels = {c.name: c.label for c in cluster_mentions(votes)}
    assert labels == {"Russia": "GPE", "Vladimar Putin": "PERSON"}
    assert fix_label("Ukrainian", "GPE") == "NORP" and fix_label("Ukraine", "GPE") == "GPE"


def test_title_mentions_come_from_body_entities(nlp: Language) -> None:
    title = "Putin and Kim Sign Pact With United States Support"
    text = "Vladimir Putin met Kim Jong Un. The United States objected."
    result = _run(nlp, text, title)
    found = {e.name: [(m.text, m.start) for m in e.title_mentions] for e in result.entities}
    assert found["Vladimir Putin"] == [("Putin", 0)]
    assert found["Kim Jong Un"] == [("Kim", 10)]
    assert found["United States"] == [("United States", title.index("United"))]
    top = result.entities[0]
    assert top.salience >= max(e.salience for e in result.entities)
    assert all(e.salience > 0.25 for e in result.entities if e.title_mentions)


def test_a_misspelt_first_name_joins_and_two_real_names_stay_apart() -> None:
    assert first_name_slip("paal", "paul", 1, 2)  # "paal" is no first name
    assert first_name_slip("alicie", "alicia", 1, 1)
    assert first_name_slip("christpoher", "christopher", 1, 1)  # a swap
    assert first_name_slip("chrstophr", "christopher", 1, 1)  # two edits in a long name
    assert not first_name_slip("mark", "mary", 1, 1)  # two real names, as common as each other
    assert first_name_slip("mary", "mark", 1, 3)  # ... unless one is far rarer
    assert not first_name_slip("paul", "raul", 1, 1)  # the first letter differs
    assert not first_name_slip("pual", "piel", 1, 1)  # two edits in a short name
    mentions = [
        RawMention(0, 11, "Paul Tucker", "PERSON"),
        RawMention(20, 31, "Paal Tucker", "PERSON"),
        RawMention(40, 51, "Paul Tucker", "PERSON"),
        RawMention(60, 70, "Mark Smith", "PERSON"),
        RawMention(80, 90, "Mary Smith", "PERSON"),
    ]
    names = {c.name: c.aliases for c in cluster_mentions(mentions)}
    assert names == {"Paul Tucker": ("Paal Tucker",), "Mark Smith": (), "Mary Smith": ()}


def test_a_spelling_only_one_locale_lists_is_no_known_first_name() -> None:
    assert is_first_name("Mary") and is_first_name("michel")
    assert not is_first_name("Alica") and not is_first_name("Paal")  # one locale's name, or none
    assert first_name_slip("alica", "alicia", 1, 1)


def test_one_sense_per_article_reaches_the_title(nlp: Language) -> None:
    # "Mr Putin" in the headline is the person named in full in the body
    title = "Mr Putin Meets Kim"
    text = "Vladimir Putin met Kim Jong Un. Later Mr Putin left, and Putin flew home."
    result = _run(nlp, text, title)
    putin = next(e for e in result.entities if e.name == "Vladimir Putin")
    assert putin.label == "PERSON" and putin.count == 3
    assert [(m.text, m.start) for m in putin.title_mentions] == [("Putin", 3)]
