"""The agents' suggestion engine, run on the hub over the hub's current items.

The gaps inbox shows, for each group of unanswered queries, the SOPs the agents' own ranker
would have offered: the same :class:`RankIndex` and :func:`rank` the desktop runs (phrasing
classifier, nearest phrasing, BM25F, fuzzy match), built from the published sources rather
than a local cache, without the agent-specific parts (feedback, usage priors).  The index is
rebuilt only when the catalogue changes.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np

from agent_assist.core.cache.store import SearchFields
from agent_assist.core.knowledge.models import Kind, Sop
from agent_assist.core.search.ranking.index import RankIndex, fingerprint
from agent_assist.core.search.ranking.scorer import rank
from agent_assist.core.search.ranking.text import words
from agent_assist.hub.catalog import Catalog, CurrentItem


@dataclass(frozen=True)
class Near:
    sop_id: str
    title: str
    score: float
    """The ranker's raw blend in [0, 1] (before calibration): how close, not how sure."""


def _fields(item: CurrentItem) -> SearchFields | None:
    content = item.content
    if content is None:
        return None
    if isinstance(content, Sop):
        return SearchFields(
            Kind.SOP,
            content.id,
            content.title,
            content.summary,
            content.phrasings,
            content.body,
            content.locale,
            content.tags,
            content.macros,
            str(item.version),
        )
    return SearchFields(
        Kind.MACRO,
        content.id,
        content.title,
        "",
        (),
        content.body,
        content.locale,
        content.tags,
        (),
        str(item.version),
    )


_indexes: weakref.WeakKeyDictionary[Catalog, RankIndex | None] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def index_of(cat: Catalog) -> RankIndex | None:
    """The ranking index of ``cat`` (``None`` when it holds no SOP)."""
    with _lock:
        if cat in _indexes:
            return _indexes[cat]
    fields = [f for f in (_fields(i) for i in cat.items.values()) if f is not None]
    index = None
    if any(f.kind is Kind.SOP for f in fields):
        fp = fingerprint((f.kind.value, f.item_id, f.content_hash) for f in fields)
        index = RankIndex.build(lambda: iter(fields), fp)
    with _lock:
        _indexes[cat] = index
    return index


def nearest_sops(cat: Catalog, queries: list[str], limit: int = 3) -> list[Near]:
    """The SOPs ranked best for any of ``queries`` (best score per SOP), best first."""
    index = index_of(cat)
    if index is None:
        return []
    mask = np.array([e.kind is Kind.SOP for e in index.entries], bool)
    best: dict[int, float] = {}
    for query in queries:
        tokens = words(query)
        if not tokens:
            continue
        for s in rank(index, tokens, typing=False, mask=mask, boosts={}, priors={}, limit=limit):
            best[s.entry] = max(best.get(s.entry, 0.0), s.raw)
    top = sorted(best.items(), key=lambda kv: (-kv[1], index.entries[kv[0]].id))[:limit]
    return [Near(index.entries[e].id, index.entries[e].title, round(raw, 3)) for e, raw in top]
