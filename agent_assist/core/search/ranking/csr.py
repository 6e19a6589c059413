"""Compressed sparse row matrices in plain NumPy: just the operations the index needs.

SciPy's sparse matrices did this job before, but importing ``scipy.sparse`` costs 0.6 s (its
array-API layer imports every lazily loaded NumPy submodule) on each start of the app, on
the path to the first suggestions, and another 6 MB in the installed bundle.  The index uses
a handful of operations, all of them a few NumPy calls: build, stack, select rows, transpose,
and products with a sparse query vector.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IndexArray = npt.NDArray[np.int32]
PointerArray = npt.NDArray[np.int64]


def spans(
    indptr: npt.ArrayLike, which: npt.ArrayLike, cap: int | None = None
) -> tuple[PointerArray, PointerArray, PointerArray]:
    """Where the ranges ``indptr[k]:indptr[k+1]`` of the ``which`` entries lie, laid end to
    end: (positions, offset of each range among them, length of each range).  ``cap`` keeps at
    most that many positions from each range."""
    ptr = np.asarray(indptr, np.int64)
    k = np.asarray(which, np.int64)
    starts = ptr[k]
    lengths = ptr[k + 1] - starts
    if cap is not None:
        lengths = np.minimum(lengths, cap)
    offsets = lengths.cumsum() - lengths
    positions = np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))
    return positions, offsets, lengths


class Csr:
    """A ``shape[0] x shape[1]`` matrix: row ``r`` holds ``data[indptr[r]:indptr[r+1]]`` at
    columns ``indices[...]`` (sorted within each row, no duplicates)."""

    __slots__ = ("data", "indices", "indptr", "shape")

    def __init__(
        self,
        data: npt.ArrayLike,
        indices: npt.ArrayLike,
        indptr: npt.ArrayLike,
        shape: tuple[int, int],
    ) -> None:
        self.data: FloatArray = np.asarray(data, np.float32)
        self.indices: IndexArray = np.asarray(indices, np.int32)
        self.indptr: PointerArray = np.asarray(indptr, np.int64)
        self.shape = (int(shape[0]), int(shape[1]))
        if len(self.indptr) != self.shape[0] + 1 or len(self.data) != len(self.indices):
            raise ValueError(f"inconsistent sparse matrix of shape {self.shape}")
        if len(self.data) != self.indptr[-1]:
            raise ValueError(f"sparse matrix of shape {self.shape}: indptr does not match data")

    @classmethod
    def empty(cls, n_rows: int, n_cols: int) -> Csr:
        return cls(np.zeros(0), np.zeros(0), np.zeros(n_rows + 1), (n_rows, n_cols))

    @classmethod
    def from_triples(
        cls,
        data: npt.ArrayLike,
        rows: npt.ArrayLike,
        cols: npt.ArrayLike,
        shape: tuple[int, int],
    ) -> Csr:
        """From (value, row, column) triples in any order; duplicates are summed."""
        r = np.asarray(rows, np.int64)
        keys, where = np.unique(r * shape[1] + np.asarray(cols, np.int64), return_inverse=True)
        values = np.bincount(where, weights=np.asarray(data, np.float64), minlength=len(keys))
        r, c = np.divmod(keys, shape[1])
        indptr = np.zeros(shape[0] + 1, np.int64)
        np.cumsum(np.bincount(r, minlength=shape[0]), out=indptr[1:])
        return cls(values, c, indptr, shape)

    @property
    def nnz(self) -> int:
        return len(self.data)

    def row_lengths(self) -> PointerArray:
        return np.diff(self.indptr)

    def row_of_entries(self) -> PointerArray:
        """The row of each stored value."""
        return np.repeat(np.arange(self.shape[0], dtype=np.int64), self.row_lengths())

    def take_rows(self, rows: npt.ArrayLike) -> Csr:
        """The matrix made of ``rows`` (in that order; repeats allowed)."""
        pos, _, lengths = spans(self.indptr, rows)
        indptr = np.concatenate([[0], lengths.cumsum()])
        return Csr(self.data[pos], self.indices[pos], indptr, (len(lengths), self.shape[1]))

    def transposed(self) -> Csr:
        """The transpose, in CSR: a stable sort by column keeps each new row's columns (the
        old rows) in order."""
        order = np.argsort(self.indices, kind="stable")
        indptr = np.zeros(self.shape[1] + 1, np.int64)
        np.cumsum(np.bincount(self.indices, minlength=self.shape[1]), out=indptr[1:])
        rows = self.row_of_entries()[order]
        return Csr(self.data[order], rows, indptr, (self.shape[1], self.shape[0]))

    def eliminate_zeros(self) -> None:
        keep = self.data != 0
        if keep.all():
            return
        row = self.row_of_entries()[keep]
        self.data, self.indices = self.data[keep], self.indices[keep]
        np.cumsum(np.bincount(row, minlength=self.shape[0]), out=self.indptr[1:])

    def weighted_rows_sum(
        self, rows: npt.ArrayLike, weights: npt.ArrayLike
    ) -> npt.NDArray[np.float64]:
        """``sum(weights[k] * self[rows[k]])`` as a dense vector: a sparse row vector times
        this matrix, when ``rows``/``weights`` are its non-zero columns and values."""
        sub = self.take_rows(rows)
        scale = np.repeat(np.asarray(weights, np.float64), sub.row_lengths())
        out = np.bincount(sub.indices, weights=sub.data * scale, minlength=self.shape[1])
        return out.astype(np.float64, copy=False)

    def dot_sparse(self, ids: npt.ArrayLike, vals: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Each row's dot product with the sparse vector ``(ids, vals)`` (ids unique)."""
        ids_sorted = np.asarray(ids, np.int64)
        order = np.argsort(ids_sorted)
        ids_sorted, v = ids_sorted[order], np.asarray(vals, np.float64)[order]
        if len(ids_sorted) == 0 or self.nnz == 0:
            return np.zeros(self.shape[0], np.float64)
        pos = np.minimum(np.searchsorted(ids_sorted, self.indices), len(ids_sorted) - 1)
        hit = ids_sorted[pos] == self.indices
        contrib = np.where(hit, self.data * v[pos], 0.0)
        out = np.bincount(self.row_of_entries(), weights=contrib, minlength=self.shape[0])
        return out.astype(np.float64, copy=False)


