"""A linear classifier learned from the SOPs' phrasings (one class per SOP).

A linear SVM over the TF-IDF word and character-gram features is the strongest of the
models we measured that trains in seconds without a GPU (see ``docs/suggestions.md``).  It is
trained here in plain NumPy by dual coordinate descent (Hsieh et al., ICML 2008: the algorithm
of LIBLINEAR and scikit-learn's ``LinearSVC``), so the app needs neither scikit-learn nor
SciPy: that keeps about 100 MB out of the installed bundle and a
second out of the first start, for the same accuracy on Banking77.  Its weights are dense
(classes x features), so it is only trained for catalogues up to :data:`MAX_CLASSES` SOPs;
larger ones rely on the nearest-centroid and nearest-phrasing scores, whose memory grows with
the phrasings, not with classes x features.  Columns are compacted to the features the
training data uses, which keeps the weights small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from agent_assist.core.search.ranking.csr import Csr

MAX_CLASSES = 400
MAX_ROWS = 60_000
C = 0.5
"""Inverse regularisation strength: the value that did best on Banking77 (see the docs)."""
TOLERANCE = 0.3
"""Stop when the projected gradients of all dual variables lie within this span; tighter
values change no Banking77 prediction and cost more epochs."""
MAX_EPOCHS = 50


@dataclass
class PhrasingModel:
    labels: npt.NDArray[np.int32]
    """Entry index of each class."""
    cols: npt.NDArray[np.int64]
    """Sorted hashed feature ids the model has weights for."""
    coef_t: npt.NDArray[np.float32]
    """Weights, features x classes (row gather per query feature)."""
    intercept: npt.NDArray[np.float32]

    @classmethod
    def train(cls, rows: Csr, owner: npt.NDArray[np.int32]) -> PhrasingModel | None:
        """Fit one-vs-rest linear SVMs; None when there is nothing to tell apart."""
        labels = np.unique(owner)
        if len(labels) < 2 or len(labels) > MAX_CLASSES or rows.shape[0] > MAX_ROWS:
            return None
        cols = np.unique(rows.indices).astype(np.int64)
        compact = np.searchsorted(cols, rows.indices).astype(np.int32)
        targets = np.where(owner[:, None] == labels[None, :], 1.0, -1.0).astype(np.float32)
        coef, intercept = _dual_cd(
            rows.indptr, compact, rows.data.astype(np.float32), len(cols), targets
        )
        return cls(labels.astype(np.int32), cols, coef, intercept)

    def decision(
        self, ids: npt.NDArray[np.int64], values: npt.NDArray[np.float32]
    ) -> npt.NDArray[np.float32]:
        """Margin per class for one query vector given as (feature ids, weights)."""
        pos = np.searchsorted(self.cols, ids)
        pos = np.minimum(pos, len(self.cols) - 1)
        known = self.cols[pos] == ids
        out: npt.NDArray[np.float32] = values[known] @ self.coef_t[pos[known]] + self.intercept
        return out


def _dual_cd(
    indptr: npt.NDArray[np.int64],
    indices: npt.NDArray[np.int32],
    data: npt.NDArray[np.float32],
    n_features: int,
    targets: npt.NDArray[np.float32],
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """L2-regularised squared-hinge SVMs, one per column of ``targets`` (+1/-1 per row), by
    dual coordinate descent.  All classes share each row's update, so one pass of the Python
    loop serves every class with NumPy doing the per-class work.  The intercept is a feature
    of constant value 1 (regularised like the others, as in LIBLINEAR).  Rows are visited in a
    fixed pseudo-random order so the same pack always yields the same model."""
    n, k = targets.shape
    weights = np.zeros((n_features, k), np.float32)
    bias = np.zeros(k, np.float32)
    alpha = np.zeros((n, k), np.float32)
    diag = np.float32(1.0 / (2.0 * C))
    row_of = np.repeat(np.arange(n), np.diff(indptr))
    squares = np.bincount(row_of, weights=data * data, minlength=n)
    q = (squares + 1.0 + diag).astype(np.float32)
    rng = np.random.default_rng(0)
    for _ in range(MAX_EPOCHS):
        top, bottom = -np.inf, np.inf
        for i in rng.permutation(n):
            ids = indices[indptr[i] : indptr[i + 1]]
            vals = data[indptr[i] : indptr[i + 1]]
            y, a = targets[i], alpha[i]
            grad = y * (vals @ weights[ids] + bias) - 1.0 + diag * a
            projected = np.where(a > 0, grad, np.minimum(grad, 0.0))
            top = max(top, float(projected.max()))
            bottom = min(bottom, float(projected.min()))
            new = np.maximum(a - grad / q[i], 0.0)
            step = (new - a) * y
            alpha[i] = new
            weights[ids] += np.outer(vals, step)
            bias += step
        if top - bottom < TOLERANCE:
            break
    return weights, bias
