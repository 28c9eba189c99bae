"""One sense per discourse: once the article names something, it names it the same way throughout.

The model tags a name in one sentence and misses it in the next, or calls "Mr Shiga" a place.
After the model's mentions are cleaned:

- every later (or earlier) exact occurrence of a mention's surface form is a mention too, with
  the label the form's mentions vote for; a person's surname alone is one as well ("Balls"
  beside "Ed Balls", so "Mr Balls"); so is the all-capitals spelling of a form (a headline's
  "CAMPESE" beside "Campese");
- an honorific ("Mr", "Dr", "Lady") before a name makes it a PERSON whatever the model said,
  and a capitalised name after an honorific is a mention even where the model saw none;
- a surname alone right after a capitalised word spelt nearly like the first name of the person
  ("Linm Gallagher" beside "Liam Gallagher") takes that word in: a misspelt name, whole;
- organisations named by their role ("news agency RIA") are mentions (``roles``), and so are
  the places of wire datelines ("LONDON 1996-08-30", ``datelines``);
- an occurrence that overlaps anything the model tagged (a DATE, another entity) or runs on
  into another capitalised word ("Ford" of "the Ford Mustang") is left alone,
  and a one-word form that the article also writes in lower case ("Brown", "brown") is not
  taken at the start of a sentence, where a capital says nothing.
"""

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import replace

from worker.stages.entities.datelines import with_datelines
from worker.stages.entities.first_names import near_spelling
from worker.stages.entities.mentions import RawMention
from worker.stages.entities.roles import organisations_by_role

HONORIFICS = r"Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Lady|Lord|Baroness"
# Per language: the honorifics that put a person's name after them ("M. Macron", "Mme Borne").
HONORIFICS_BY_LANGUAGE = {"en": HONORIFICS, "fr": r"M\.|MM\.|Mme|Mmes|Mlle|Me|Dr|Pr"}
_NAME_WORD = r"[A-Z][\w'’-]*[a-z][\w'’-]*"
_BEFORE = {
    language: re.compile(rf"(?<!\w)(?:{words})\.?\s+$") for language, words in HONORIFICS_BY_LANGUAGE.items()
}
_AFTER = {
    language: re.compile(rf"(?<!\w)(?:{words})\.?\s+({_NAME_WORD}(?:\s+{_NAME_WORD})?)(?!\w)")
    for language, words in HONORIFICS_BY_LANGUAGE.items()
}
_WORD_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][a-z]+) $")
_NEXT_NAME_WORD = re.compile(r" [A-Z][a-z]")
_LOOKBACK = 14  # enough for "Baroness " and some space
MIN_FORM_LETTERS = 2
MAX_FORMS = 2000  # bounds the pattern on pathological inputs


def after_honorific(text: str, start: int, language: str = "en") -> bool:
    """Whether an honorific of ``language`` ("Mr ", "Dr. ", "M. ") stands right before ``start``."""
    pattern = _BEFORE.get(language)
    return pattern is not None and pattern.search(text, max(0, start - _LOOKBACK), start) is not None


class _Occupied:
    """Which characters of the text some tagged span already covers."""

    def __init__(self, length: int, spans: list[tuple[int, int]]) -> None:
        self.mask = bytearray(length)
        for start, end in spans:
            self.mask[start:end] = b"\x01" * (end - start)

    def free(self, start: int, end: int) -> bool:
        return self.mask.find(1, start, end) < 0

    def take(self, start: int, end: int) -> None:
        self.mask[start:end] = b"\x01" * (end - start)


def _forms(mentions: list[RawMention]) -> dict[str, str]:
    """Surface form -> the label its mentions vote for (persons' surnames and capitals included)."""
    votes: dict[str, Counter[str]] = {}
    for mention in mentions:
        forms = [mention.text]
        words = mention.text.split()
        if mention.label == "PERSON" and len(words) > 1 and words[-1][:1].isupper():
            forms.append(words[-1])
        for form in forms:
            for variant in (form, form.upper()):
                votes.setdefault(variant, Counter())[mention.label] += 1 if variant == form else 0
    labels = {}
    for form, counter in votes.items():
        letters = sum(ch.isalpha() for ch in form)
        if letters >= MIN_FORM_LETTERS and form[:1].isupper():
            labels[form] = counter.most_common(1)[0][0]
    return labels


