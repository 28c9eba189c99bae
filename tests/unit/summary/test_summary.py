"""The summary stage: k sentences in article order, exact offsets, sane degenerate cases."""

import random
from dataclasses import replace

import numpy as np
import pytest
import spacy
from spacy.language import Language

from schemas import RawArticle
from worker.config import Settings
from worker.stages.clean import clean
from worker.stages.entities import analyse
from worker.stages.summary import METHOD, summarise
from worker.stages.summary.graph import bags, cosine_similarity
from worker.stages.summary.model import default_scorer
from worker.stages.summary.scores import ScoringParams
from worker.stages.summary.stage import MAX_CANDIDATES, candidates, sentence_scores


@pytest.fixture(scope="module")
def nlp() -> Language:
    blank = spacy.blank("en")
    blank.add_pipe("sentencizer")
    return blank


def _summarise(nlp: Language, text: str, k: int):  # type: ignore[no-untyped-def]
    return summarise(analyse(clean(RawArticle(text=text), Settings()), nlp), k)


def test_seed_summary_has_k_sentences_in_order_with_exact_offsets(nlp: Language, seed_text: str) -> None:
    result = _summarise(nlp, seed_text, 3)
    sentences = result.summary.sentences
    assert len(sentences) == 3
    assert [s.start for s in sentences] == sorted(s.start for s in sentences)
    for sentence in sentences:
        assert result.text[sentence.start : sentence.end] == sentence.text
        assert sentence.score > 0
    assert result.summary.method == METHOD and result.summary.params["k"] == 3
    assert result.summary.text == " ".join(s.text for s in sentences)
    assert result.title not in result.summary.text
    assert "Leave a Comment" not in result.summary.text


def test_central_sentences_win_over_off_topic_ones(nlp: Language) -> None:
    text = (
        "The city council approved the new school budget on Tuesday. "
        "The weather was mild and a dog barked outside the hall. "
        "The school budget adds teachers and repairs to every school in the city. "
        "Council members said the budget for schools was the largest in a decade. "
        "A bakery nearby sold out of bread by noon."
    )
    picked = _summarise(nlp, text, 2).summary.text
    assert "dog barked" not in picked
    # Not asserted: the short last sentence ("A bakery ...") scores close to the central ones in
    # every scorer so far (on this five-sentence text with a headline, the earlier one picked it too).


def test_one_sentence_article(nlp: Language) -> None:
    result = _summarise(nlp, "The council approved the new school budget on Tuesday evening.", 3)
    assert [s.text for s in result.summary.sentences] == [result.text]


def test_fewer_sentences_than_k_returns_them_all_in_order(nlp: Language) -> None:
    text = "The council met on Tuesday to vote. The budget passed by nine votes to two."
    result = _summarise(nlp, text, 5)
    assert [s.text for s in result.summary.sentences] == [
        "The council met on Tuesday to vote.",
        "The budget passed by nine votes to two.",
    ]


def test_repeated_sentences_are_not_picked_twice(nlp: Language) -> None:
    line = "The council approved the new school budget on Tuesday."
    text = f"{line} {line} {line} Teachers welcomed the extra money for repairs. Parents were pleased."
    texts = [s.text for s in _summarise(nlp, text, 2).summary.sentences]
    assert len(texts) == 2 and len(set(texts)) == 2


def test_bullet_list_and_very_long_sentence(nlp: Language) -> None:
    bullets = "\n\n".join(f"- Item {i}: the council funds project number {i} in the city." for i in range(8))
    long_sentence = "The council " + " and ".join(f"approved plan {i}" for i in range(300)) + "."
    result = _summarise(nlp, f"{bullets}\n\n{long_sentence}", 3)
    assert len(result.summary.sentences) == 3
    for sentence in result.summary.sentences:
        assert result.text[sentence.start : sentence.end] == sentence.text


def test_all_repeated_sentences_give_one_sentence(nlp: Language) -> None:
    line = "The council approved the new school budget on Tuesday."
    result = _summarise(nlp, " ".join([line] * 6), 3)
    assert [s.text for s in result.summary.sentences] == [line]


def test_headline_and_boilerplate_are_never_chosen(nlp: Language) -> None:
    text = (
        "Council backs school budget\n\n"
        "The city council approved the new school budget on Tuesday.\n\n"
        "Share on Facebook\n\n"
        "The budget adds teachers and repairs to every school in the city.\n\n"
        "Leave a Comment"
    )
    result = _summarise(nlp, text, 5)
    assert result.title == "Council backs school budget"
    assert [s.text for s in result.summary.sentences] == [
        "The city council approved the new school budget on Tuesday.",
        "The budget adds teachers and repairs to every school in the city.",
    ]


def test_word_budget_limits_the_summary(nlp: Language, seed_text: str) -> None:
    analysed = analyse(clean(RawArticle(text=seed_text), Settings()), nlp)
    result = summarise(analysed, 10, max_words=60)
    assert 1 <= len(result.summary.sentences) < 10
    assert len(result.summary.text.split()) <= 60 or len(result.summary.sentences) == 1
    assert result.summary.params["max_words"] == 60


def test_params_are_recorded(nlp: Language, seed_text: str) -> None:
    params = _summarise(nlp, seed_text, 2).summary.params
    assert params["k"] == 2 and "redundancy" in params and str(params["scorer"]).startswith("mlp-")
    assert params["lead_bonus"] == ScoringParams().lead_bonus


