"""bench.scaling's bodies: N units each, and they exercise the rules they are built to stress."""

from bench.scaling import PEOPLE, SHAPES, _pronoun_quotes, _quoted_as_saying
from schemas import RawArticle
from worker.config import Settings
from worker.pipeline import process_in_process


def test_each_shape_holds_n_units() -> None:
    counts = {
        "paragraphs": "\n\n",
        "pronoun quotes": "he said",
        "quotes, 1 sentence": " told ",
        "quoted as saying": " quoted ",
        "one sentence": " met ",
        "symbol run": "((((((((((",
    }
    for name, shape in SHAPES.items():
        small, large = shape(4).count(counts[name]), shape(8).count(counts[name])
        assert large - small == 4, name


def test_the_quote_shapes_attribute_every_quote() -> None:
    settings = Settings()
    said = process_in_process(RawArticle(text=_pronoun_quotes(6)), settings)
    assert len(said.quotes) == 6 and all(q.speaker is None for q in said.quotes)  # two people named
    quoted = process_in_process(RawArticle(text=_quoted_as_saying(4)), settings)
    names = {entity.id: entity.name for entity in quoted.entities}
    assert len(quoted.quotes) == 4 and {names.get(q.speaker or "") for q in quoted.quotes} <= set(PEOPLE)
