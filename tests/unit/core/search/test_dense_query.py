"""DenseQuery: the index's sparse products over its own columns equal the plain product."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from agent_assist.core.search.ranking.csr import Csr, DenseQuery


def plain(m: Csr, rows: np.ndarray, ids: np.ndarray, vals: np.ndarray) -> np.ndarray:
    dense = np.zeros(m.shape[1], np.float64)
    dense[ids] = vals
    out = []
    for r in rows:
        lo, hi = m.indptr[r], m.indptr[r + 1]
        out.append(float(np.dot(m.data[lo:hi].astype(np.float64), dense[m.indices[lo:hi]])))
    return np.array(out)


def random_csr(rng: np.random.Generator, n_rows: int, n_cols: int) -> Csr:
    indptr, indices, data = [0], [], []
    for _ in range(n_rows):
        cols = np.sort(rng.choice(n_cols, size=int(rng.integers(0, 6)), replace=False))
        indices += cols.tolist()
        data += rng.random(len(cols)).astype(np.float32).tolist()
        indptr.append(len(indices))
    return Csr(data, indices, indptr, (n_rows, n_cols))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_rows_dot_equals_the_plain_product(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m = random_csr(rng, int(rng.integers(1, 30)), 64)
    query = DenseQuery(m)
    rows = rng.integers(0, m.shape[0], size=int(rng.integers(0, 12)))
    ids = rng.choice(64, size=int(rng.integers(0, 10)), replace=False)  # some unused columns
    vals = rng.random(len(ids)).astype(np.float32)
    got = query.rows_dot(rows, ids, vals)
    np.testing.assert_allclose(got, plain(m, rows, ids, vals), rtol=1e-5, atol=1e-6)
    # the buffer is clean again: a query with no features scores nothing
    assert not query.rows_dot(rows, ids[:0], vals[:0]).any()


def test_columns_no_row_uses_cost_nothing_and_score_nothing() -> None:
    m = Csr([1.0, 2.0, 3.0], [5, 9, 5], [0, 2, 3], (2, 1 << 20))
    query = DenseQuery(m)
    assert query.width == 2  # columns 5 and 9 only, 5 (used twice) first
    assert query.remap[5] == 0 and query.remap[9] == 1
    np.testing.assert_allclose(
        query.rows_dot(np.array([0, 1]), np.array([9, 700_000]), np.array([0.5, 4.0])),
        [1.0, 0.0],
    )
