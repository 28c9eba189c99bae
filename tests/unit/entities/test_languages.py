"""Every language: the right language, a model where there is one, rule-based sentences elsewhere."""

import json
from pathlib import Path

import pytest

from schemas import RawArticle
from worker.config import Settings
from worker.pipeline import process_in_process
from worker.stages.clean import clean
from worker.stages.entities.mentions import clean_mentions
from worker.stages.entities.sentences import NO_MODEL, rule_sentences

TEXTS: dict[str, str] = json.loads(
    (Path(__file__).parents[2] / "data" / "languages.json").read_text(encoding="utf-8")
)
SETTINGS = Settings()


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_an_article_in_each_language_ends_as_a_result_with_its_language(language: str) -> None:
    result = process_in_process(RawArticle(text=TEXTS[language]), SETTINGS)
    assert result.language == language
    assert len(result.sentences) >= 3
    for sentence in result.sentences:
        assert (
            result.text[sentence.start : sentence.end].strip() == result.text[sentence.start : sentence.end]
        )
    assert len(result.summary.sentences) == SETTINGS.summary_sentences
    for picked in result.summary.sentences:
        assert result.text[picked.start : picked.end] == picked.text
    if language in SETTINGS.spacy_models:
        assert result.model.name != NO_MODEL and result.entities
    else:
        assert result.model.name == NO_MODEL and result.entities == () and result.quotes == ()


def test_french_people_places_and_organisations_are_found_and_merged() -> None:
    text = (
        "Macron et Scholz signent un accord\n\n"
        "Le président Emmanuel Macron a rencontré mardi le chancelier Olaf Scholz à Berlin pour signer "
        "un accord sur l'énergie. Macron a déclaré que la France et l'Allemagne devaient agir ensemble.\n\n"
        "Selon l'agence Reuters, les deux dirigeants ont aussi parlé de l'OTAN."
    )
    result = process_in_process(RawArticle(text=text), SETTINGS)
    found = {(e.label, e.name): e.count for e in result.entities}
    assert found[("PERSON", "Emmanuel Macron")] == 2  # "Macron" later is the same person
    assert ("GPE", "Berlin") in found and ("ORG", "Reuters") in found
    assert result.model.name == "fr_core_news_sm"


def test_a_lower_case_article_is_not_part_of_a_french_name() -> None:
    text = (
        "La France et l'Allemagne signent un accord\n\n"
        "Le ministre a rappelé que la France et l'Allemagne financeraient le programme. "
        "La France a déjà versé sa part, a indiqué l'Élysée, et l'Allemagne suivra en juin.\n\n"
        "Selon le journal Le Monde, l'accord a été critiqué."
    )
    result = process_in_process(RawArticle(text=text), SETTINGS)
    names = {e.name for e in result.entities}
    assert not any(name.startswith(("la ", "l'", "le ")) for name in names), names
    assert {"France", "Allemagne", "Élysée"} <= names  # "la France", "l'Allemagne", "l'Élysée"
    assert "Le Monde" in names  # a capital article may belong to the name


def test_a_french_honorific_is_not_part_of_the_name_it_precedes() -> None:
    text = (
        "Sommet à Bruxelles\n\n"
        "Le président Emmanuel Macron est arrivé jeudi à Bruxelles. Le Premier ministre Gabriel Attal "
        "l'accompagnait. La présidente de la Commission européenne, Ursula von der Leyen, a répondu "
        "que l'Union était prête.\n\n"
        "Selon Mme von der Leyen, un accord est possible. M. Attal a dit que la France soutiendrait "
        "le texte."
    )
    result = process_in_process(RawArticle(text=text), SETTINGS)
    people = {e.name: e for e in result.entities if e.label == "PERSON"}
    assert people["Ursula von der Leyen"].count == 2  # "Mme von der Leyen" is the same person
    assert people["Gabriel Attal"].count == 2  # and "M. Attal"
    assert not any(name.startswith(("Mme", "M.")) for name in people)


def test_m_dot_is_monsieur_in_french_only() -> None:
    text = "M. Waugh"
    assert [m.text for m in clean_mentions(text, 0, len(text), "PERSON")] == ["M. Waugh"]  # an initial
    assert [m.text for m in clean_mentions(text, 0, len(text), "PER", "fr")] == ["Waugh"]


def test_lower_case_articles_go_from_the_start_of_a_span_in_any_language() -> None:
    from worker.stages.entities.spans import trim_span

    for text, expected in [
        ("la France", "France"),
        ("l'Élysée", "Élysée"),
        ("der Bundestag", "Bundestag"),
        ("los Angeles", "Angeles"),
        ("Los Angeles", "Los Angeles"),
        ("Le Monde", "Le Monde"),
        ("The Times", "Times"),
        ("la", "la"),
    ]:
        span = trim_span(text, 0, len(text))
        assert span is not None and text[span[0] : span[1]] == expected


