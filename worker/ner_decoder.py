"""spaCy's greedy NER decoding, vectorised over the tokens: the same entities, a third of the time.

spaCy's ``ner`` (a transition-based model with BILUO moves, decoded greedily) reads, at each
token, a state of three features: the token, the first token of the entity the token is in, and
the token before it (the last two only inside an entity). Outside an entity the state is the
token alone, so the scores of every token's outside state are one matrix product over the whole
text. Inside an entity the state also needs the entity's first token: every possible start is
followed at once, one token further per round, until its entity closes. The choice at each token
is spaCy's: the highest-scoring valid move, the first in the model's order on a tie, under the
same rules (no entity across a sentence start, none starting on whitespace, B only before another
token). The weights and the arithmetic are spaCy's own (the same layers, the same sums in the
same order, the same BLAS kernel for the output layer), so the entities are the same:
``python -m bench.ner_decode`` compares both on every dev set. spaCy's loop spends most of its
time on per-move validity checks and per-step bookkeeping, which is what this saves.

A model this does not describe (``supports``), or a document with entities already set, goes
through spaCy's own decoding.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Doc, Span
from thinc.api import NumpyOps

COMPONENT = "vectorised_ner"
# Entities are followed at most this many tokens from their start at once; a document with a
# longer one goes to spaCy's decoding, which follows only the entities it reaches: following
# every possible start to its end could cost the square of the length on a hostile text.
MAX_ROUNDS = 32
_OPS = NumpyOps()
_MOVE_KINDS = frozenset({"B", "I", "L", "U", "O"})


def supports(ner: Any) -> bool:
    """Whether ``ner`` is the model this decodes: greedy, three state features, an output layer."""
    if not isinstance(ner, EntityRecognizer) or ner.cfg.get("beam_width", 1) != 1 or ner.postprocesses:
        return False
    model = ner.model
    if len(model.layers) != 3 or not model.attrs.get("has_upper") or model.attrs.get("unseen_classes"):
        return False
    if not isinstance(model.ops, NumpyOps) or model.layers[1].get_dim("nF") != 3:
        return False
    names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
    if not {name.partition("-")[0] for name in names} <= _MOVE_KINDS or "O" not in names:
        return False
    moves = _Moves.of(names)  # every label that can begin can go on and end
    return bool((moves.inside_of[moves.begin] >= 0).all() and (moves.last_of[moves.begin] >= 0).all())


@dataclass(frozen=True)
class _Moves:
    """The model's moves as arrays over its classes."""

    labels: tuple[str, ...]
    begin: np.ndarray  # bool: B with a label
    unit: np.ndarray  # bool: U with a label ("U-" without one is never valid here)
    outside: np.ndarray  # bool: O
    inside_of: np.ndarray  # per B class, the I class of its label (-1 elsewhere)
    last_of: np.ndarray  # per B class, the L class of its label (-1 elsewhere)

    @classmethod
    def of(cls, names: list[str]) -> "_Moves":
        index = {name: i for i, name in enumerate(names)}
        kinds = [name.partition("-")[0] for name in names]
        labels = tuple(name.partition("-")[2] for name in names)
        begin = [k == "B" and bool(label) for k, label in zip(kinds, labels, strict=True)]
        pairs = list(zip(begin, labels, strict=True))
        return cls(
            labels=labels,
            begin=np.array(begin),
            unit=np.array([k == "U" and bool(label) for k, label in zip(kinds, labels, strict=True)]),
            outside=np.array([k == "O" for k in kinds]),
            inside_of=np.array([index.get(f"I-{label}", -1) if b else -1 for b, label in pairs]),
            last_of=np.array([index.get(f"L-{label}", -1) if b else -1 for b, label in pairs]),
        )


