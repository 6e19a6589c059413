"""Acknowledgements and shared learning (what agents chose after a query).

Learning: each agent's (scrubbed, normalized query -> SOP) choice is recorded once per agent;
when the number of *distinct* agents making the same choice reaches the lead-set threshold,
the query becomes a learned phrasing of that SOP with its own sequence number, so clients
pull new phrasings with a cursor just as they pull knowledge.  Counting distinct agents, not
clicks, keeps one agent from teaching the whole team alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from agent_assist.core.privacy import scrub
from agent_assist.hub.auth import active_agents, now_text
from agent_assist.hub.db import Database, Tx
from agent_assist.hub.knowledge import current_version, next_seqs

DEFAULT_THRESHOLD = 3
THRESHOLD_SETTING = "learn_threshold"


def normalize_query(text: str) -> str:
    return re.sub(r"\s+", " ", scrub(text)).strip().lower()


def record_ack(db: Database, agent: str, sop_id: str, version: int) -> bool:
    """True when this acknowledgement is new."""
    with db.transaction() as tx:
        return bool(
            tx.execute(
                "INSERT INTO acks (sop_id, version, agent, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (sop_id, version, agent) DO NOTHING",
                (sop_id, version, agent, now_text()),
            ).rowcount
        )


def ack_coverage(db: Database, sop_id: str, version: int | None = None) -> dict[str, Any]:
    """Which active agents acknowledged ``version`` (default: the current one) of a SOP."""
    version = version if version is not None else current_version(db, sop_id)
    agents = active_agents(db)
    with db.read() as tx:
        rows = tx.execute(
            "SELECT agent FROM acks WHERE sop_id = ? AND version = ? ORDER BY agent",
            (sop_id, version or 0),
        ).fetchall()
    acknowledged = [str(r[0]) for r in rows]
    counted = len(set(acknowledged) & set(agents))
    return {
        "sop_id": sop_id,
        "version": version,
        "acknowledged": acknowledged,
        "agents": len(agents),
        "coverage": round(counted / len(agents), 4) if agents else 0.0,
    }


def threshold(db: Database) -> int:
    with db.read() as tx:
        row = tx.execute(
            "SELECT value FROM settings WHERE name = ?", (THRESHOLD_SETTING,)
        ).fetchone()
    return DEFAULT_THRESHOLD if row is None else int(row[0])


def set_threshold(db: Database, value: int) -> int:
    """Store the threshold and promote what now passes it; returns phrasings learned."""
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO settings (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (THRESHOLD_SETTING, str(value)),
        )
        return _promote(tx, value, None)


def _promote(tx: Tx, limit: int, pairs: Sequence[tuple[str, str]] | None) -> int:
    """Learn every (query, SOP) of ``pairs`` (all when ``None``) chosen by at least
    ``limit`` distinct agents and not learned yet."""
    select = (
        "SELECT f.query, f.id, count(DISTINCT f.agent) FROM feedback f WHERE f.kind = 'sop' "
        "AND NOT EXISTS (SELECT 1 FROM learned l WHERE l.sop_id = f.id AND l.text = f.query)"
    )
    having = " GROUP BY f.query, f.id HAVING count(DISTINCT f.agent) >= ? ORDER BY f.query, f.id"
    rows: list[Any] = []
    if pairs is None:
        rows = tx.execute(select + having, (limit,)).fetchall()
    else:
        for query, sop_id in dict.fromkeys(pairs):
            rows += tx.execute(
                select + " AND f.query = ? AND f.id = ?" + having, (query, sop_id, limit)
            ).fetchall()
    new = [(str(sop_id), str(query), int(count)) for query, sop_id, count in rows]
    if new:
        seq = next_seqs(tx, "learned", len(new))
        for offset, (sop_id, text, count) in enumerate(new):
            tx.execute(
                "INSERT INTO learned (seq, sop_id, text, count) VALUES (?, ?, ?, ?)",
                (seq + offset, sop_id, text, count),
            )
    return len(new)


def record_feedback(db: Database, agent: str, pairs: Sequence[tuple[str, str, str]]) -> int:
    """Record (query, kind, id) choices of ``agent``; returns phrasings newly learned."""
    limit = threshold(db)
    now = now_text()
    touched = []
    with db.transaction() as tx:
        for query, kind, item_id in pairs:
            text = normalize_query(query)
            if not text:
                continue
            tx.execute(
                "INSERT INTO feedback (query, kind, id, agent, at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (query, kind, id, agent) DO NOTHING",
                (text, kind, item_id, agent, now),
            )
            if kind == "sop":
                touched.append((text, item_id))
        return _promote(tx, limit, touched) if touched else 0


def learned(db: Database, since: int) -> dict[str, Any]:
    with db.read() as tx:
        rows = tx.execute(
            "SELECT seq, sop_id, text, count FROM learned WHERE seq > ? ORDER BY seq LIMIT 1000",
            (since,),
        ).fetchall()
    phrasings = [{"seq": int(r[0]), "sop_id": r[1], "text": r[2], "count": int(r[3])} for r in rows]
    return {"phrasings": phrasings, "cursor": phrasings[-1]["seq"] if phrasings else since}
