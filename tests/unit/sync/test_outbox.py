"""The event outbox in the events DB: what the hub has not yet accepted."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from agent_assist.core.privacy import TeamKey
from agent_assist.core.worklog import outbox
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
        assert log.unpushed_count(channel="acks") == 1


def test_the_acks_channel_carries_acknowledgements() -> None:
    """The outbox spells the type out (the events module imports it): they must agree."""
    assert EventType.ACK_GIVEN.value == outbox.ACK_GIVEN


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


def test_erasing_an_event_finds_its_outbox_rows_by_index(tmp_path: Path) -> None:
    """The forget trigger looks rows up by id alone: without an index, retention deleting N
    events scans the whole outbox N times."""
    EventLog.in_dir(tmp_path).close()
    conn = sqlite3.connect(tmp_path / DB_NAME)
    plan = conn.execute("EXPLAIN QUERY PLAN DELETE FROM pushed WHERE id = 'x'").fetchall()
    conn.close()
    assert "USING COVERING INDEX pushed_id" in plan[0][3]


def test_a_log_from_before_the_index_keeps_its_outbox(tmp_path: Path) -> None:
    """A log at schema 2 (the outbox without its id index) upgrades with its rows intact."""
    clock = FakeClock()
    with EventLog.in_dir(tmp_path) as log:
        sent = events(3, clock)
        log.append(*sent)
        log.mark_pushed([sent[0].id], "t")
    conn = sqlite3.connect(tmp_path / DB_NAME)
    conn.execute("DROP INDEX pushed_id")
    for column in ("satisfaction", "reopened"):  # added by schema 4
        conn.execute(f"ALTER TABLE events DROP COLUMN {column}")
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    with EventLog.in_dir(tmp_path) as log:
        assert log.schema_version == LATEST
        assert [e.id for e in log.unpushed()] == [e.id for e in sent[1:]]
        index = "SELECT 1 FROM sqlite_master WHERE name = 'pushed_id'"
        assert log.conn.execute(index).fetchone() == (1,)


def test_the_shareable_form_leaves_private_fields_behind(tmp_path: Path) -> None:
    (event,) = events(1, FakeClock())
    data = event.to_shareable(TeamKey("test", b"k" * 32))
    assert "ticket" not in data and "note" not in data
    assert data["ticket_hash"].startswith("t1-test-") and data["id"] == event.id
