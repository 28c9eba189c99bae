"""CoNLL-2003 for the entities benchmark: reading the IOB1 file and exact-span F1 (seqeval-style)."""

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

TYPES = ("PER", "ORG", "LOC", "MISC")
# spaCy (OntoNotes) labels onto the four CoNLL types; other labels are not CoNLL entities.
LABEL_MAP = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
}

Chunk = tuple[int, int, str]  # first token, end token (exclusive), CoNLL type


@dataclass
class Document:
    """One CoNLL document: its tokens joined with single spaces, and the gold chunks."""

    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sentence_starts: set[int] = field(default_factory=set)

    @property
    def text(self) -> str:
        """What the model sees: the tokens joined with spaces."""
        return " ".join(self.tokens)

    @property
    def starts(self) -> list[int]:
        """The character offset of each token in ``text``."""
        offsets, position = [], 0
        for token in self.tokens:
            offsets.append(position)
            position += len(token) + 1
        return offsets

    @property
    def gold(self) -> set[Chunk]:
        """The gold chunks, read from IOB1 tags (B- only splits two adjacent same-type chunks)."""
        return chunks_from_iob1(self.tags, self.sentence_starts)


def chunks_from_iob1(tags: list[str], sentence_starts: set[int] | None = None) -> set[Chunk]:
    """Chunks of an IOB1 tag sequence; no chunk crosses the start of a sentence."""
    chunks: set[Chunk] = set()
    start, kind = -1, ""
    breaks = sentence_starts or set()
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, tag_type = tag.partition("-")
        continues = prefix == "I" and tag_type == kind and i not in breaks
        if kind and not continues:
            chunks.add((start, i, kind))
            kind = ""
        if prefix in {"B", "I"} and not continues:
            start, kind = i, tag_type
    return chunks


def read_conll(path: Path) -> list[Document]:
    """The documents of a CoNLL-2003 file; ``-DOCSTART-`` lines separate documents wherever they are."""
    documents, current = [], Document()
    for line in path.read_text(encoding="utf-8").splitlines():
        columns = line.split()
        if not columns:
            current.sentence_starts.add(len(current.tokens))
            continue
        if columns[0] == "-DOCSTART-":
            if current.tokens:
                documents.append(current)
            current = Document()
            continue
        current.tokens.append(columns[0])
        current.tags.append(columns[-1])
    if current.tokens:
        documents.append(current)
    return documents


def to_chunk(starts: list[int], start_char: int, end_char: int, label: str) -> Chunk | None:
    """The token chunk covering a character span, with the spaCy label mapped; None if unmapped."""
    kind = LABEL_MAP.get(label)
    if kind is None or end_char <= start_char:
        return None
    first = bisect_right(starts, start_char) - 1
    last = bisect_right(starts, end_char - 1) - 1
    return (max(first, 0), last + 1, kind)


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 of one type (or of all)."""

    precision: float
    recall: float
    f1: float
    support: int


def _score(gold: int, predicted: int, correct: int) -> Score:
    precision = correct / predicted if predicted else 0.0
    recall = correct / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(round(precision, 4), round(recall, 4), round(f1, 4), gold)


def score(pairs: Iterable[tuple[set[Chunk], set[Chunk]]]) -> dict[str, Score]:
    """Exact-span micro scores over ``(gold, predicted)`` per document: "ALL" and per type."""
    gold_n = dict.fromkeys(("ALL", *TYPES), 0)
    pred_n = dict.fromkeys(("ALL", *TYPES), 0)
    correct_n = dict.fromkeys(("ALL", *TYPES), 0)
    for gold, predicted in pairs:
        for counts, chunks in ((gold_n, gold), (pred_n, predicted)):
            for chunk in chunks:
                counts["ALL"] += 1
                counts[chunk[2]] = counts.get(chunk[2], 0) + 1
        for chunk in gold & predicted:
            correct_n["ALL"] += 1
            correct_n[chunk[2]] += 1
    return {kind: _score(gold_n[kind], pred_n.get(kind, 0), correct_n[kind]) for kind in gold_n}
