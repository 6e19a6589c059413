"""The handle-time event log: append-only events in their own SQLite file.

Durations are never stored; they are computed from these events (``durations.py``), so a
crash, a pause or a clock change cannot leave a counter wrong.  The log is a separate file
from the knowledge cache: it holds the agent's personal data, has its own retention and
erasure, and must never be lost with a rebuilt cache.

Durability: :meth:`EventLog.append` returns only after its transaction has committed.  The
log runs in WAL mode with ``synchronous=NORMAL``: a commit is then a ``write()`` to the WAL
without ``fsync``, so an event survives the app being killed or crashing (the OS holds the
write; ``tests/integration/test_event_durability.py`` proves it with SIGKILL), and the
database can never be corrupted.  Only an OS crash or power cut can lose the last events
written since the last checkpoint; for a handle-time log that trade buys a write well under a
millisecond (``benchmarks/event_write.py``), where ``synchronous=FULL`` costs an ``fsync`` per
event (milliseconds on a laptop disk).  Pass ``synchronous="FULL"`` to choose the other side.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from agent_assist.core.database import SQLiteFile
from agent_assist.core.errors import EventLogError
from agent_assist.core.privacy import TeamKey, scrub, scrub_payment_and_ids, ticket_hash
from agent_assist.core.worklog import outbox, shareable
from agent_assist.core.worklog.clock import Instant

DB_NAME = "events.sqlite3"
DAMAGED_HINT = "the file is damaged; move it aside to start a new log"


class EventType(StrEnum):
    TICKET_STARTED = "ticket_started"
    TICKET_PAUSED = "ticket_paused"
    TICKET_RESUMED = "ticket_resumed"
    TICKET_ENDED = "ticket_ended"
    SOP_OPENED = "sop_opened"
    CHECKLIST_STARTED = "checklist_started"
    STEP_ENTERED = "step_entered"
    STEP_COMPLETED = "step_completed"
    STEP_SKIPPED = "step_skipped"
    CHOICE_TAKEN = "choice_taken"
    MACRO_COPIED = "macro_copied"
    SUGGESTION_CHOSEN = "suggestion_chosen"
    NO_MATCH_REPORTED = "no_match_reported"
    ACK_GIVEN = "ack_given"
    GAP_CONFIRMED = "gap_confirmed"
    """The agent confirmed that an unrecorded gap (crash, long idle) was work."""
    GAP_TRIMMED = "gap_trimmed"
    """The agent said only ``counted_seconds`` of the gap before this event was work."""
    MACRO_SENT = "macro_sent"
    """A filled macro was posted to the ticketing tool (``macro_id``), not only copied."""
    TICKET_QUALITY = "ticket_quality"
    """What the ticketing tool says about a worked ticket: ``satisfaction`` (0-1) and/or
    ``reopened``; never customer text."""
    SEARCH_ABANDONED = "search_abandoned"
    """A search whose suggestions were all below the confidence threshold ended with no SOP
    opened and no gap reported (``app/search_trail.py``): a gap the agent did not report.
    Carries the scrubbed ``query`` and machine fields only (``shareable.TYPE_FREE_TEXT``)."""


class Outcome(StrEnum):
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    WAITING = "waiting"
    TRANSFERRED = "transferred"


@dataclass(frozen=True)
class Event:
    """One thing that happened.  ``ticket`` is the id as the agent typed it and stays local;
    ``note`` (step notes) stays local; ``query`` and ``reason`` are scrubbed when stored."""

    type: EventType
    at: Instant
    agent_id: str
    ticket: str = ""
    session_id: str = ""
    sop_id: str | None = None
    sop_version: int | None = None
    step_id: str | None = None
    choice: str | None = None
    macro_id: str | None = None
    outcome: Outcome | None = None
    reason: str | None = None
    query: str | None = None
    rank: int | None = None
    note: str | None = None
    counted_seconds: float | None = None
    satisfaction: float | None = None
    reopened: bool | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def to_json(self) -> dict[str, Any]:
        """Everything, for the agent's own export (GDPR access): stays on this machine."""
        data = {k: v for k, v in asdict(self).items() if v is not None and k != "at"}
        data.update(
            type=self.type.value, wall=self.at.wall_text(), mono=self.at.mono, run_id=self.at.run_id
        )
        return data

    def to_shareable(self, key: TeamKey) -> dict[str, Any]:
        """The form that may leave the workstation: only the fields of the allow-list
        (``shareable.FIELDS``: a keyed ticket hash, never the ticket id or the note), every
        free-text field scrubbed."""
        data = self.to_json()
        data["ticket_hash"] = ticket_hash(self.ticket, key) if self.ticket else ""
        return shareable.restrict(data)


