"""Salience 0..1: how central an entity is to the article."""

from dataclasses import dataclass

# Weights sum to 1: frequency matters most, then being in the headline, then the lead.
W_FREQUENCY = 0.4
W_TITLE = 0.25
W_POSITION = 0.2
W_LEAD = 0.15


@dataclass(frozen=True)
class SalienceInput:
    """What salience is computed from, for one entity."""

    count: int
    first: int
    in_title: bool


def lead_end(text: str) -> int:
    """The end of the first paragraph (the lead) of ``text``."""
    cut = text.find("\n\n")
    return len(text) if cut < 0 else cut


def salience(entity: SalienceInput, *, max_count: int, text_length: int, lead: int) -> float:
    """A weighted sum of relative frequency, headline presence, how early and whether in the lead."""
    frequency = entity.count / max(max_count, 1)
    position = 1.0 - entity.first / max(text_length, 1)
    score = (
        W_FREQUENCY * frequency
        + W_TITLE * entity.in_title
        + W_POSITION * position
        + W_LEAD * (entity.first < lead)
    )
    return round(min(1.0, max(0.0, score)), 4)
