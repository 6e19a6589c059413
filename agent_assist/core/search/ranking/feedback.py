"""Learning from the agent's choices, and bounded usage priors.

When an agent opens an SOP or uses a macro after a query, the pair (query -> item) is stored
locally, the query scrubbed of personal data first by :func:`agent_assist.core.privacy.scrub`
(the caller, :class:`~agent_assist.core.search.suggester.Suggester`, does that).  Later queries
similar to a remembered one (cosine of their TF-IDF vectors) lift the chosen item at once,
by at most :data:`MAX_FEEDBACK_BOOST`.  Popularity
and recency of use add at most :data:`MAX_PRIOR` together: enough to order near-ties, too
little to bury a clearly better answer.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from agent_assist.core.knowledge.models import Kind
from agent_assist.core.search.ranking import vectors
from agent_assist.core.search.ranking.csr import Csr, vstack
from agent_assist.core.search.ranking.text import Featurizer, words

MAX_FEEDBACK_BOOST = 0.35
MIN_SIMILARITY = 0.45
MAX_PRIOR = 0.04
RECENCY_HALF_LIFE_DAYS = 14.0


class FeedbackMemory:
    """Remembered (query -> item) choices as TF-IDF rows, matched against each query."""

    def __init__(self, featurizer: Featurizer, idf: vectors.FloatArray) -> None:
        self._featurizer, self._idf = featurizer, idf
        self._keys: list[tuple[Kind, str]] = []
        self._counts: list[int] = []
        self._rows = Csr.empty(0, idf.shape[0])

    def __len__(self) -> int:
        return len(self._keys)

    def load(self, rows: list[tuple[str, Kind, str, int]]) -> None:
        self._keys = [(k, i) for _, k, i, _ in rows]
        self._counts = [c for *_, c in rows]
        self._rows = vectors.transform(self._featurizer, [words(q) for q, *_ in rows], self._idf)

    def add(self, query: str, kind: Kind, item_id: str) -> None:
        self._keys.append((kind, item_id))
        self._counts.append(1)
        row = vectors.transform(self._featurizer, [words(query)], self._idf)
        self._rows = vstack([self._rows, row])

    def boosts(
        self, ids: vectors.IntArray, vals: vectors.FloatArray
    ) -> dict[tuple[Kind, str], float]:
        """Boost per item for a query vector: similarity to the best matching remembered
        query, growing with how often it was chosen, capped at MAX_FEEDBACK_BOOST."""
        if not self._keys or len(ids) == 0:
            return {}
        sims = self._rows.dot_sparse(ids, vals)
        out: dict[tuple[Kind, str], float] = {}
        for n in np.flatnonzero(sims >= MIN_SIMILARITY):
            weight = min(1.0, 0.6 + 0.2 * math.log2(1 + self._counts[n]))
            boost = MAX_FEEDBACK_BOOST * float(sims[n]) * weight
            key = self._keys[n]
            out[key] = max(out.get(key, 0.0), boost)
        return out


def usage_prior(use_count: int, last_used_at: str, now: dt.datetime) -> float:
    """Popularity (log of uses) plus recency (half-life decay), at most MAX_PRIOR."""
    popularity = min(1.0, math.log1p(use_count) / math.log(50))
    recency = 0.0
    try:
        age = (now - dt.datetime.fromisoformat(last_used_at)).total_seconds() / 86400
        recency = 0.5 ** (max(age, 0.0) / RECENCY_HALF_LIFE_DAYS)
    except (ValueError, TypeError):
        pass  # never used, or a timestamp from elsewhere: no recency
    return MAX_PRIOR * 0.5 * (popularity + recency)
