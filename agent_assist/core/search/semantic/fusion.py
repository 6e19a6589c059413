"""The semantic stage: re-rank the lexical candidates with the query's sentence embedding.

For each candidate, three scores in [0, 1]:

- ``lexical``: the lexical stage's raw blend (with feedback and usage boosts);
- ``learned``: the embedding classifier's probability for the SOP (for entries without a
  class - macros, catalogues above the classifier's size - the nearest-phrasing cosine);
- ``nearest``: cosine of the query with the item's most similar phrasing row.

``fused = W_LEXICAL lexical + W_LEARNED learned + W_NEAREST nearest``; its calibration has
the lexical stage's form (``sigmoid(SLOPE fused + GAP_SLOPE gap + OFFSET)``) with its own
constants.  Items the lexical stage ranked below its top :data:`LEXICAL_CANDIDATES` but whose
embedding centroid is among the :data:`RECALLED` nearest to the query are added, with the
weakest returned lexical score as theirs (an upper bound: they ranked below it).
The constants come from ``python -m benchmarks calibrate`` on Banking77 and HWU64
train/validation splits (docs/suggestions.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from agent_assist.core.search.ranking.filters import Mask
from agent_assist.core.search.ranking.index import RankIndex
from agent_assist.core.search.semantic.index import SemanticIndex

W_LEXICAL, W_LEARNED, W_NEAREST = 0.5, 0.3, 0.2
WEIGHTS = (W_LEXICAL, W_LEARNED, W_NEAREST)
SLOPE, GAP_SLOPE, OFFSET = 9.046, 3.270, -7.649
THRESHOLD = 0.564
LEXICAL_CANDIDATES = 40
RECALLED = 10

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Fused:
    entry: int
    raw: float
    gap: float


def calibrate(raw: float, gap: float) -> float:
    z = SLOPE * raw + GAP_SLOPE * gap + OFFSET
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def is_confident(score: float) -> bool:
    return score >= THRESHOLD


def nearest(
    sem: SemanticIndex, entries: npt.NDArray[np.int64], q: npt.NDArray[np.float32]
) -> Floats:
    """Per entry, the cosine of ``q`` with its most similar row."""
    starts, ends = sem.row_ptr[entries], sem.row_ptr[entries + 1]
    lengths = ends - starts
    rows = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)])
    if len(rows) == 0:
        return np.zeros(len(entries))
    sims = sem.rows(rows.astype(np.int64)) @ q
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    out = np.zeros(len(entries))
    has = lengths > 0
    out[has] = np.maximum.reduceat(sims, offsets[has])
    return np.clip(out, 0.0, 1.0)


@dataclass(frozen=True)
class Components:
    """The three scores of each candidate entry (``cand`` sorted)."""

    cand: npt.NDArray[np.int64]
    lexical: Floats
    learned: Floats
    nearest: Floats


def components(
    rank: RankIndex,
    sem: SemanticIndex,
    q: npt.NDArray[np.float32],
    lexical: Sequence[tuple[int, float]],
    mask: Mask,
) -> Components:
    """Scores of the ``lexical`` (entry, raw) candidates plus the recalled ones."""
    raw_of = dict(lexical)
    floor = min(raw_of.values()) if raw_of else 0.0
    sims = np.where(mask, sem.centroids @ q, -np.inf)
    k = min(RECALLED, int(mask.sum()))
    if k > 0:
        for e in np.argpartition(-sims, k - 1)[:k].tolist():
            raw_of.setdefault(int(e), floor)
    cand = np.array(sorted(raw_of), np.int64)
    lex = np.array([raw_of[int(e)] for e in cand], np.float64)
    near = nearest(sem, cand, q) if len(cand) else np.zeros(0)
    learned = near.copy()
    model = sem.model
    if model is not None and len(cand):
        probs = model.probabilities(q).astype(np.float64)
        class_of = np.full(len(rank.entries), -1, np.int64)
        class_of[model.labels] = np.arange(len(model.labels))
        pos = class_of[cand]
        has = pos >= 0
        learned[has] = probs[pos[has]]
    return Components(cand, lex, learned, near)


def order(
    rank: RankIndex, c: Components, weights: tuple[float, float, float] = WEIGHTS
) -> list[Fused]:
    """All candidates by fused score, best first, each with its gap to the best other of
    its kind (as the lexical stage computes it)."""
    w_lex, w_learned, w_near = weights
    fused = w_lex * c.lexical + w_learned * c.learned + w_near * c.nearest
    is_sop = rank.is_sop[c.cand]
    out = []
    for kind_sop in (True, False):
        same = np.sort(fused[is_sop == kind_sop])[::-1][:2]
        best = float(same[0]) if len(same) else 0.0
        second = float(same[1]) if len(same) > 1 else 0.0
        for i in np.flatnonzero(is_sop == kind_sop):
            f = float(fused[i])
            out.append(Fused(int(c.cand[i]), f, f - (second if f >= best else best)))
    out.sort(key=lambda s: (-s.raw, not rank.is_sop[s.entry], rank.entries[s.entry].id))
    return out


def rerank(
    rank: RankIndex,
    sem: SemanticIndex,
    q: npt.NDArray[np.float32],
    lexical: Sequence[tuple[int, float]],
    mask: Mask,
    limit: int,
) -> list[Fused]:
    """Fused ranking of ``lexical`` (entry, raw) candidates plus recalled ones, best first."""
    return order(rank, components(rank, sem, q, lexical, mask))[:limit]