_COLUMNS = (
    "id",
    "type",
    "wall",
    "mono",
    "run_id",
    "agent_id",
    "ticket",
    "session_id",
    "sop_id",
    "sop_version",
    "step_id",
    "choice",
    "macro_id",
    "outcome",
    "reason",
    "query",
    "rank",
    "note",
    "counted_seconds",
    "satisfaction",
    "reopened",
)

_INSERT = f"INSERT INTO events ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"


def _scrubbed(text: str | None) -> str | None:
    return None if text is None else scrub(text)


def _row(event: Event) -> tuple[Any, ...]:
    """The stored form: free text that may be shared is scrubbed here, at the one door."""
    return (
        event.id,
        event.type.value,
        event.at.wall_text(),
        event.at.mono,
        event.at.run_id,
        event.agent_id,
        event.ticket,
        event.session_id,
        event.sop_id,
        event.sop_version,
        event.step_id,
        None if event.choice is None else scrub_payment_and_ids(event.choice),
        event.macro_id,
        event.outcome.value if event.outcome else None,
        _scrubbed(event.reason),
        _scrubbed(event.query),
        event.rank,
        None if event.note is None else scrub_payment_and_ids(event.note),
        event.counted_seconds,
        event.satisfaction,
        event.reopened,
    )


def _event(row: tuple[Any, ...]) -> Event:
    """Rows are plain tuples in ``_COLUMNS`` order: reading state is on the hot path."""
    at = Instant(dt.datetime.fromisoformat(row[2]), row[3], row[4])
    return Event(
        EventType(row[1]),
        at,
        row[5],
        ticket=row[6],
        session_id=row[7],
        sop_id=row[8],
        sop_version=row[9],
        step_id=row[10],
        choice=row[11],
        macro_id=row[12],
        outcome=Outcome(row[13]) if row[13] else None,
        reason=row[14],
        query=row[15],
        rank=row[16],
        note=row[17],
        counted_seconds=row[18],
        satisfaction=row[19],
        reopened=None if row[20] is None else bool(row[20]),
        id=row[0],
    )


def _v1_events(conn: sqlite3.Connection) -> None:
    """Events, append-only (updates refused by a trigger; deletes are retention's job)."""
    conn.execute(
        "CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, "
        "type TEXT NOT NULL, wall TEXT NOT NULL, mono REAL NOT NULL, run_id TEXT NOT NULL, "
        "agent_id TEXT NOT NULL, ticket TEXT NOT NULL, session_id TEXT NOT NULL, sop_id TEXT, "
        "sop_version INTEGER, step_id TEXT, choice TEXT, macro_id TEXT, outcome TEXT, "
        "reason TEXT, query TEXT, rank INTEGER, note TEXT, counted_seconds REAL)"
    )
    conn.execute("CREATE INDEX events_session ON events(session_id, type)")
    conn.execute("CREATE INDEX events_type_agent ON events(type, agent_id)")
    conn.execute("CREATE INDEX events_wall ON events(wall)")
    conn.execute(
        "CREATE TRIGGER events_append_only BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
    )


def _v4_quality(conn: sqlite3.Connection) -> None:
    """Quality signals from ticketing tools (``ticket_quality`` events)."""
    conn.execute("ALTER TABLE events ADD COLUMN satisfaction REAL")
    conn.execute("ALTER TABLE events ADD COLUMN reopened INTEGER")


MIGRATIONS = (_v1_events, outbox.create_outbox, outbox.index_pushed_ids, _v4_quality)
LATEST = len(MIGRATIONS)


