"""Retention purges whole sessions; export is complete; erase leaves nothing in the file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.events import DB_NAME, EventLog, Outcome
from agent_assist.core.worklog.retention import (
    DEFAULT_RETENTION_DAYS,
    erase_agent,
    export_agent,
    purge_expired,
)
from agent_assist.core.worklog.sessions import SessionService

DAY = 86400.0


@pytest.fixture
def log(tmp_path: Path) -> Iterator[EventLog]:
    with EventLog.in_dir(tmp_path) as log:
        yield log


def _ticket(svc: SessionService, clock: FakeClock, ticket: str, days: float) -> None:
    """A ticket started now and ended ``days`` later."""
    svc.start(ticket)
    clock.advance(days * DAY)
    svc.end(Outcome.RESOLVED, ticket)


def test_purge_removes_whole_sessions_older_than_retention(log: EventLog) -> None:
    clock = FakeClock()
    svc = SessionService(log, clock, "a")
    _ticket(svc, clock, "old", 0.01)
    svc.report_no_match("old query")  # free-standing: no ticket open
    clock.advance(5 * DAY)
    svc.start("spans-cutoff")  # started before the cutoff, still touched after it
    clock.advance(90 * DAY)
    svc.step("late", ticket="spans-cutoff")
    _ticket(svc, clock, "new", 0.01)
    removed = purge_expired(log, clock.wall)
    assert removed == 3
    assert sorted({e.ticket for e in log.events()}) == ["new", "spans-cutoff"]
    assert len(log.session(log.events()[0].session_id)) == 2  # kept whole, start included


def test_purge_is_a_no_op_when_nothing_is_old(log: EventLog) -> None:
    clock = FakeClock()
    _ticket(SessionService(log, clock, "a"), clock, "T", 1)
    assert purge_expired(log, clock.wall) == 0
    assert purge_expired(log, clock.wall + dt.timedelta(days=DEFAULT_RETENTION_DAYS)) == 0
    assert purge_expired(log, clock.wall + dt.timedelta(days=DEFAULT_RETENTION_DAYS + 0.01)) == 2


def test_retention_days_is_a_parameter(log: EventLog) -> None:
    clock = FakeClock()
    _ticket(SessionService(log, clock, "a"), clock, "T", 0)
    assert purge_expired(log, clock.wall + dt.timedelta(days=29), days=30) == 0
    assert purge_expired(log, clock.wall + dt.timedelta(days=31), days=30) == 2
    with pytest.raises(AgentAssistError, match="at least 1 day"):
        purge_expired(log, clock.wall, days=0)


def test_export_holds_everything_about_the_agent(log: EventLog) -> None:
    clock = FakeClock()
    svc = SessionService(log, clock, "alice")
    svc.start("ACME-1")
    svc.step("a", note="private note")
    svc.end(Outcome.RESOLVED)
    SessionService(log, clock, "bob").start("BOB-1")
    data = export_agent(log, "alice", clock.wall, days=30)
    assert json.loads(json.dumps(data)) == data
    assert (data["agent_id"], data["event_count"], data["retention_days"]) == ("alice", 4, 30)
    assert {e["agent_id"] for e in data["events"]} == {"alice"}
    assert {e["ticket"] for e in data["events"]} == {"ACME-1"}
    assert any(e.get("note") == "private note" for e in data["events"])


def test_erase_removes_the_agent_and_leaves_no_trace(tmp_path: Path) -> None:
    clock = FakeClock()
    with EventLog.in_dir(tmp_path) as log:
        svc = SessionService(log, clock, "alice")
        for n in range(50):
            svc.start(f"SECRET-TICKET-{n}")
            svc.end(Outcome.RESOLVED)
        SessionService(log, clock, "bob").start("BOB-1")
        assert erase_agent(log, "alice") == 100
        assert log.count("alice") == 0 and log.count("bob") == 1
    raw = b"".join(p.read_bytes() for p in tmp_path.glob(DB_NAME + "*"))
    assert b"SECRET-TICKET" not in raw
    assert b"BOB-1" in raw
