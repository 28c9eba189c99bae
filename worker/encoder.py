"""spaCy's token encoder (``Tok2Vec``: hash embeddings, then a maxout CNN) run as one function.

thinc runs a network layer by layer. The encoder of a small spaCy model is some 60 layer calls
per batch: each checks and converts its input (lists, ragged arrays, padding), and keeps what
training would need for the backward pass, which inference never uses. ``Encoder`` runs the
same arithmetic on the same arrays, in the same order, through each layer's own ops (its matrix
product, hash and gather), so the vectors are bit for bit thinc's. Two steps take a cheaper
route to the same numbers:

- maxout's maximum over its pieces is an elementwise maximum of the pieces (exact: a maximum
  rounds nothing), where thinc's loop also records which piece won, for training;
- layer normalisation's variance reuses the mean already computed, with numpy's own steps
  (``numpy.var`` computes that same mean first).

``use_fused_encoders`` makes every matching encoder of a pipeline run this way at inference;
training, a copied model and an input this does not describe (an empty document, a span) go
through thinc's layers. ``python -m bench.encoder`` parses every dev set both ways (the same
vectors, sentences and entities on every document, and the time each way); the unit tests compare
the vectors of both models' encoders, one document and several at a time.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.ml.featureextractor import forward as _features
from spacy.tokens import Doc
from thinc.api import Model, NumpyOps
from thinc.layers.array_getitem import forward as _getitem
from thinc.layers.chain import forward as _chain
from thinc.layers.concatenate import forward as _concatenate
from thinc.layers.dropout import forward as _dropout
from thinc.layers.expand_window import forward as _expand_window
from thinc.layers.hashembed import forward as _hashembed
from thinc.layers.layernorm import forward as _layernorm
from thinc.layers.list2ragged import forward as _list2ragged
from thinc.layers.maxout import forward as _maxout
from thinc.layers.ragged2list import forward as _ragged2list
from thinc.layers.residual import forward as _residual
from thinc.layers.with_array import forward as _with_array

# The layers this knows, by their forward functions.
_KINDS: dict[Callable[..., Any], str] = {
    _features: "features",
    _getitem: "getitem",
    _chain: "chain",
    _concatenate: "concatenate",
    _dropout: "dropout",
    _expand_window: "expand_window",
    _hashembed: "hashembed",
    _layernorm: "layernorm",
    _list2ragged: "list2ragged",
    _maxout: "maxout",
    _ragged2list: "ragged2list",
    _residual: "residual",
    _with_array: "with_array",
}
_Forward = Callable[[Model[Any, Any], Any, bool], tuple[Any, Callable[..., Any]]]


@dataclass(frozen=True)
class _Block:
    """``maxout >> layernorm`` (a dropout after them does nothing at inference)."""

    maxout: Model[Any, Any]
    norm: Model[Any, Any]

    def __call__(self, inputs: np.ndarray) -> np.ndarray:
        maxout, ops = self.maxout, self._ops(self.maxout)
        n_out, pieces, n_in = maxout.get_dim("nO"), maxout.get_dim("nP"), maxout.get_dim("nI")
        weights = ops.reshape2f(maxout.get_param("W"), n_out * pieces, n_in)
        summed = ops.gemm(inputs, weights, trans2=True)
        summed += ops.reshape1f(maxout.get_param("b"), n_out * pieces)
        by_piece: np.ndarray = ops.reshape3f(summed, summed.shape[0], n_out, pieces)
        best = np.maximum(by_piece[:, :, 0], by_piece[:, :, 1])
        for piece in range(2, pieces):
            np.maximum(best, by_piece[:, :, piece], out=best)
        return self._normalise(best)

    def _normalise(self, values: np.ndarray) -> np.ndarray:
        """thinc's LayerNorm: ``(X - mean) * var ** -0.5 * G + b``, as numpy computes its terms."""
        count = np.intp(values.shape[1])  # numpy divides a sum by the count as an intp
        mean = np.add.reduce(values, axis=1, keepdims=True)
        np.true_divide(mean, count, out=mean, casting="unsafe")
        centred = values - mean
        variance = np.add.reduce(np.square(centred), axis=1, keepdims=True)
        np.true_divide(variance, count, out=variance, casting="unsafe")
        variance += 1e-08
        gain: Any = self.norm.get_param("G")
        normalised: np.ndarray = centred * variance ** (-1.0 / 2.0) * gain
        normalised += self.norm.get_param("b")
        return normalised

    @staticmethod
    def _ops(node: Model[Any, Any]) -> Any:
        """The node's ops, untyped: thinc's array types are not numpy's."""
        return node.ops


