"""The gaps inbox: what agents searched for and did not find, grouped for a lead to triage.

Sources are the agents' scrubbed "nothing fits" reports (``no_match_reported``) and searches
that stayed below the confidence threshold and ended with no SOP opened (the types in
:data:`GAP_EVENT_TYPES`).  Queries are normalised the way shared learning does (scrubbed
again, spaces collapsed, lower case) and grouped by similarity with the suggestion engine's
own text features (hashed word and character n-grams, TF-IDF, cosine;
:mod:`agent_assist.core.search.ranking`): greedy average-link clustering, most frequent
queries first, each query joining the group it is on average most similar to when that
similarity reaches :data:`SIMILARITY`.  Bounded: the newest :data:`MAX_EVENTS` events and
the :data:`MAX_QUERIES` most frequent distinct queries.

A lead's decision is stored per query (groups are recomputed, so a decision stays with what
was decided on): "new SOP needed", "covered by SOP X" (the queries are queued as phrasings of
X, see :mod:`agent_assist.hub.pending`) or "dismiss".  A group is open while any of its
queries is undecided, so a known gap that comes back with new wording shows up again.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.search.ranking import vectors
from agent_assist.core.search.ranking.text import Featurizer, words
from agent_assist.hub import pending
from agent_assist.hub.auth import now_text, time_text
from agent_assist.hub.catalog import catalog
from agent_assist.hub.db import Database
from agent_assist.hub.kept import KeptReports
from agent_assist.hub.learning import normalize_query
from agent_assist.hub.suggest import nearest_sops

GAP_EVENT_TYPES = ("no_match_reported", "search_abandoned")
"""The agent's "nothing fits", and a low-confidence search that ended with no SOP opened."""
SIMILARITY = 0.45
MAX_EVENTS = 50_000
MAX_QUERIES = 2_000
MAX_MEMBERS_SHOWN = 50
CACHED_INBOXES = 8
"""Inboxes kept per database (periods x with or without decided groups)."""
_kept = KeptReports(CACHED_INBOXES)
_normalized = functools.lru_cache(maxsize=16_384)(normalize_query)
"""Scrubbing is most of reading a gap event; the same queries come back again and again."""


class Decision(StrEnum):
    NEW_SOP = "new_sop"
    COVERED = "covered"
    DISMISS = "dismiss"


LABELS = {
    Decision.NEW_SOP: "new SOP needed",
    Decision.COVERED: "covered by",
    Decision.DISMISS: "dismissed",
}


class GapError(AgentAssistError):
    """A decision that cannot be recorded (unknown SOP, nothing to decide)."""


@dataclass
class Query:
    text: str
    count: int = 0
    agents: set[str] = field(default_factory=set)
    first: str = ""
    last: str = ""
    sources: set[str] = field(default_factory=set)
    decision: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "count": self.count,
            "agents": len(self.agents),
            "first_seen": self.first,
            "last_seen": self.last,
            "sources": sorted(self.sources),
            "decision": self.decision,
        }


def event_time(when: dt.datetime) -> str:
    """``when`` as stored events' ``wall`` is written, so text comparison is time order."""
    return when.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _collect(db: Database, since: str | None) -> dict[str, Query]:
    marks = ", ".join("?" * len(GAP_EVENT_TYPES))
    where = f"type IN ({marks})" + (" AND wall >= ?" if since else "")
    params: tuple[Any, ...] = (*GAP_EVENT_TYPES, *((since,) if since else ()))
    with db.read() as tx:
        rows = tx.execute(
            f"SELECT type, wall, agent_id, body FROM events WHERE {where} "
            "ORDER BY wall DESC LIMIT ?",
            (*params, MAX_EVENTS),
        ).fetchall()
        decided = tx.execute(
            "SELECT query, decision, sop_id, decided_by, decided_at FROM gap_decisions"
        ).fetchall()
    found: dict[str, Query] = {}
    for kind, wall, agent, body in rows:
        text = _normalized(str(json.loads(body).get("query") or ""))
        if not text:
            continue
        q = found.setdefault(text, Query(text, first=str(wall), last=str(wall)))
        q.count += 1
        q.agents.add(str(agent))
        q.sources.add(str(kind))
        q.first, q.last = min(q.first, str(wall)), max(q.last, str(wall))
    decisions = {
        str(r[0]): {"decision": r[1], "sop_id": r[2], "decided_by": r[3], "decided_at": r[4]}
        for r in decided
    }
    for q in found.values():
        q.decision = decisions.get(q.text)
    return found


