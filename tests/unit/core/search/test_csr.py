"""The index's sparse matrices against dense NumPy arithmetic on random matrices."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent_assist.core.search.ranking.csr import Csr, vstack


def from_dense(m: npt.NDArray[np.float32]) -> Csr:
    rows, cols = np.nonzero(m)
    return Csr.from_triples(m[rows, cols], rows, cols, (m.shape[0], m.shape[1]))


def to_dense(m: Csr) -> npt.NDArray[np.float32]:
    out = np.zeros(m.shape, np.float32)
    out[m.row_of_entries(), m.indices] = m.data
    return out


@st.composite
def dense(draw: st.DrawFn, n_cols: int | None = None) -> npt.NDArray[np.float32]:
    n_rows = draw(st.integers(0, 7))
    n_cols = n_cols if n_cols is not None else draw(st.integers(1, 9))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    m = rng.integers(-3, 4, size=(n_rows, n_cols)).astype(np.float32)
    m[rng.random(m.shape) < 0.6] = 0  # mostly empty, some rows wholly so
    return m


@settings(max_examples=60, deadline=None)
@given(dense())
def test_round_trip_transpose_and_rows(m: npt.NDArray[np.float32]) -> None:
    c = from_dense(m)
    assert np.array_equal(to_dense(c), m)
    assert c.nnz == np.count_nonzero(m)
    assert np.array_equal(to_dense(c.transposed()), m.T)
    pick = list(range(m.shape[0]))[::-1] * 2
    assert np.array_equal(to_dense(c.take_rows(pick)), m[pick].reshape(len(pick), m.shape[1]))
    for r in range(m.shape[0]):  # columns sorted within each row
        row = c.indices[c.indptr[r] : c.indptr[r + 1]]
        assert list(row) == sorted(row)


@settings(max_examples=60, deadline=None)
@given(dense(n_cols=6), dense(n_cols=6), st.integers(0, 2**32 - 1))
def test_products_with_a_sparse_vector(
    a: npt.NDArray[np.float32], b: npt.NDArray[np.float32], seed: int
) -> None:
    stacked = vstack([from_dense(a), from_dense(b)])
    both = np.vstack([a, b])
    assert np.array_equal(to_dense(stacked), both)
    rng = np.random.default_rng(seed)
    ids = rng.choice(6, size=rng.integers(0, 7), replace=False)
    vals = rng.random(len(ids)).astype(np.float32)
    vec = np.zeros(6, np.float64)
    vec[ids] = vals
    assert np.allclose(stacked.dot_sparse(ids, vals), both @ vec, atol=1e-5)
    # a row vector (ids, vals) over the rows of the transpose = both @ vec again
    assert np.allclose(stacked.transposed().weighted_rows_sum(ids, vals), both @ vec, atol=1e-5)


def test_duplicates_are_summed_and_zeros_can_be_dropped() -> None:
    c = Csr.from_triples([1.0, 2.0, 0.0, -1.0], [1, 1, 0, 1], [2, 2, 0, 0], (2, 3))
    assert to_dense(c).tolist() == [[0, 0, 0], [-1, 0, 3]]
    assert c.nnz == 3  # the explicit zero at (0, 0) is stored
    c.eliminate_zeros()
    assert c.nnz == 2
    assert c.indptr.tolist() == [0, 0, 2]


def test_inconsistent_arrays_are_refused() -> None:
    with pytest.raises(ValueError, match="indptr does not match"):
        Csr([1.0, 2.0], [0, 1], [0, 1], (1, 2))
    with pytest.raises(ValueError, match="different numbers of columns"):
        vstack([Csr.empty(1, 2), Csr.empty(1, 3)])