class VectorisedNER:
    """A pipeline component setting the entities of a trained ``ner`` (see the module's text)."""

    def __init__(self, ner: EntityRecognizer) -> None:
        if not supports(ner):
            raise ValueError("not a greedy BILUO recogniser with three state features (see supports)")
        self.ner = ner
        self.moves = _Moves.of([ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)])
        self.tok2vec, self.lower, upper = ner.model.layers
        self.bias = self.lower.get_param("b")  # (hidden, pieces)
        self.weights, self.output_bias = upper.get_param("W"), upper.get_param("b")

    def __call__(self, doc: Doc) -> Doc:
        self.set_entities([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 256) -> Iterator[Doc]:
        iterator = iter(docs)
        while batch := list(islice(iterator, batch_size)):
            self.set_entities(batch)
            yield from batch

    def set_entities(self, docs: list[Doc]) -> None:
        """Decode and set the entities of ``docs`` (each doc's own; the batch only shares the work)."""
        if any(doc.has_annotation("ENT_IOB") for doc in docs):  # entities set before: spaCy's rules
            self.ner.set_annotations(docs, self.ner.predict(docs))
            return
        texts = [doc for doc in docs if len(doc)]  # an empty document has nothing to set
        if not texts:
            return
        # Row 0 of ``features`` is the padding (an absent feature), row t + 1 is token t's.
        features, _ = self.lower(self.tok2vec.predict(texts), is_train=False)
        outside = features[1:, 0] + features[0, 1]
        outside += features[0, 2]
        outside += self.bias
        scores = self._scores(outside)
        offset = 0
        for doc in texts:
            self._decode(doc, features, scores[offset : offset + len(doc)], offset)
            offset += len(doc)

    def _scores(self, summed: np.ndarray) -> np.ndarray:
        """Maxout over the pieces, then the output layer (BLIS, as spaCy's ``predict_states``)."""
        hidden = summed[..., 0]
        for piece in range(1, summed.shape[-1]):  # an elementwise maximum: a reduction over an
            hidden = np.maximum(hidden, summed[..., piece])  # axis of 2 costs numpy 80 times more
        scores = _OPS.gemm(np.ascontiguousarray(hidden), self.weights, trans2=True)
        scores += self.output_bias
        return np.asarray(scores)

    def _decode(self, doc: Doc, features: np.ndarray, scores: np.ndarray, offset: int) -> None:
        moves, size = self.moves, len(doc)
        attributes = doc.to_array(["IS_SPACE", "SENT_START"]).astype(np.int64)
        space = attributes[:, 0] == 1
        next_starts = np.zeros(size, dtype=bool)  # the next token starts a sentence
        next_starts[:-1] = attributes[1:, 1] == 1
        has_next = np.arange(size) < size - 1
        valid = moves.outside[None, :] | (moves.unit[None, :] & ~space[:, None])
        valid |= moves.begin[None, :] & (~space & has_next & ~next_starts)[:, None]
        # The first highest valid score, as spaCy's arg_max_if_valid.
        choice = np.where(valid, scores, -np.inf).argmax(axis=1)
        starts = np.flatnonzero(~moves.outside[choice])
        begins = starts[moves.begin[choice[starts]]]
        tokens = features[offset + 1 : offset + 1 + size]  # this document's rows
        ends = self._entity_ends(tokens, begins, choice[begins], next_starts)
        if ends is None:  # an entity longer than MAX_ROUNDS tokens (see there)
            self.ner.set_annotations([doc], self.ner.predict([doc]))
            return
        spans, position = [], 0
        for start in starts.tolist():
            if start < position:  # inside an entity opened before: never reached outside one
                continue
            move = int(choice[start])
            position = ends[start] if moves.begin[move] else start + 1
            spans.append(Span(doc, start, position, label=moves.labels[move]))
        doc.set_ents(spans, default="outside")

    def _entity_ends(
        self, tokens: np.ndarray, begins: np.ndarray, opened: np.ndarray, next_starts: np.ndarray
    ) -> dict[int, int] | None:
        """Where the entity each B move in ``opened`` opens at ``begins`` ends (exclusive).

        Every entity is followed at once, one token further per round, until it closes; None
        when one is still open after ``MAX_ROUNDS`` rounds.
        """
        ends: dict[int, int] = {}
        inside, last = self.moves.inside_of[opened], self.moves.last_of[opened]
        at = begins + 1
        active = np.arange(len(begins))
        size = len(next_starts)
        for _ in range(MAX_ROUNDS):
            if not len(active):
                return ends
            start, token = begins[active], at[active]
            # The state's features: the token, the entity's first token, the token before.
            summed = tokens[token, 0] + tokens[start, 1]
            summed += tokens[token - 1, 2]
            summed += self.bias
            scores = self._scores(summed)
            rows = np.arange(len(active))
            inside_score, last_score = scores[rows, inside[active]], scores[rows, last[active]]
            inside_valid = (token < size - 1) & ~next_starts[token]
            # Of the two valid moves, the one first in the model's order wins a tie.
            goes_on = inside_valid & np.where(
                inside[active] < last[active], inside_score >= last_score, inside_score > last_score
            )
            for begin, end in zip(start[~goes_on].tolist(), (token[~goes_on] + 1).tolist(), strict=True):
                ends[begin] = end
            active = active[goes_on]
            at[active] += 1
        return None if len(active) else ends


@Language.factory(COMPONENT, default_config={"source": "ner"})
def make_vectorised_ner(nlp: Language, name: str, source: str) -> VectorisedNER:
    """The component decoding the pipeline's ``source`` recogniser (which should then be disabled)."""
    return VectorisedNER(nlp.get_pipe(source))