def _group(texts: list[str], background: list[list[str]]) -> list[list[int]]:
    """Indices of ``texts`` grouped by similarity, each group's members most frequent first
    (``texts`` comes in that order)."""
    featurizer = Featurizer()
    tokens = [words(t) for t in texts]
    idf = vectors.fit_idf(featurizer, tokens + background)
    m = vectors.transform(featurizer, tokens, idf)
    inverted = m.transposed()
    group_of = np.full(len(texts), -1, np.int64)
    sizes: list[int] = []
    for i in range(len(texts)):
        a, b = int(m.indptr[i]), int(m.indptr[i + 1])
        if sizes and b > a:
            sims = inverted.weighted_rows_sum(m.indices[a:b], m.data[a:b])
            placed = group_of >= 0
            sums = np.bincount(group_of[placed], weights=sims[placed], minlength=len(sizes))
            means = sums / np.array(sizes, np.float64)
            best = int(np.argmax(means))
            if means[best] >= SIMILARITY:
                group_of[i] = best
                sizes[best] += 1
                continue
        group_of[i] = len(sizes)
        sizes.append(1)
    groups: list[list[int]] = [[] for _ in sizes]
    for i, g in enumerate(group_of.tolist()):
        groups[g].append(i)
    return groups


def inbox(
    db: Database, since: dt.datetime | None = None, *, include_decided: bool = False
) -> dict[str, Any]:
    """Groups of gap queries, biggest first: counts, first/last seen, decisions and the
    nearest existing SOPs.  Decided groups are left out unless ``include_decided``.

    Grouping and ranking the nearest SOPs take about a second at 5,000 gap events, and the
    overview's tile asks on every view, so the result is kept per database and recomputed
    only when what it is made of moves: the gap events in the period (their count, oldest
    and newest time: events are only ever added, or deleted, so the same three numbers
    over the same table select the same events), the decisions, or the catalogue (a
    publish).  A deletion that removes as many gap events of the period as arrive at the
    same time, without moving either end, would go unseen until the next change; call
    :func:`forget` after an erasure."""
    text = event_time(since) if since else None
    marks = ", ".join("?" * len(GAP_EVENT_TYPES))
    where = f"type IN ({marks})" + (" AND wall >= ?" if text else "")
    with db.read() as tx:
        selected = tx.execute(
            f"SELECT count(*), min(wall), max(wall) FROM events WHERE {where}",
            (*GAP_EVENT_TYPES, *((text,) if text else ())),
        ).fetchone()
        decided = tx.execute(
            "SELECT query, decision, sop_id, decided_by, decided_at FROM gap_decisions "
            "ORDER BY query"
        ).fetchall()
    key = (
        tuple(selected),
        tuple(tuple(r) for r in decided),
        catalog(db).head,
        include_decided,
    )
    found = _kept.get(db, key, lambda: _inbox(db, text, include_decided))
    return {**found, "since": time_text(since) if since else None}


def forget(db: Database) -> None:
    """Drop the inboxes kept for ``db`` (after erasing events, say)."""
    _kept.forget(db)


