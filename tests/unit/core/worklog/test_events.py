"""The event log: round trips, append-only, atomic appends, scrubbing at the door, the
shareable form, schema versions and damaged files."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent_assist.core.errors import EventLogError
from agent_assist.core.privacy import TeamKey, ticket_hash
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.events import DB_NAME, LATEST, Event, EventLog, EventType, Outcome

SECRET = TeamKey("test", b"k" * 32)


@pytest.fixture
def log(tmp_path: Path) -> Iterator[EventLog]:
    with EventLog.in_dir(tmp_path) as log:
        yield log


def _event(clock: FakeClock, kind: EventType = EventType.TICKET_STARTED, **fields: Any) -> Event:
    fields.setdefault("ticket", "T-1")
    fields.setdefault("session_id", "s-1")
    return Event(kind, clock.now(), "agent-1", **fields)


def test_round_trip_keeps_every_field(log: EventLog) -> None:
    clock = FakeClock()
    clock.advance(1.25)
    event = _event(
        clock,
        EventType.TICKET_ENDED,
        sop_id="refund",
        sop_version=3,
        step_id="s",
        choice="yes",
        macro_id="m",
        outcome=Outcome.ESCALATED,
        reason="why",
        query="q",
        rank=2,
        note="local note",
        counted_seconds=4.5,
    )
    log.append(event)
    assert log.events() == [event]
    assert log.session("s-1") == [event]


def test_events_are_append_only(log: EventLog) -> None:
    log.append(_event(FakeClock()))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        log.conn.execute("UPDATE events SET ticket = 'other'")


def test_append_is_all_or_nothing(log: EventLog) -> None:
    clock = FakeClock()
    first = _event(clock)
    log.append(first)
    with pytest.raises(EventLogError, match="cannot log an event"):
        log.append(_event(clock, EventType.STEP_ENTERED, step_id="a"), first)  # duplicate id
    assert log.count() == 1


def test_free_text_is_scrubbed_when_stored(log: EventLog) -> None:
    clock = FakeClock()
    log.append(
        _event(clock, EventType.NO_MATCH_REPORTED, query="Hi John, jo@x.com 4111111111111111"),
        _event(
            clock,
            EventType.STEP_SKIPPED,
            step_id="a",
            reason="customer +44 20 7946 0958",
            note="called Jane back on +44 20 7946 0958",
        ),
    )
    stored = log.events()
    assert stored[0].query == "Hi [name], [email] [card]"
    assert stored[1].reason == "customer [phone]"
    assert stored[1].note == "called Jane back on +44 20 7946 0958"  # notes stay local, as typed


def test_shareable_form_has_no_ticket_id_and_no_note() -> None:
    event = _event(
        FakeClock(),
        EventType.STEP_COMPLETED,
        ticket="ACME-4711",
        step_id="a",
        note="customer said hi",
        reason="ring jane@x.com",
    )
    shared = event.to_shareable(SECRET)
    assert shared["ticket_hash"] == ticket_hash("ACME-4711", SECRET)
    assert "ticket" not in shared and "note" not in shared
    assert shared["reason"] == "ring [email]"
    assert "ACME-4711" not in str(shared)


def test_open_sessions_most_recent_first(log: EventLog) -> None:
    clock = FakeClock()
    log.append(_event(clock, session_id="a", ticket="A"))
    clock.advance(1)
    log.append(_event(clock, session_id="b", ticket="B"))
    clock.advance(1)
    log.append(_event(clock, EventType.TICKET_PAUSED, session_id="a", ticket="A"))
    assert log.open_sessions("agent-1") == ["a", "b"]
    log.append(
        _event(clock, EventType.TICKET_ENDED, session_id="a", ticket="A", outcome=Outcome.RESOLVED)
    )
    assert log.open_sessions("agent-1") == ["b"]
    assert log.open_sessions("someone-else") == []
    assert log.sessions_ended_since(clock.wall) == ["a"]


def test_reopening_keeps_events_and_schema(tmp_path: Path) -> None:
    with EventLog.in_dir(tmp_path) as log:
        log.append(_event(FakeClock()))
    with EventLog.in_dir(tmp_path) as log:
        assert log.count() == 1
        assert log.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert log.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / DB_NAME)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    with pytest.raises(EventLogError, match="newer than this Agent Assist"):
        EventLog.in_dir(tmp_path)


def test_damaged_file_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(EventLogError, match="move it aside"):
        EventLog.in_dir(tmp_path)
