"""The sync outbox of the event log: which events the hub has accepted, per channel
(``events`` for ``POST /v1/events``, ``acks`` for ``POST /v1/acks``).

The log is the agent's own record and works without any hub; the outbox is sync's
bookkeeping about it, kept in the same file so that marking a batch as sent is one local
transaction.  An event leaves the outbox only after the hub's 2xx; erasing an event erases its
row here too (a trigger), so retention and erasure need not know the outbox exists.

:class:`~agent_assist.core.worklog.events.EventLog` runs these statements on its connection
(``unpushed``, ``unpushed_count``, ``mark_pushed``); this module only says what they are.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

ACK_GIVEN = "ack_given"
"""``EventType.ACK_GIVEN``, spelled out because the events module imports this one (a test
keeps the two equal): the ``acks`` channel carries acknowledgements only."""


def create_outbox(conn: sqlite3.Connection) -> None:
    """Event-log schema step 2: the ``pushed`` table and the trigger that forgets an erased
    event's rows."""
    conn.execute(
        "CREATE TABLE pushed (channel TEXT NOT NULL, id TEXT NOT NULL, at TEXT NOT NULL, "
        "PRIMARY KEY (channel, id)) WITHOUT ROWID"
    )
    conn.execute(
        "CREATE TRIGGER events_pushed_forget AFTER DELETE ON events "
        "BEGIN DELETE FROM pushed WHERE id = old.id; END"
    )


def index_pushed_ids(conn: sqlite3.Connection) -> None:
    """Event-log schema step 3: the trigger above finds an erased event's rows by ``id``
    alone, which the ``(channel, id)`` key cannot serve; without this index, retention
    deleting N events scanned the whole outbox N times."""
    conn.execute("CREATE INDEX pushed_id ON pushed(id)")


def waiting(channel: str) -> tuple[str, list[Any]]:
    """``WHERE`` clause and arguments selecting the events the hub has not accepted yet on
    ``channel``."""
    where = "NOT EXISTS (SELECT 1 FROM pushed p WHERE p.channel = ? AND p.id = events.id)"
    if channel == "acks":
        return f"{where} AND type = ?", [channel, ACK_GIVEN]
    return where, [channel]


def mark(conn: sqlite3.Connection, ids: Sequence[str], at: str, channel: str) -> None:
    """Record, inside the caller's transaction, that the hub accepted these events;
    marking one twice is harmless (a retried batch)."""
    conn.executemany(
        "INSERT OR IGNORE INTO pushed (channel, id, at) VALUES (?, ?, ?)",
        [(channel, i, at) for i in ids],
    )
