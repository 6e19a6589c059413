"""The event outbox in the events DB: what the hub has not yet accepted."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.events import DB_NAME, LATEST, Event, EventLog, EventType


def events(n: int, clock: FakeClock, kind: EventType = EventType.TICKET_STARTED) -> list[Event]:
    out = []
    for i in range(n):
        clock.advance(1)
        out.append(
            Event(
                kind,
                clock.now(),
                "me",
                ticket=f"T-{i}",
                session_id=f"s-{i}",
                sop_id="coin-refund",
                sop_version=2,
                note="private",
            )
        )
    return out


def test_unpushed_in_order_and_marked_only_when_told(tmp_path: Path) -> None:
    clock = FakeClock()
    with EventLog.in_dir(tmp_path) as log:
        sent = events(5, clock)
        log.append(*sent)
        assert [e.id for e in log.unpushed(3)] == [e.id for e in sent[:3]]
        log.mark_pushed([e.id for e in sent[:3]], "2026-01-05T09:00:00+00:00")
        log.mark_pushed([sent[0].id], "again")  # idempotent
        assert [e.id for e in log.unpushed()] == [e.id for e in sent[3:]]
        assert log.unpushed_count() == 2
        # acknowledgements are a channel of their own
        ack = events(1, clock, EventType.ACK_GIVEN)
        log.append(*ack)
        assert [e.id for e in log.unpushed(channel="acks")] == [ack[0].id]
        assert log.unpushed_count() == 3


def test_erasing_an_event_erases_its_outbox_row(tmp_path: Path) -> None:
    clock = FakeClock()
    with EventLog.in_dir(tmp_path) as log:
        sent = events(2, clock)
        log.append(*sent)
        log.mark_pushed([e.id for e in sent], "t")
        log.delete_where("id = ?", (sent[0].id,), "erase")
    conn = sqlite3.connect(tmp_path / DB_NAME)
    assert conn.execute("SELECT id FROM pushed").fetchall() == [(sent[1].id,)]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    conn.close()


def test_the_shareable_form_leaves_private_fields_behind(tmp_path: Path) -> None:
    (event,) = events(1, FakeClock())
    data = event.to_shareable(b"k" * 32)
    assert "ticket" not in data and "note" not in data
    assert data["ticket_hash"].startswith("t-") and data["id"] == event.id