@dataclass(frozen=True)
class Encoder:
    """One ``Tok2Vec`` network's layers, run as one function (see the module's text)."""

    model: Model[Any, Any]
    columns: list[Any]
    embeddings: tuple[tuple[Any, Model[Any, Any]], ...]  # (column index, hashembed) each
    mix: _Block
    pad: int
    windows: tuple[tuple[Model[Any, Any], _Block], ...]  # (expand_window, block) per residual layer

    def takes(self, docs: Any) -> bool:
        """Whether ``docs`` is what this runs: a non-empty list of non-empty ``Doc`` objects."""
        return (
            isinstance(docs, list) and bool(docs) and all(isinstance(doc, Doc) and len(doc) for doc in docs)
        )

    def __call__(self, docs: list[Doc]) -> list[np.ndarray]:
        """Each document's token vectors, as thinc's forward pass gives them."""
        ops: Any = self.model.ops
        features = []
        for doc in docs:
            attributes = doc.to_array(self.columns)
            if attributes.ndim == 1:
                attributes = attributes.reshape((attributes.shape[0], 1))
            features.append(ops.asarray2i(attributes, dtype="uint64"))
        lengths = ops.asarray1i([len(rows) for rows in features])
        ids = ops.flatten(features)
        looked_up = []
        for index, table in self.embeddings:
            table_ops, table_rows = _Block._ops(table), table.get_param("E")
            keys = table_ops.hash(table_ops.as_contig(ids[index], dtype="uint64"), table.attrs["seed"])
            looked_up.append(table_ops.gather_add(table_rows, keys % table_rows.shape[0]))
        vectors = self.mix(ops.xp.hstack(looked_up))
        padded = ops.flatten(ops.unflatten(vectors, lengths), pad=self.pad)
        for window, block in self.windows:
            padded = padded + block(_Block._ops(window).seq2col(padded, window.attrs["window_size"]))
        return list(ops.unflatten(padded, lengths, pad=self.pad))


def encoder_of(model: Model[Any, Any]) -> Encoder | None:
    """``model`` as an ``Encoder`` when it is spaCy's ``Tok2Vec`` network as this runs it, else None.

    That is, on CPU ops: token attributes, each looked up in a hash embedding table, mixed by a
    normalised maxout layer; then residual layers of a window expansion and a normalised maxout.
    Layers are known by their forward functions, not their names.
    """
    if any(not isinstance(node.ops, NumpyOps) for node in model.walk()):
        return None
    parts = _unchained(model)
    kinds = [_KINDS.get(part._func) for part in parts]
    if kinds != ["features", "list2ragged", "with_array", "with_array", "ragged2list", "with_array"]:
        return None
    features, _, tables, mix, _, encode = parts
    embeddings = _embeddings(tables.layers[0])
    mix_block = _block(_unchained(mix.layers[0]))
    windows = [_window(residual) for residual in _unchained(encode.layers[0])]
    if embeddings is None or mix_block is None or not windows or any(w is None for w in windows):
        return None
    columns = list(features.attrs["columns"])
    return Encoder(model, columns, embeddings, mix_block, encode.attrs["pad"], tuple(filter(None, windows)))


def _unchained(node: Model[Any, Any]) -> list[Model[Any, Any]]:
    """The layers ``node`` runs one after the other (chains inside chains flattened)."""
    if _KINDS.get(node._func) != "chain":
        return [node]
    return [leaf for layer in node.layers for leaf in _unchained(layer)]


def _embeddings(tables: Model[Any, Any]) -> tuple[tuple[Any, Model[Any, Any]], ...] | None:
    """``ints-getitem >> hashembed | ...`` as (column index, table) pairs."""
    if _KINDS.get(tables._func) != "concatenate" or not tables.layers:
        return None
    found = []
    for pair in tables.layers:
        parts = _unchained(pair)
        if [_KINDS.get(part._func) for part in parts] != ["getitem", "hashembed"]:
            return None
        found.append((parts[0].attrs["index"], parts[1]))
    return tuple(found)


def _block(parts: list[Model[Any, Any]]) -> _Block | None:
    """``maxout >> layernorm``, with or without a dropout after them."""
    kinds = [_KINDS.get(part._func) for part in parts]
    if kinds not in (["maxout", "layernorm"], ["maxout", "layernorm", "dropout"]):
        return None
    return _Block(parts[0], parts[1]) if parts[0].get_dim("nP") >= 2 else None


def _window(residual: Model[Any, Any]) -> tuple[Model[Any, Any], _Block] | None:
    """``residual(expand_window >> maxout >> layernorm)`` as its window layer and block."""
    if _KINDS.get(residual._func) != "residual":
        return None
    window, *rest = _unchained(residual.layers[0])
    block = _block(rest)
    return None if _KINDS.get(window._func) != "expand_window" or block is None else (window, block)


def _no_backward(_gradient: Any) -> Any:
    raise RuntimeError("the fused encoder runs at inference only; training goes through thinc")


def _fused_forward(
    encoder: Encoder, original: _Forward, model: Model[Any, Any], docs: Any, is_train: bool
) -> tuple[Any, Callable[..., Any]]:
    if is_train or model is not encoder.model or not encoder.takes(docs):
        return original(model, docs, is_train)
    return encoder(docs), _no_backward


def networks(nlp: Language) -> list[Model[Any, Any]]:
    """Every node of the networks of ``nlp``'s components (disabled ones included)."""
    found = (getattr(pipe, "model", None) for _, pipe in nlp.components)
    return [node for model in found if isinstance(model, Model) for node in model.walk()]


def encoders(nlp: Language) -> list[Encoder]:
    """The ``Tok2Vec`` networks of ``nlp``'s components that still run through thinc, as ``Encoder``s
    (a node already fused is not read again: its forward is no longer thinc's)."""
    return [encoder for encoder in map(encoder_of, networks(nlp)) if encoder is not None]


def use_fused_encoders(nlp: Language) -> int:
    """Run every ``Tok2Vec`` network of ``nlp``'s components as an ``Encoder`` at inference; the count."""
    found = encoders(nlp)
    for encoder in found:
        encoder.model._func = partial(_fused_forward, encoder, encoder.model._func)
    return len(found)
