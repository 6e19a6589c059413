"""Multinomial logistic regression on sentence embeddings, one class per SOP, in NumPy.

Sentence embeddings put paraphrases close together, but how close is "the same request"
differs from SOP to SOP; a linear model learned from each SOP's phrasings draws those
borders (the SetFit recipe without fine-tuning the encoder).  Training is full-batch
gradient descent with Nesterov momentum on the L2-regularised cross-entropy: the features
are 384 unit-length dimensions, so each step is two (rows x 384) x (384 x classes)
products and a few hundred steps converge in seconds for hundreds of SOPs.  Like the
phrasing SVM it is trained only up to :data:`MAX_CLASSES` SOPs; larger catalogues rely on
nearest-phrasing cosine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

MAX_CLASSES = 400
MAX_ROWS = 60_000
FEATURE_SCALE = 8.0
"""Embeddings are unit vectors with small coordinates; scaling them lets the weights stay
near 1 and gradient descent converge in fewer steps (it is undone by the regularisation
strength, not a model choice)."""
L2 = 1e-4
"""Penalty per weight, per training row: the weakest that kept 10-shot packs from
over-fitting on the validation splits (docs/suggestions.md)."""
STEPS = 300

Floats = npt.NDArray[np.float32]


@dataclass
class EmbeddingModel:
    labels: npt.NDArray[np.int32]
    """Entry index of each class."""
    coef: Floats
    """DIM x classes."""
    intercept: Floats

    @classmethod
    def train(cls, x: Floats, owner: npt.NDArray[np.int32]) -> EmbeddingModel | None:
        labels, y = np.unique(owner, return_inverse=True)
        if len(labels) < 2 or len(labels) > MAX_CLASSES or len(x) > MAX_ROWS:
            return None
        xs = np.hstack([x * FEATURE_SCALE, np.ones((len(x), 1), np.float32)])
        n, k = len(xs), len(labels)
        onehot = np.zeros((n, k), np.float32)
        onehot[np.arange(n), y] = 1.0
        w = np.zeros((xs.shape[1], k), np.float32)
        velocity = np.zeros_like(w)
        rate = 1.0 / (0.5 * _largest_eigenvalue(xs) / n + L2)  # 1 / Lipschitz constant
        penalty = np.ones((xs.shape[1], 1), np.float32)
        penalty[-1] = 0.0  # the intercept is not shrunk
        for _ in range(STEPS):
            ahead = w + 0.9 * velocity
            z = xs @ ahead
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            grad = xs.T @ (p - onehot) / n + L2 * penalty * ahead
            velocity = 0.9 * velocity - rate * grad
            w += velocity
        return cls(
            labels.astype(np.int32),
            (w[:-1] * FEATURE_SCALE).astype(np.float32),
            w[-1].astype(np.float32),
        )

    def probabilities(self, q: Floats) -> Floats:
        """Class probabilities for one unit-length query embedding."""
        z = q @ self.coef + self.intercept
        z = np.exp(z - z.max())
        out: Floats = (z / z.sum()).astype(np.float32)
        return out

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        return {"lr_labels": self.labels, "lr_coef": self.coef, "lr_intercept": self.intercept}

    @classmethod
    def from_arrays(cls, z: Any) -> EmbeddingModel:
        return cls(z["lr_labels"], z["lr_coef"], z["lr_intercept"])


def _largest_eigenvalue(x: Floats, steps: int = 20) -> float:
    """Of ``x.T @ x``, by power iteration (10 % over: an estimate from below would diverge)."""
    v = np.ones(x.shape[1], np.float32) / np.sqrt(x.shape[1])
    value = 1.0
    for _ in range(steps):
        u = x.T @ (x @ v)
        value = float(np.linalg.norm(u))
        v = u / max(value, 1e-12)
    return 1.1 * value
