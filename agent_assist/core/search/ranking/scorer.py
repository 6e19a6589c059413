"""Rank entries for one query: candidates, component scores, their blend, boosts.

Every component is in [0, 1] and the weights sum to 1, so the raw score is in [0, 1] too
(plus bounded feedback and prior boosts, clipped).  Components:

- ``learned``: the linear phrasing classifier's margin squashed by a sigmoid (SOPs, when a
  model exists); otherwise the nearest-centroid similarity stands in.
- ``knn``: cosine to the item's most similar phrasing (title and summary included).
- ``centroid``: cosine to the mean of the item's phrasings.
- ``lexical``: BM25F relative to the best candidate.
- ``fuzzy``: rapidfuzz token-set ratio to the closest phrasing (typos, word order).

Small catalogues are scored in full; large ones only on the BM25F top candidates plus the
items remembered from feedback, which keeps a keystroke's cost flat as the catalogue grows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from agent_assist.core.knowledge.models import Kind
from agent_assist.core.search.ranking import vectors
from agent_assist.core.search.ranking.csr import spans
from agent_assist.core.search.ranking.filters import Mask
from agent_assist.core.search.ranking.index import RankIndex

W_LEARNED, W_KNN, W_CENTROID, W_LEXICAL, W_FUZZY = 0.6, 0.15, 0.0, 0.05, 0.2
"""Chosen by grid search on a validation split of Banking77 *train* (docs/suggestions.md)."""
CLF_SLOPE = 2.0
FULL_SCAN_MAX = 3000
CANDIDATES = 60
"""Items (above FULL_SCAN_MAX) the lexical stage hands to the scorer.  Measured on 600 queries
over the generated 10,000-SOP catalogue (``benchmarks/synth.py``): 120, 70 and 60 candidates
give the same top-1 (48.7 %) and top-10 within one query (83.5, 83.3, 83.7 %), while the
keystroke's p95 falls from about 6 ms to about 4.5 ms: the scorer's cost is linear in it."""
FUZZY_TOP = 12
FUZZY_ROWS = 16
LINK_BOOST = 0.25
LINKING_SOPS = 3

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Scored:
    entry: int
    raw: float
    gap: float
    """raw minus the best raw of any other candidate of the same kind (positive only for the
    best SOP and the best macro): a macro linked to the top SOP is no competitor to it."""


def _candidates(
    index: RankIndex, mask: Mask, lexical: npt.NDArray[np.float32], extra: list[int]
) -> Ints:
    if len(index.entries) <= FULL_SCAN_MAX:
        return np.flatnonzero(mask)
    s = np.where(mask, lexical, -1.0)
    k = min(CANDIDATES, len(s))
    top = np.argpartition(-s, k - 1)[:k]
    top = top[s[top] > 0]
    more = [e for e in extra if mask[e]]
    return np.unique(np.concatenate([top, np.array(more, np.int64)])).astype(np.int64)


def _segments(index: RankIndex, cand: Ints, cap: int | None = None) -> tuple[Ints, Ints]:
    """Phrasing rows of ``cand`` (at most ``cap`` each) and where each item's rows start."""
    rows, offsets, _ = spans(index.row_ptr, cand, cap)
    return rows, offsets


def _knn(index: RankIndex, cand: Ints, query: Query) -> Floats:
    if len(cand) == len(index.entries):
        sims = index.phrasing_scores(*query.words)
        offsets = index.row_ptr[:-1]
    else:
        rows, offsets = _segments(index, cand)
        sims = index.dot(index.rows, rows, *query.words)
    return np.maximum.reduceat(sims, offsets).astype(np.float64)


def _learned(index: RankIndex, cand: Ints, query: Query) -> Floats:
    out = index.centroid_scores(cand, query.ids, query.vals)
    model = index.model
    if model is None or len(query.ids) == 0:
        return out
    margins = model.decision(query.ids, query.vals)
    squashed = 1.0 / (1.0 + np.exp(-CLF_SLOPE * margins.astype(np.float64)))
    pos = index.class_of[cand]
    has = pos >= 0
    out[has] = squashed[pos[has]]
    return out


def _fuzzy(index: RankIndex, cand: Ints, text: str) -> Floats:
    rows, offsets = _segments(index, cand, FUZZY_ROWS)
    choices = [index.row_text[r] for r in rows]
    sims = process.cdist([text], choices, scorer=fuzz.token_set_ratio, dtype=np.float32)[0]
    return np.maximum.reduceat(sims, offsets).astype(np.float64) / 100.0


