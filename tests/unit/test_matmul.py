"""Who multiplies the model's matrices: numpy's BLAS in place of BLIS, chosen by measurement."""

import numpy as np
import pytest
from pydantic import ValidationError
from thinc.api import NumpyOps
from threadpoolctl import threadpool_info

import worker.matmul
from worker.config import Matmul, Settings
from worker.matmul import NUMPY_MUST_WIN, NumpyBlasOps, library_of, single_threaded_blas
from worker.nlp import load_nlp


@pytest.mark.parametrize("trans1", [False, True])
@pytest.mark.parametrize("trans2", [False, True])
def test_numpy_products_equal_blis_products(trans1: bool, trans2: bool) -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal((40, 30) if not trans1 else (30, 40)).astype("float32")
    y = rng.standard_normal((30, 20) if not trans2 else (20, 30)).astype("float32")
    expected = NumpyOps().gemm(x, y, trans1=trans1, trans2=trans2)
    got = NumpyBlasOps().gemm(x, y, trans1=trans1, trans2=trans2)
    assert got.shape == (40, 20) and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    out = np.zeros((40, 20), dtype="float32")
    assert NumpyBlasOps().gemm(x, y, out=out, trans1=trans1, trans2=trans2) is out
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def _ops_of(library: Matmul) -> set[str]:
    nlp = load_nlp(Settings().spacy_model, matmul=library)
    models = [pipe.model for _, pipe in nlp.components if hasattr(pipe, "model")]
    return {type(node.ops).__name__ for model in models for node in model.walk()}


def test_every_layer_of_the_pipeline_multiplies_with_the_chosen_library() -> None:
    assert _ops_of("numpy") == {"NumpyBlasOps"}
    assert _ops_of("blis") == {"NumpyOps"}
    assert _ops_of("auto") in ({"NumpyBlasOps"}, {"NumpyOps"})
    model = Settings().spacy_model
    assert [library_of(load_nlp(model, matmul=m)) for m in ("numpy", "blis")] == ["numpy", "blis"]


def test_both_libraries_read_the_seed_alike(seed_text: str) -> None:
    model = Settings().spacy_model
    docs = [load_nlp(model, matmul=library)(seed_text) for library in ("blis", "numpy")]
    blis, numpy = ([(e.start, e.end, e.label_) for e in doc.ents] for doc in docs)
    assert blis == numpy and len(blis) > 10
    assert [s.start for s in docs[0].sents] == [s.start for s in docs[1].sents]


@pytest.mark.parametrize(
    ("blis_seconds", "numpy_seconds", "chosen"),
    [(4.0, 1.0, "numpy"), (NUMPY_MUST_WIN, 1.0, "numpy"), (1.2, 1.0, "blis"), (1.0, 2.0, "blis")],
)
def test_auto_keeps_blis_unless_numpy_is_clearly_faster(
    monkeypatch: pytest.MonkeyPatch, blis_seconds: float, numpy_seconds: float, chosen: str
) -> None:
    def timed(ops: NumpyOps, inputs: np.ndarray, weights: np.ndarray) -> float:
        assert inputs.shape[1] == weights.shape[1]  # the products are of the model's own layer
        return numpy_seconds if isinstance(ops, NumpyBlasOps) else blis_seconds

    monkeypatch.setattr(worker.matmul, "_best_seconds", timed)
    nlp = load_nlp(Settings().spacy_model, matmul="blis")
    assert worker.matmul._faster(worker.matmul._models(nlp)) == chosen


def test_the_measurement_times_the_real_products() -> None:
    weights = np.ones((64, 32), dtype="float32")
    inputs = np.ones((16, 32), dtype="float32")
    assert 0 < worker.matmul._best_seconds(NumpyBlasOps(), inputs, weights) < 1


def test_numpys_blas_runs_one_thread() -> None:
    single_threaded_blas()
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


def test_the_setting_reads_its_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_MATMUL", "numpy")
    assert Settings().matmul == "numpy"
    monkeypatch.setenv("NEWSFLOW_MATMUL", "mkl")
    with pytest.raises(ValidationError):
        Settings()
