"""A linear classifier learned from the SOPs' phrasings (one class per SOP).

A linear SVM over the TF-IDF word and character-gram features is the strongest of the
models we measured that trains in seconds without a GPU (see ``docs/suggestions.md``).  Its
weights are dense (classes x features), so it is only trained for catalogues up to
:data:`MAX_CLASSES` SOPs; larger ones rely on the nearest-centroid and nearest-phrasing
scores, whose memory grows with the phrasings, not with classes x features.  Columns are
compacted to the features the training data uses, which keeps the weights small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

MAX_CLASSES = 400
MAX_ROWS = 60_000
C = 0.5


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
    def train(cls, rows: sparse.csr_matrix, owner: npt.NDArray[np.int32]) -> PhrasingModel | None:
        """Fit one-vs-rest linear SVMs; None when there is nothing to tell apart."""
        labels = np.unique(owner)
        if len(labels) < 2 or len(labels) > MAX_CLASSES or rows.shape[0] > MAX_ROWS:
            return None
        from sklearn.svm import LinearSVC  # imported lazily: large, and only needed here

        cols = np.unique(rows.indices).astype(np.int64)
        compact = sparse.csr_matrix(
            (rows.data, np.searchsorted(cols, rows.indices).astype(np.int32), rows.indptr),
            shape=(rows.shape[0], len(cols)),
        )
        svm = LinearSVC(C=C, max_iter=2000)
        svm.fit(compact, owner)
        coef = np.asarray(svm.coef_, np.float32)
        intercept = np.asarray(svm.intercept_, np.float32)
        if len(labels) == 2:  # binary: scikit-learn keeps one weight vector
            coef = np.vstack([-coef[0], coef[0]])
            intercept = np.array([-intercept[0], intercept[0]], np.float32)
        return cls(labels.astype(np.int32), cols, np.ascontiguousarray(coef.T), intercept)

    def decision(
        self, ids: npt.NDArray[np.int64], values: npt.NDArray[np.float32]
    ) -> npt.NDArray[np.float32]:
        """Margin per class for one query vector given as (feature ids, weights)."""
        pos = np.searchsorted(self.cols, ids)
        pos = np.minimum(pos, len(self.cols) - 1)
        known = self.cols[pos] == ids
        out: npt.NDArray[np.float32] = values[known] @ self.coef_t[pos[known]] + self.intercept
        return out