def blend(index: RankIndex, cand: Ints, query: Query, lexical: npt.NDArray[np.float32]) -> Floats:
    """Raw [0, 1] scores of ``cand`` (fuzzy only for the FUZZY_TOP best of the rest)."""
    if len(cand) == 0:
        return np.zeros(0)
    knn = _knn(index, cand, query)
    learned = _learned(index, cand, query)
    lex = lexical[cand].astype(np.float64)
    raw = W_LEARNED * learned + W_KNN * knn + W_LEXICAL * lex
    if W_CENTROID:
        raw += W_CENTROID * index.centroid_scores(cand, query.ids, query.vals)
    top = np.argsort(-raw, kind="stable")[:FUZZY_TOP]
    fz = np.zeros(len(cand))
    fz[top] = _fuzzy(index, cand[top], query.text)
    return np.asarray(raw + W_FUZZY * fz, np.float64)


@dataclass(frozen=True)
class Query:
    """A query in every form the components need."""

    text: str
    ids: vectors.IntArray
    vals: vectors.FloatArray
    words: tuple[vectors.IntArray, vectors.FloatArray]
    """Word-level vector (for phrasing similarity)."""

    @classmethod
    def of(cls, index: RankIndex, tokens: list[str], *, typing: bool) -> Query:
        """Vectors of the query with typos and the word being typed resolved to vocabulary
        words; the fuzzy matcher sees the text as typed."""
        fixed = index.lexicon.correct(tokens, typing=typing)
        ids, vals = index.vector(fixed)
        return cls(" ".join(tokens), ids, vals, index.vector(fixed, chars=False))


def rank(
    index: RankIndex,
    tokens: list[str],
    *,
    typing: bool,
    mask: Mask,
    boosts: dict[tuple[Kind, str], float],
    priors: dict[tuple[Kind, str], float],
    limit: int,
) -> list[Scored]:
    query = Query.of(index, tokens, typing=typing)
    lexical = index.lexicon.scores(tokens, typing=typing)
    boosted = [index.by_key[k] for k in boosts if k in index.by_key]
    cand = _candidates(index, mask, lexical, boosted)
    best = float(lexical[cand].max()) if len(cand) else 0.0
    if best > 0:
        lexical = lexical / best  # relative BM25F: 1 for the best candidate
    raw = blend(index, cand, query, lexical)
    for key, extra in (*boosts.items(), *priors.items()):
        e = index.by_key.get(key)
        if e is not None:
            pos = int(np.searchsorted(cand, e))
            if pos < len(cand) and cand[pos] == e:
                raw[pos] += extra
    cand, raw = _boost_linked_macros(index, cand, raw, mask, query, lexical)
    if len(cand) == 0:
        return []
    k = min(len(cand), limit)
    top = np.argpartition(-raw, k - 1)[:k] if k < len(cand) else np.arange(len(cand))
    order = sorted(
        top.tolist(),
        key=lambda i: (
            -raw[i],
            index.entries[cand[i]].kind is not Kind.SOP,
            index.entries[cand[i]].id,
        ),
    )
    leaders: dict[bool, tuple[float, float]] = {}  # per kind: (best raw, runner-up raw)
    for sop in (True, False):
        same = raw[index.is_sop[cand] == sop]
        top2 = np.sort(same[np.argpartition(-same, 1)[:2]] if len(same) > 2 else same)[::-1]
        leaders[sop] = (
            float(top2[0]) if len(top2) else 0.0,
            float(top2[1]) if len(top2) > 1 else 0.0,
        )
    out = []
    for i in order:
        first, second = leaders[bool(index.is_sop[cand[i]])]
        gap = float(raw[i]) - (second if raw[i] >= first else first)
        out.append(Scored(int(cand[i]), min(1.0, max(0.0, float(raw[i]))), gap))
    return out


def _boost_linked_macros(
    index: RankIndex,
    cand: Ints,
    raw: Floats,
    mask: Mask,
    query: Query,
    lexical: npt.NDArray[np.float32],
) -> tuple[Ints, Floats]:
    """Macros the top SOPs link to are likely replies: score them if the candidate stage
    missed them, then lift each by a share of its best linking SOP's score."""
    sop_pos = np.flatnonzero(index.is_sop[cand])
    top = sop_pos[np.argsort(-raw[sop_pos], kind="stable")[:LINKING_SOPS]]
    links: dict[int, float] = {}
    for p in top:
        for macro_id in index.entries[cand[p]].macros:
            m = index.by_key.get((Kind.MACRO, macro_id))
            if m is not None and mask[m]:
                links[m] = max(links.get(m, 0.0), float(raw[p]))
    if not links:
        return cand, raw
    missing = np.array(
        sorted(set(links) - set(cand[np.isin(cand, list(links))].tolist())), np.int64
    )
    if len(missing):
        cand = np.concatenate([cand, missing])
        raw = np.concatenate([raw, blend(index, missing, query, lexical)])
        order = np.argsort(cand, kind="stable")
        cand, raw = cand[order], raw[order]
    for m, sop_score in links.items():
        raw[int(np.searchsorted(cand, m))] += LINK_BOOST * sop_score
    return cand, raw
