"""What the benches that read every dev set two ways share: ``bench.ner_decode`` (two NER
decoders), ``bench.matmul`` (two matrix libraries) and ``bench.tokenizer_cache`` (the cache full
and emptied). Their options, their rows' first columns and JSON, and the count of documents read
differently."""

import argparse
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.common import DEFAULT_DATA, HALVES, identical_cells
from worker.config import Settings

# The first columns of every row, above ``SideBySide.cells``.
HEADER = f"{'model':24s} {'set':12s} {'identical A':>13s} {'identical B':>13s}"


@dataclass
class SideBySide:
    """One model on one set read two ways: documents per half and those read identically.

    Each bench adds the times of its two ways and says which speed-up they give.
    """

    model: str
    dataset: str
    documents: dict[str, int]
    identical: dict[str, int]

    @property
    def speed_up(self) -> float:
        raise NotImplementedError

    def cells(self) -> str:
        """The row's first columns, under ``HEADER``."""
        return f"{self.model:24s} {self.dataset:12s} {identical_cells(self.documents, self.identical)}"

    def record(self) -> dict[str, object]:
        """The row as the JSON results hold it: its fields and its speed-up."""
        return asdict(self) | {"speed_up": self.speed_up}


def arguments(description: str | None, argv: list[str] | None) -> argparse.Namespace:
    """``--data``, ``--limit`` (documents per set) and ``--rounds`` (alternating rounds)."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="documents per set (default: all)")
    parser.add_argument("--rounds", type=int, default=2)
    return parser.parse_args(argv)


def differing(rows: Sequence[SideBySide]) -> int:
    """Documents of every row, both halves, not read identically the two ways."""
    return sum(row.documents[h] - row.identical[h] for row in rows for h in HALVES)


def every_model_and_set(sets: dict[str, dict[str, str]]) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(model, set name, texts by id) for every model of ``Settings().spacy_models`` and every set."""
    for model in dict.fromkeys(Settings().spacy_models.values()):
        for name, texts in sets.items():
            yield model, name, texts
