"""Content use in a period: which SOPs and macros nobody (or hardly anybody) uses.

Counted from the agents' uploaded events: a SOP is used when it is opened (``sop_opened``)
and its checklist started (``checklist_started``); a macro when it is copied
(``macro_copied``) or sent to the ticketing tool by a connector (``macro_sent``).  Items
never used in the period are candidates to prune or to fix (wrong title, missing
phrasings); "rarely" is at most :data:`RARE_USES` uses.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from typing import Any

from agent_assist.core.knowledge.models import Kind
from agent_assist.hub.auth import time_text
from agent_assist.hub.catalog import catalog
from agent_assist.hub.db import Database
from agent_assist.hub.gaps import event_time
from agent_assist.hub.kept import KeptReports

SOP_EVENTS = ("sop_opened", "checklist_started")
MACRO_EVENTS = ("macro_copied", "macro_sent")
RARE_USES = 2
CACHED_PERIODS = 8
_kept = KeptReports(CACHED_PERIODS)


def usage(db: Database, since: dt.datetime, until: dt.datetime | None = None) -> dict[str, Any]:
    """Per current item: uses by event type, distinct agents, last use; plus the never- and
    rarely-used lists, least used first.

    Kept per database, as the gaps inbox is (``gaps.inbox``): recounted only when the use
    events of the period (their count, oldest and newest time) or the catalogue move."""
    where, params = _where(since, until)
    with db.read() as tx:
        selected = tx.execute(
            f"SELECT count(*), min(wall), max(wall) FROM events WHERE {where}", params
        ).fetchone()
    key = (tuple(selected), catalog(db).head)
    out = _kept.get(db, key, lambda: _usage(db, since, until))
    out.update(since=time_text(since), until=time_text(until) if until else None)
    return out


def _where(since: dt.datetime, until: dt.datetime | None) -> tuple[str, list[Any]]:
    types = (*SOP_EVENTS, *MACRO_EVENTS)
    where = f"type IN ({', '.join('?' * len(types))}) AND wall >= ?"
    params: list[Any] = [*types, event_time(since)]
    if until is not None:
        where += " AND wall < ?"
        params.append(event_time(until))
    return where, params


def _usage(db: Database, since: dt.datetime, until: dt.datetime | None) -> dict[str, Any]:
    where, params = _where(since, until)
    with db.read() as tx:
        rows = tx.execute(
            f"SELECT type, wall, agent_id, body FROM events WHERE {where}", params
        ).fetchall()
    counts: dict[tuple[Kind, str], Counter[str]] = defaultdict(Counter)
    agents: dict[tuple[Kind, str], set[str]] = defaultdict(set)
    last: dict[tuple[Kind, str], str] = {}
    for kind, wall, agent, body in rows:
        data = json.loads(body)
        key = (
            (Kind.SOP, data.get("sop_id"))
            if kind in SOP_EVENTS
            else (Kind.MACRO, data.get("macro_id"))
        )
        if not key[1]:
            continue
        k = (key[0], str(key[1]))
        counts[k][str(kind)] += 1
        agents[k].add(str(agent))
        last[k] = max(last.get(k, ""), str(wall))
    items: list[dict[str, Any]] = []
    for item in catalog(db).items.values():
        k = (item.kind, item.id)
        c = counts.get(k, Counter())
        uses = c["sop_opened"] if item.kind is Kind.SOP else c["macro_copied"] + c["macro_sent"]
        items.append(
            {
                "kind": item.kind.value,
                "id": item.id,
                "title": item.title,
                "version": item.version,
                "uses": uses,
                "opened": c["sop_opened"],
                "checklists": c["checklist_started"],
                "copied": c["macro_copied"],
                "sent": c["macro_sent"],
                "agents": len(agents.get(k, ())),
                "last_used": last.get(k),
            }
        )
    items.sort(key=lambda r: (r["uses"], r["kind"], r["id"]))
    return {
        "since": time_text(since),
        "until": time_text(until) if until else None,
        "rare_uses": RARE_USES,
        "never": [r for r in items if r["uses"] == 0],
        "rarely": [r for r in items if 0 < r["uses"] <= RARE_USES],
        "items": items,
        "macros": sorted(
            (r for r in items if r["kind"] == Kind.MACRO.value),
            key=lambda r: (-r["copied"] - r["sent"], r["id"]),
        ),
    }
