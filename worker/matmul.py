"""Which library multiplies the model's matrices: BLIS (thinc's default) or numpy's BLAS.

thinc runs spaCy's networks on ``NumpyOps``, whose ``gemm`` calls the BLIS bundled with the
``blis`` package. That BLIS chooses its kernels by CPU model when it starts, and on a CPU it
has no kernels for (an AMD EPYC of the Zen 3 family is one) it runs its generic SSE code, and
the parse takes 1.7 to 1.9 times as long as with numpy's BLAS (``python -m bench.matmul``).
numpy ships OpenBLAS, which has AVX2 kernels for those CPUs too.

``"auto"`` measures both on the model's own largest layer when the model loads and keeps
BLIS unless numpy's BLAS is clearly faster (``NUMPY_MUST_WIN``): no CPU list to keep up to
date, and nothing changes where BLIS already runs well. Either way numpy's BLAS runs one
thread: newsflow runs one process per core, and a BLAS thread pool in each would compete
with them (``python -m bench.matmul`` measures both choices side by side).

The NER decoder's output layer stays on BLIS whatever the choice here, as spaCy's own NER
loop does (worker/ner_decoder.py): the two decoders then see the very same scores.
"""

import time
from typing import Any, Literal

import numpy as np
from spacy.language import Language
from thinc.api import Model, NumpyOps
from threadpoolctl import threadpool_limits

from worker.config import Matmul

# numpy's BLAS replaces BLIS only when BLIS takes at least this many times as long: where the
# two are close (BLIS with kernels for the CPU) the model keeps the library thinc ships with.
NUMPY_MUST_WIN = 1.5
_ROWS = 256  # tokens per timed product: a short article's worth
_REPEATS = 5


class NumpyBlasOps(NumpyOps):  # type: ignore[misc]  # thinc's Cython class is untyped
    """thinc's CPU ops with matrix products through numpy (OpenBLAS) instead of BLIS."""

    name = "numpy_blas"

    def gemm(
        self,
        x: np.ndarray,
        y: np.ndarray,
        out: np.ndarray | None = None,
        trans1: bool = False,
        trans2: bool = False,
    ) -> np.ndarray:
        left = x.T if trans1 else x
        right = y.T if trans2 else y
        if out is None:
            product: np.ndarray = np.matmul(left, right)
            return product
        np.matmul(left, right, out=out)
        return out


def single_threaded_blas() -> None:
    """numpy's (and scipy's) BLAS on one thread in this process (see the module's text)."""
    threadpool_limits(limits=1, user_api="blas")


def use_matmul(nlp: Language, choice: Matmul) -> Literal["blis", "numpy"]:
    """Set the ops of every layer of ``nlp``'s networks by ``choice``; return the library used."""
    single_threaded_blas()
    models = _models(nlp)
    chosen: Literal["blis", "numpy"] = choice if choice != "auto" else _faster(models)
    if chosen == "numpy":
        ops = NumpyBlasOps()
        for model in models:
            for node in model.walk():
                node.ops = ops
    return chosen


def library_of(nlp: Language) -> Literal["blis", "numpy"]:
    """The library multiplying ``nlp``'s matrices."""
    return "numpy" if any(isinstance(model.ops, NumpyBlasOps) for model in _models(nlp)) else "blis"


def _models(nlp: Language) -> list[Model[Any, Any]]:
    found = (getattr(pipe, "model", None) for _, pipe in nlp.components)
    return [model for model in found if isinstance(model, Model)]


def _faster(models: list[Model[Any, Any]]) -> Literal["blis", "numpy"]:
    """The library that multiplies by the largest weight matrix of ``models`` faster."""
    shapes = [
        node.get_param("W").shape
        for model in models
        for node in model.walk()
        if node.has_param("W") and node.get_param("W").ndim >= 2
    ]
    if not shapes:
        return "blis"
    rows, *rest = max(shapes, key=lambda shape: int(np.prod(shape)))
    weights = np.ones((int(np.prod([rows, *rest[:-1]])), rest[-1]), dtype="float32")
    inputs = np.ones((_ROWS, weights.shape[1]), dtype="float32")
    blis = _best_seconds(NumpyOps(), inputs, weights)
    numpy = _best_seconds(NumpyBlasOps(), inputs, weights)
    return "numpy" if blis >= NUMPY_MUST_WIN * numpy else "blis"


def _best_seconds(ops: NumpyOps, inputs: np.ndarray, weights: np.ndarray) -> float:
    ops.gemm(inputs, weights, trans2=True)  # the first call pays for allocation and warm-up
    best = float("inf")
    for _ in range(_REPEATS):
        started = time.perf_counter()
        ops.gemm(inputs, weights, trans2=True)
        best = min(best, time.perf_counter() - started)
    return best