class DenseQuery:
    """``m[rows] @ v`` for sparse query vectors ``v``, many times over one matrix ``m``.

    The product gathers the query's weight for every stored entry of the chosen rows.  Laid
    out over the hashed feature space that gather reads a 4 MB buffer at random, which costs
    more than the arithmetic; over the matrix's own columns, numbered most frequent first,
    the same gather reads a small, hot buffer.  The sums are the same, in the same order.
    Built once per matrix (a few tens of milliseconds, on the worker that loads the index);
    the buffer is per thread.
    """

    def __init__(self, m: Csr) -> None:
        self.m = m
        counts = np.bincount(m.indices, minlength=m.shape[1])
        used = np.flatnonzero(counts)
        by_use = used[np.argsort(-counts[used], kind="stable")]
        self.remap = np.full(m.shape[1], -1, np.int32)
        """Each feature's column here, -1 where no row has it."""
        self.remap[by_use] = np.arange(len(by_use), dtype=np.int32)
        self.columns: IndexArray = self.remap[m.indices]
        self.width = len(by_use)
        self._local = threading.local()

    def rows_dot(
        self, rows: npt.ArrayLike, ids: npt.ArrayLike, vals: npt.ArrayLike
    ) -> npt.NDArray[np.float64]:
        """Each of ``rows``' dot product with the sparse vector ``(ids, vals)``."""
        buf = getattr(self._local, "buf", None)
        if buf is None:
            buf = self._local.buf = np.zeros(self.width + 1, np.float32)
        cols = self.remap[np.asarray(ids, np.int64)]
        cols = np.where(cols >= 0, cols, self.width)  # a column no row reads
        pos, offsets, lengths = spans(self.m.indptr, rows)
        buf[cols] = vals
        try:
            prod = self.m.data[pos] * buf[self.columns[pos]]
        finally:
            buf[cols] = 0.0
        out = np.zeros(len(lengths), np.float64)
        nonempty = lengths > 0
        if nonempty.any():
            out[nonempty] = np.add.reduceat(prod, offsets[nonempty])
        return out


def vstack(parts: Sequence[Csr]) -> Csr:
    """The matrices one below the other (same number of columns)."""
    if not parts:
        raise ValueError("nothing to stack")
    n_cols = parts[0].shape[1]
    if any(p.shape[1] != n_cols for p in parts):
        raise ValueError("cannot stack matrices with different numbers of columns")
    offsets = np.cumsum([0] + [p.nnz for p in parts[:-1]])
    indptr = np.concatenate([[0]] + [p.indptr[1:] + o for p, o in zip(parts, offsets, strict=True)])
    return Csr(
        np.concatenate([p.data for p in parts]),
        np.concatenate([p.indices for p in parts]),
        indptr,
        (sum(p.shape[0] for p in parts), n_cols),
    )