def test_the_lead_bonus_moves_the_pick_towards_the_opening(nlp: Language, seed_text: str) -> None:
    analysed = analyse(clean(RawArticle(text=seed_text), Settings()), nlp)
    first = [start for start, _ in candidates(analysed).spans[:3]]

    def starts(bonus: float) -> list[int]:
        summary = summarise(analysed, 3, params=ScoringParams(lead_bonus=bonus)).summary
        return [s.start for s in summary.sentences]

    assert not set(starts(-50.0)) & set(first)  # an overwhelming penalty leaves the opening
    assert starts(50.0) == first  # an overwhelming bonus keeps it
    kept = [len(set(starts(bonus)) & set(first)) for bonus in (-1.0, 0.0, 1.0)]
    assert kept == sorted(kept)


def test_scores_below_the_trained_lengths_are_those_of_the_shortest(nlp: Language, seed_text: str) -> None:
    analysed = analyse(clean(RawArticle(text=seed_text), Settings()), nlp)
    pool = candidates(analysed)
    similarity = cosine_similarity(bags(pool.texts, pool.term_lists))
    scorer = default_scorer()
    shortest, longest = scorer.lengths
    assert shortest > 1

    def scores(k: int, lengths: tuple[int, int] = scorer.lengths) -> np.ndarray:
        return sentence_scores(analysed, pool, similarity, k, replace(scorer, lengths=lengths))

    # past the first `shortest` candidates no lead bonus differs: the scores are the same
    assert scores(1)[shortest:] == pytest.approx(scores(shortest)[shortest:])
    assert scores(longest + 4)[longest + 4 :] == pytest.approx(scores(longest)[longest + 4 :])
    assert scores(1, (1, longest))[shortest:] != pytest.approx(scores(shortest)[shortest:])


def test_short_fragments_lose_to_real_sentences(nlp: Language) -> None:
    text = (
        "LONDON (Reuters).\n\n"
        "The central bank raised interest rates by half a point on Thursday.\n\n"
        "Photo: file.\n\n"
        "Economists had expected the bank to raise rates by a quarter point."
    )
    picked = [s.text for s in _summarise(nlp, text, 2).summary.sentences]
    assert picked == [
        "The central bank raised interest rates by half a point on Thursday.",
        "Economists had expected the bank to raise rates by a quarter point.",
    ]


def test_an_article_made_only_of_quotes(nlp: Language) -> None:
    text = " ".join(
        f"“The council will fund project number {i} in the city this year,” said member {i}."
        for i in range(6)
    )
    result = _summarise(nlp, text, 3)
    assert len(result.summary.sentences) == 3
    for sentence in result.summary.sentences:
        assert result.text[sentence.start : sentence.end] == sentence.text


def test_a_50000_word_article_is_summarised_with_exact_offsets(nlp: Language) -> None:
    rng = random.Random(0)
    vocabulary = [f"term{i}" for i in range(20_000)]
    sentences = ["The " + " ".join(rng.choice(vocabulary) for _ in range(19)) + "." for _ in range(2_500)]
    text = "\n\n".join(" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5))
    analysed = analyse(clean(RawArticle(text=text), Settings(max_article_bytes=10_000_000)), nlp)
    assert len(analysed.text.split()) == 50_000
    result = summarise(analysed, 3)
    assert len(result.summary.sentences) == 3
    for sentence in result.summary.sentences:
        assert result.text[sentence.start : sentence.end] == sentence.text


def test_a_text_of_many_short_sentences_is_summarised_from_its_first_candidates(nlp: Language) -> None:
    rng = random.Random(1)
    vocabulary = [f"term{i}" for i in range(5_000)]
    count = MAX_CANDIDATES + 500
    sentences = ["The " + " ".join(rng.choice(vocabulary) for _ in range(7)) + "." for _ in range(count)]
    text = "\n\n".join(" ".join(sentences[i : i + 5]) for i in range(0, count, 5))
    analysed = analyse(clean(RawArticle(text=text), Settings()), nlp)
    assert len(analysed.sentences) > MAX_CANDIDATES
    pool = candidates(analysed)
    assert len(pool.spans) == MAX_CANDIDATES  # the similarity graph is that many squared, not more
    result = summarise(analysed, 3)
    assert len(result.summary.sentences) == 3
    assert all(s.end <= pool.spans[-1][1] for s in result.summary.sentences)


def test_caption_labels_are_cut_in_english_articles_only(nlp: Language) -> None:
    english = (
        "Firefighters spent the whole night at the burning warehouse near the river port "
        "Scene: Officers closed the road for six hours while they searched the verge. "
        "The owner said the building had been empty for months before the fire started."
    )
    german = (
        "Die Feuerwehr war die ganze Nacht am brennenden Lagerhaus im Hafen und zog eine Bilanz: "
        "Mehr als hundert Menschen mussten ihre Wohnungen verlassen. Der Besitzer sagte, das "
        "Gebäude habe seit Monaten leer gestanden, bevor das Feuer ausbrach."
    )
    for text, language, cut in ((english, "en", True), (german, "de", False)):
        article = analyse(clean(RawArticle(text=text), Settings()), nlp)
        assert article.language == language
        texts = candidates(article).texts
        assert any(t.startswith(("Scene:", "Bilanz:")) for t in texts) is cut, texts
