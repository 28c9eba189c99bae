"""Scripts written without spaces: character bigrams for similarity, a character per word for lengths."""

from worker.stages.summary.graph import bags, cosine_similarity, terms, words


def test_unspaced_runs_give_character_bigrams_and_spaced_words_stay_words() -> None:
    assert terms("予算を発表") == ["予算", "算を", "を発", "発表"]
    assert terms("東京 2025年 Tokyo") == ["東京", "2025", "年", "tokyo"]
    assert words("予算を発表 Tokyo") == ["予", "算", "を", "発", "表", "Tokyo"]
    assert terms("The budget, approved.") == ["the", "budget", "approved"]  # unchanged for spaced text


def test_sentences_sharing_words_are_similar_in_chinese() -> None:
    texts = ["市议会通过了新的学校预算。", "市长表示学校预算将用于教师。", "天气很好。"]
    similarity = cosine_similarity(bags(texts))
    assert similarity[0, 1] > 0.1 and similarity[0, 2] == 0.0
