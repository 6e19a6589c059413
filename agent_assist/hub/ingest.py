"""Events ingest: at-least-once delivery from clients becomes exactly-once storage.

Each event is stored once, keyed on its UUID (``INSERT ... ON CONFLICT DO NOTHING``), so a
client may resend a batch after any failure.  What is stored is cut to the allow-list
(:mod:`agent_assist.core.worklog.shareable`, which the request model enforces too) and every
free-text field is scrubbed again on arrival: the client scrubs before sending, and
:func:`scrub` is idempotent, so a second pass costs little and protects the hub from an old or
faulty client.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from agent_assist.core.worklog import shareable
from agent_assist.core.worklog.clock import Instant
from agent_assist.core.worklog.events import Event, EventType, Outcome
from agent_assist.hub.auth import now_text
from agent_assist.hub.db import Database


def store_events(db: Database, events: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """Store validated ``events`` (the shareable form); returns (accepted, duplicates)."""
    received = now_text()
    accepted = 0
    with db.transaction() as tx:
        for event in events:
            body = shareable.restrict(event)
            accepted += tx.execute(
                "INSERT INTO events (id, agent_id, type, wall, session_id, body, received_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                (
                    body["id"],
                    body["agent_id"],
                    body["type"],
                    body["wall"],
                    body["session_id"],
                    json.dumps(body, ensure_ascii=False, sort_keys=True),
                    received,
                ),
            ).rowcount
    return accepted, len(events) - accepted


def count_events(db: Database) -> int:
    with db.read() as tx:
        return int(tx.execute("SELECT count(*) FROM events").fetchone()[0])


def to_event(body: dict[str, Any]) -> Event:
    """A stored event as the core model; the ticket hash stands in for the ticket."""
    wall = dt.datetime.fromisoformat(body["wall"].replace("Z", "+00:00"))
    if wall.tzinfo is None:
        wall = wall.replace(tzinfo=dt.UTC)
    return Event(
        EventType(body["type"]),
        Instant(wall, float(body["mono"]), str(body["run_id"])),
        body["agent_id"],
        ticket=body.get("ticket_hash", ""),
        session_id=body["session_id"],
        sop_id=body.get("sop_id"),
        sop_version=body.get("sop_version"),
        step_id=body.get("step_id"),
        choice=body.get("choice"),
        macro_id=body.get("macro_id"),
        outcome=Outcome(body["outcome"]) if body.get("outcome") else None,
        reason=body.get("reason"),
        query=body.get("query"),
        rank=body.get("rank"),
        counted_seconds=body.get("counted_seconds"),
        id=body["id"],
    )


def sessions_since(db: Database, since: str | None) -> list[list[Event]]:
    """Every session with an event at or after ``since`` (ISO text), events in time order."""
    with db.read() as tx:
        if since is None:
            rows = tx.execute("SELECT session_id, body FROM events").fetchall()
        else:
            rows = tx.execute(
                "SELECT session_id, body FROM events WHERE session_id IN "
                "(SELECT session_id FROM events WHERE wall >= ?)",
                (since,),
            ).fetchall()
    grouped: dict[str, list[Event]] = {}
    for session_id, body in rows:
        grouped.setdefault(str(session_id), []).append(to_event(json.loads(body)))
    out = []
    for events in grouped.values():
        events.sort(key=lambda e: (e.at.wall, e.at.mono))
        starts = [e for e in events if e.type is EventType.TICKET_STARTED]
        if starts:  # a session's first event must be its start
            events.remove(starts[0])
            out.append([starts[0], *events])
    return out