def _inbox(db: Database, since: str | None, include_decided: bool) -> dict[str, Any]:
    found = _collect(db, since)
    ordered = sorted(found.values(), key=lambda q: (-q.count, q.text))[:MAX_QUERIES]
    cat = catalog(db)
    background = [
        words(p)
        for item in cat.of_kind(Kind.SOP)
        if item.sop is not None
        for p in (item.sop.title, item.sop.summary, *item.sop.phrasings)
    ]
    groups: list[dict[str, Any]] = []
    for members in _group([q.text for q in ordered], background) if ordered else []:
        queries = [ordered[i] for i in members]
        open_ = [q for q in queries if q.decision is None]
        if not open_ and not include_decided:
            continue
        groups.append(
            {
                "key": queries[0].text,
                "label": queries[0].text,
                "count": sum(q.count for q in queries),
                "open_count": sum(q.count for q in open_),
                "agents": len(set().union(*(q.agents for q in queries))),
                "first_seen": min(q.first for q in queries),
                "last_seen": max(q.last for q in queries),
                "open": bool(open_),
                "decisions": _decision_summary(queries),
                "queries": [q.to_json() for q in queries[:MAX_MEMBERS_SHOWN]],
                "more_queries": max(0, len(queries) - MAX_MEMBERS_SHOWN),
                "nearest": [
                    {"sop_id": n.sop_id, "title": n.title, "score": n.score}
                    for n in nearest_sops(cat, [q.text for q in queries[:3]])
                ],
            }
        )
    groups.sort(key=lambda g: (not g["open"], -g["open_count"], -g["count"], g["key"]))
    return {
        "since": None,  # filled in by inbox()
        "queries": len(found),
        "groups": groups,
        "open_groups": sum(1 for g in groups if g["open"]),
    }


def _decision_summary(queries: list[Query]) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str | None], int] = {}
    for q in queries:
        if q.decision is not None:
            key = (str(q.decision["decision"]), q.decision["sop_id"])
            seen[key] = seen.get(key, 0) + 1
    return [
        {"decision": d, "label": LABELS[Decision(d)], "sop_id": s, "queries": n}
        for (d, s), n in sorted(seen.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    ]


def open_group_count(db: Database) -> int:
    """Open groups (the overview's tile)."""
    return int(inbox(db)["open_groups"])


def decide(
    db: Database, queries: list[str], decision: Decision, by: str, sop_id: str | None = None
) -> dict[str, Any]:
    """Record ``decision`` for ``queries`` (as the inbox showed them).  "Covered by" needs a
    current SOP and queues the queries as its phrasings for its next publish."""
    texts = list(dict.fromkeys(normalize_query(q) for q in queries if normalize_query(q)))
    if not texts:
        raise GapError("no queries to decide on (expected the group's queries)")
    if decision is Decision.COVERED:
        if not sop_id:
            raise GapError("'covered by' needs the id of the SOP that covers these queries")
        if catalog(db).get(Kind.SOP, sop_id) is None:
            raise GapError(f"no current SOP with id '{sop_id}' (retired or never published)")
    else:
        sop_id = None
    now = now_text()
    with db.transaction() as tx:
        for text in texts:
            tx.execute(
                "INSERT INTO gap_decisions (query, decision, sop_id, decided_by, decided_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (query) DO UPDATE SET "
                "decision = excluded.decision, sop_id = excluded.sop_id, "
                "decided_by = excluded.decided_by, decided_at = excluded.decided_at",
                (text, decision.value, sop_id, by, now),
            )
    queued = pending.add(db, sop_id, texts, by) if sop_id else 0
    return {"decided": len(texts), "decision": decision.value, "sop_id": sop_id, "queued": queued}


def reopen(db: Database, queries: list[str]) -> int:
    """Forget the decisions on ``queries`` (queued phrasings stay queued)."""
    texts = [normalize_query(q) for q in queries]
    with db.transaction() as tx:
        return sum(
            tx.execute("DELETE FROM gap_decisions WHERE query = ?", (t,)).rowcount for t in texts
        )