class EventLog(SQLiteFile):
    """Open (creating or migrating) the event log at ``path``; ``synchronous`` chooses a
    side of the durability trade described above."""

    LABEL = "event log"
    ERROR = EventLogError
    DAMAGED_HINT = DAMAGED_HINT
    MIGRATIONS = MIGRATIONS

    def __init__(self, path: Path, *, synchronous: Literal["NORMAL", "FULL"] = "NORMAL") -> None:
        # secure_delete: erased events are overwritten, not left in free pages
        super().__init__(path, (f"synchronous = {synchronous}", "secure_delete = ON"))

    @classmethod
    def in_dir(cls, data_dir: Path) -> EventLog:
        return cls(data_dir / DB_NAME)

    # -- writes ------------------------------------------------------------------------------
    def append(self, *events: Event) -> None:
        """Append ``events`` in one transaction: all are durable when this returns, or none
        was written."""
        with self._transaction("log an event") as conn:
            conn.executemany(_INSERT, [_row(e) for e in events])

    def delete_where(self, where: str, args: Sequence[Any], what: str) -> int:
        """Delete events (retention, erasure) and reclaim their pages; returns how many."""
        with self._transaction(what) as conn:
            count = conn.execute(f"DELETE FROM events WHERE {where}", args).rowcount
        if count:
            with self._errors(what):
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(count)

    def vacuum(self) -> None:
        """Rewrite the file so deleted events leave no trace in free pages."""
        with self._errors("compact the log"):
            self.conn.execute("VACUUM")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- reads -------------------------------------------------------------------------------
    def _select(self, where: str, args: Sequence[Any], what: str, limit: int = -1) -> list[Event]:
        """Matching events, oldest first; the first ``limit`` only (``-1``: all)."""
        with self._errors(what):
            rows = self.conn.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM events WHERE {where} ORDER BY seq LIMIT ?",
                [*args, limit],
            ).fetchall()
        return [_event(r) for r in rows]

    def _count(self, where: str, args: Sequence[Any], what: str) -> int:
        with self._errors(what):
            row = self.conn.execute(f"SELECT count(*) FROM events WHERE {where}", args)
            return int(row.fetchone()[0])

    def events(self, agent_id: str | None = None) -> list[Event]:
        """Every event (of one agent), oldest first."""
        if agent_id is None:
            return self._select("1 = 1", (), "read events")
        return self._select("agent_id = ?", (agent_id,), "read events")

    def events_of_type(self, agent_id: str, kind: EventType) -> list[Event]:
        """One agent's events of one type, oldest first: an indexed read (``events_type_agent``)
        whose cost follows how many such events there are, not the length of the history."""
        return self._select("type = ? AND agent_id = ?", (kind.value, agent_id), "read events")

    def session(self, session_id: str) -> list[Event]:
        return self._select("session_id = ?", (session_id,), "read a session")

    def sessions(self, session_ids: Sequence[str]) -> dict[str, list[Event]]:
        """Events of several sessions, grouped, in the order of ``session_ids``."""
        out: dict[str, list[Event]] = {s: [] for s in session_ids}
        for chunk in range(0, len(session_ids), 500):
            ids = list(session_ids[chunk : chunk + 500])
            marks = ", ".join("?" * len(ids))
            for event in self._select(f"session_id IN ({marks})", ids, "read sessions"):
                out[event.session_id].append(event)
        return out

    def open_tickets(self, agent_id: str) -> list[tuple[str, str]]:
        """``(session_id, ticket)`` of sessions of ``agent_id`` started and not ended, most
        recently touched first."""
        with self._errors("find open tickets"):
            rows = self.conn.execute(
                "SELECT s.session_id, s.ticket FROM events s WHERE s.type = 'ticket_started' "
                "AND s.agent_id = ? AND NOT EXISTS (SELECT 1 FROM events e WHERE "
                "e.session_id = s.session_id AND e.type = 'ticket_ended') "
                "ORDER BY (SELECT max(seq) FROM events x WHERE x.session_id = s.session_id) "
                "DESC",
                (agent_id,),
            ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def open_sessions(self, agent_id: str) -> list[str]:
        return [session_id for session_id, _ in self.open_tickets(agent_id)]

    def sessions_ended_since(self, since: dt.datetime) -> list[str]:
        """Sessions whose end was logged at or after ``since`` (wall clock), oldest first."""
        cutoff = since.astimezone(dt.UTC).isoformat(timespec="microseconds")
        with self._errors("find ended tickets"):
            rows = self.conn.execute(
                "SELECT session_id FROM events WHERE type = 'ticket_ended' AND wall >= ? "
                "ORDER BY seq",
                (cutoff,),
            ).fetchall()
        return [str(r[0]) for r in rows]

    def count(self, agent_id: str | None = None) -> int:
        if agent_id is None:
            return self._count("1 = 1", (), "count events")
        return self._count("agent_id = ?", (agent_id,), "count events")

    def oldest_wall(self) -> str | None:
        with self._errors("read the oldest event"):
            row = self.conn.execute("SELECT min(wall) FROM events").fetchone()
        return None if row is None or row[0] is None else str(row[0])

    # -- sync outbox (what it is: outbox.py) -------------------------------------------------
    def unpushed(self, limit: int = 500, channel: str = "events") -> list[Event]:
        """The oldest ``limit`` events the hub has not accepted yet on ``channel``
        (``acks`` lists only acknowledgements)."""
        where, args = outbox.waiting(channel)
        return self._select(where, args, "read the outbox", limit)

    def unpushed_count(self, channel: str = "events") -> int:
        where, args = outbox.waiting(channel)
        return self._count(where, args, "count the outbox")

    def mark_pushed(self, ids: Sequence[str], at: str, channel: str = "events") -> None:
        """Record that the hub accepted these events (call only after its 2xx)."""
        with self._transaction("mark events as sent to the hub") as conn:
            outbox.mark(conn, ids, at, channel)