def test_rule_sentences_cut_unspaced_scripts_after_final_punctuation() -> None:
    text = "市長は「良い計画だ」と述べた。野党は反対した！\n\n次の段落です"
    pieces = [text[s.start : s.end] for s in rule_sentences(text, "ja")]
    assert pieces == ["市長は「良い計画だ」と述べた。", "野党は反対した！", "次の段落です"]


def test_rule_sentences_use_the_language_s_punctuation_and_never_cross_a_blank_line() -> None:
    text = "Dr. Müller sagte am Montag, das sei gut. Er ging.\n\nEin Absatz ohne Punkt\n\nNoch einer."
    pieces = [text[s.start : s.end] for s in rule_sentences(text, "de")]
    assert pieces == [
        "Dr. Müller sagte am Montag, das sei gut.",
        "Er ging.",
        "Ein Absatz ohne Punkt",
        "Noch einer.",
    ]
    other = "One. Two."
    assert [other[s.start : s.end] for s in rule_sentences(other, "qq")] == ["One.", "Two."]


def test_every_language_is_accepted_unless_an_allow_list_is_set() -> None:
    french = RawArticle(text=TEXTS["fr"])
    assert clean(french, Settings()).language == "fr"
    assert Settings().accepts("sw") and not Settings(languages=("en",)).accepts("sw")
    routed = Settings(entities_queues={"fr": "entities.fr"})
    assert (
        routed.entities_queue("fr") == "entities.fr" and routed.entities_queue("de") == routed.queue_entities
    )


def test_other_schemes_labels_map_onto_the_project_s() -> None:
    text = "Olaf Scholz est allé à Berlin."
    assert [m.label for m in clean_mentions(text, 0, 11, "PER")] == ["PERSON"]
    assert [m.label for m in clean_mentions(text, 23, 29, "LOC")] == ["GPE"]
    assert [m.label for m in clean_mentions(text, 23, 29, "MISC")] == ["MISC"]


def test_an_entity_has_the_same_cross_article_key_in_every_article() -> None:
    first = process_in_process(
        RawArticle(
            text="Talks in Moscow\n\nVladimir Putin met the envoy in Moscow on Monday. Putin said little."
        ),
        SETTINGS,
    )
    second = process_in_process(
        RawArticle(
            text="A visit\n\nThe envoy flew home after VLADIMIR  PUTIN met him. Vladimir Putin smiled."
        ),
        SETTINGS,
    )
    keys = [{e.key for e in r.entities} for r in (first, second)]
    assert "PERSON:vladimir putin" in keys[0] & keys[1]
    assert all(e.key == f"{e.label}:{' '.join(e.name.split()).casefold()}" for e in first.entities)


def test_french_quotes_take_their_speaker() -> None:
    text = (
        "Macron et Scholz signent un accord\n\n"
        "Le président Emmanuel Macron a rencontré mardi le chancelier Olaf Scholz à Berlin.\n\n"
        "« Nous avons besoin d'une Europe plus forte », a déclaré Emmanuel Macron devant la presse. "
        "Olaf Scholz a dit « nous partageons cette analyse avec la France ».\n\n"
        "« C'est une étape historique pour nos deux pays », a-t-il ajouté.\n\n"
        "Le ministre Jean Dupont était présent à Paris mardi. « Les entreprises attendaient cet accord »,"
        " a-t-il dit."
    )
    result = process_in_process(RawArticle(text=text), SETTINGS)
    names = {e.id: e.name for e in result.entities}
    speakers = [names.get(q.speaker or "") for q in result.quotes]
    assert speakers == ["Emmanuel Macron", "Olaf Scholz", None, "Jean Dupont"]  # None: two people before
    assert all(q.speaker is None or q.speaker in names for q in result.quotes)


def test_the_english_rules_run_only_on_english() -> None:
    from worker.stages.entities.consistency import propagate

    text = "LONDON 1996-08-30\n\nThe council met. Mr Hale spoke to the news agency RIA about it."
    english = {(m.text, m.label) for m in propagate(text, [], [], [0, 19])}
    assert {("LONDON", "GPE"), ("Hale", "PERSON"), ("RIA", "ORG")} <= english
    assert propagate(text, [], [], [0, 19], language="de") == []
    french = "Le conseil a voté. M. Dupont a parlé avec Mme Borne à Lyon."
    found = {(m.text, m.label) for m in propagate(french, [], [], [0, 19], language="fr")}
    assert found == {("Dupont", "PERSON"), ("Borne", "PERSON")}