class _Starts:
    def __init__(self, starts: list[int]) -> None:
        self.starts = sorted(starts)

    def at_start(self, text: str, position: int) -> bool:
        index = bisect_right(self.starts, position) - 1
        if index < 0:
            return position == 0
        return not text[self.starts[index] : position].strip(" \"'“‘([-–—")


_WORD_START = re.compile(r"(?<![\w'’-])[A-Z]")
_FORM_END = re.compile(r"[\w-]|['’]\w\w")


def occurrences(text: str, forms: list[str]) -> list[tuple[int, int, str]]:
    """Whole-word occurrences of ``forms`` (each starting with a capital) in ``text``.

    Leftmost first, the longest form at a position, never overlapping: what one alternation
    of all forms would find, without trying every form at every capital.
    """
    by_prefix: dict[str, list[str]] = {}
    for form in sorted(forms, key=len, reverse=True):
        by_prefix.setdefault(form[:2], []).append(form)
    found = []
    cursor = 0
    for match in _WORD_START.finditer(text):
        start = match.start()
        if start < cursor:
            continue
        for form in by_prefix.get(text[start : start + 2], ()):
            end = start + len(form)
            if text.startswith(form, start) and not _FORM_END.match(text, end):
                found.append((start, end, form))
                cursor = end
                break
    return found


def _lower_case_words(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])[a-z][a-z'’-]*", text))


def propagate(
    text: str,
    mentions: list[RawMention],
    tagged: list[tuple[int, int]],
    sentence_starts: list[int],
    *,
    language: str = "en",
) -> list[RawMention]:
    """``mentions`` with their labels made consistent and the occurrences the model missed added.

    ``tagged`` is every span the model tagged, of any label (dates and numbers too); a new
    mention never overlaps one. Returns mentions sorted by start. Honorifics count in the
    languages that have a table (``HONORIFICS_BY_LANGUAGE``); the rules written for English news
    (wire datelines, organisations named by role) run only on English.
    """
    english = language == "en"
    if english:
        mentions, tagged = with_datelines(text, mentions, tagged)
    relabelled = [
        replace(m, label="PERSON") if m.label != "PERSON" and after_honorific(text, m.start, language) else m
        for m in mentions
    ]
    occupied = _Occupied(len(text), tagged + [(m.start, m.end) for m in relabelled])
    added: list[RawMention] = []
    if english:
        relabelled, added = organisations_by_role(text, relabelled, occupied.free)
    for mention in added:
        occupied.take(mention.start, mention.end)
    starts = _Starts(sentence_starts)
    lower = _lower_case_words(text)
    after = _AFTER.get(language)
    for match in after.finditer(text) if after is not None else ():
        start, end = match.span(1)
        if occupied.free(start, end):
            added.append(RawMention(start, end, match.group(1), "PERSON"))
            occupied.take(start, end)
    labels = _forms(relabelled + added)
    forms = sorted(labels, key=len, reverse=True)[:MAX_FORMS]
    if forms:
        for start, end, form in occurrences(text, forms):
            if not occupied.free(start, end):
                continue
            if " " not in form and form.casefold() in lower and starts.at_start(text, start):
                continue
            honorific = after_honorific(text, start, language)
            if _NEXT_NAME_WORD.match(text, end) and not honorific:
                continue  # the start of a longer name the model missed ("Ford Mustang")
            label = "PERSON" if honorific else labels[form]
            added.append(RawMention(start, end, form, label))
            occupied.take(start, end)
    return sorted(_with_first_names(text, relabelled + added, occupied), key=lambda m: m.start)


def _with_first_names(text: str, mentions: list[RawMention], occupied: _Occupied) -> list[RawMention]:
    """Surnames alone extended over a misspelt first name of their person just before them."""
    first_names: dict[str, set[str]] = {}
    for mention in mentions:
        words = mention.text.split()
        if mention.label == "PERSON" and len(words) == 2:
            first_names.setdefault(words[1], set()).add(words[0].casefold())
    out = []
    for mention in mentions:
        known = first_names.get(mention.text)
        before = _WORD_BEFORE.search(text, max(0, mention.start - 30), mention.start) if known else None
        if before is not None and known and occupied.free(*before.span(1)):
            word = before.group(1).casefold()
            if any(near_spelling(word, name) for name in known):
                start = before.start(1)
                occupied.take(start, mention.end)
                out.append(RawMention(start, mention.end, text[start : mention.end], "PERSON"))
                continue
        out.append(mention)
    return out
