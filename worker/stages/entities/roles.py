"""Organisations named by their role: "news agency RIA", "the broadcaster NHK", "Interfax news agency".

A capitalised name right after a role noun that only organisations fill, or right before one
of the nouns that name news organisations, is an organisation: a mention where the model saw
none, and the label of a mention the model called a place or a people. A person keeps their
label ("the broadcaster David Attenborough"), and a people or a place before the noun is no
name of one ("Russian news agency", "a French newspaper").
"""

import re
from collections.abc import Callable
from dataclasses import replace

from worker.stages.entities.mentions import RawMention

# Role nouns before a name: "news agency RIA", "the carmaker Nissan", "bank Barclays".
_BEFORE = (
    r"news agency|press agency|agency|broadcaster|newspaper|daily|tabloid|magazine|news channel|"
    r"channel|network|website|publisher|carmaker|automaker|airline|carrier|retailer|supermarket|"
    r"bank|lender|insurer|firm|company|conglomerate|manufacturer|chipmaker|operator|group|club|"
    r"party|union|studio|label"
)
# Role nouns after a name: "Interfax news agency", "Xinhua news agency", "NHK broadcaster".
_AFTER = r"news agency|press agency|newspaper|broadcaster|news channel|TV channel|television channel"
_NAME = r"[A-Z][\w&.’'-]*[\w&]|[A-Z]"
_NAMES = rf"(?:{_NAME})(?:\s+(?:{_NAME}))*"
_AFTER_ROLE = re.compile(rf"(?<![\w-])(?:{_BEFORE})\s+({_NAMES})(?![\w’'-])")
_BEFORE_ROLE = re.compile(rf"(?<![\w’'-])((?:{_NAME})(?:\s+(?:{_NAME}))?)\s+(?:{_AFTER})(?![\w-])")
_DEMONYM = re.compile(r"[A-Z][a-z]+(?:ian|ean|ese|ish|an|i|ch)$")
_NOT_A_NAME = frozenset({"The", "A", "An", "This", "That", "Its", "His", "Her", "Their", "State"})
_PEOPLE_OR_PLACE = frozenset({"NORP", "GPE", "LOC", "FAC"})


def _slots(text: str) -> list[tuple[int, int]]:
    slots = []
    for match in _AFTER_ROLE.finditer(text):
        slots.append(match.span(1))
    for match in _BEFORE_ROLE.finditer(text):
        words = match.group(1).split()
        if words[0] in _NOT_A_NAME or _DEMONYM.match(words[-1]):
            continue
        slots.append(match.span(1))
    return slots


def organisations_by_role(
    text: str, mentions: list[RawMention], free: Callable[[int, int], bool]
) -> tuple[list[RawMention], list[RawMention]]:
    """``mentions`` with places and peoples in an organisation's slot relabelled ORG, and the
    new ORG mentions for slots where ``free`` says nothing was tagged."""
    at = {(m.start, m.end): i for i, m in enumerate(mentions)}
    relabelled = list(mentions)
    added = []
    for start, end in _slots(text):
        index = at.get((start, end))
        if index is not None:
            if relabelled[index].label in _PEOPLE_OR_PLACE:
                relabelled[index] = replace(relabelled[index], label="ORG")
        elif free(start, end):
            added.append(RawMention(start, end, text[start:end], "ORG"))
    return relabelled, added
