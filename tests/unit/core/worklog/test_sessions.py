"""The session API the UI and CLI share: which ticket a call acts on, what it refuses, which
events it writes, and crash recovery (gaps from an earlier run)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_assist.core.errors import SessionError
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.durations import SopRef
from agent_assist.core.worklog.events import EventLog, EventType, Outcome
from agent_assist.core.worklog.sessions import SessionService


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def log(tmp_path: Path) -> Iterator[EventLog]:
    with EventLog.in_dir(tmp_path) as log:
        yield log


@pytest.fixture
def svc(log: EventLog, clock: FakeClock) -> SessionService:
    return SessionService(log, clock, "agent-1")


def _types(log: EventLog) -> list[str]:
    return [e.type.value for e in log.events()]


def test_start_with_sop_records_its_version(svc: SessionService, log: EventLog) -> None:
    sid = svc.start("  T-1 ", SopRef("refund", 4))
    events = log.session(sid)
    assert [e.type for e in events] == [
        EventType.TICKET_STARTED,
        EventType.SOP_OPENED,
        EventType.CHECKLIST_STARTED,
    ]
    assert {(e.ticket, e.sop_id, e.sop_version) for e in events[1:]} == {("T-1", "refund", 4)}
    assert events[0].id == sid


@pytest.mark.parametrize("ticket", ["", "   ", "a\nb", "x" * 201])
def test_start_rejects_bad_ticket_ids(svc: SessionService, ticket: str) -> None:
    with pytest.raises(SessionError, match="not a ticket id"):
        svc.start(ticket)


def test_start_refuses_a_ticket_already_open(svc: SessionService) -> None:
    svc.start("T-1")
    with pytest.raises(SessionError, match="already open"):
        svc.start("T-1")


def test_ticket_can_be_worked_again_after_it_ended(svc: SessionService) -> None:
    first = svc.start("T-1")
    svc.end(Outcome.WAITING)
    assert svc.start("T-1") != first


def test_calls_act_on_most_recent_fitting_ticket(svc: SessionService, clock: FakeClock) -> None:
    svc.start("A")
    clock.advance(1)
    svc.start("B")
    assert svc.pause().ticket == "B"
    assert svc.pause().ticket == "A"  # B is already paused: the most recent running one
    with pytest.raises(SessionError, match=r"no running ticket \(open: A \(paused\), B"):
        svc.pause()
    assert svc.resume().ticket == "A"
    assert svc.resume(ticket="B").ticket == "B"


def test_ticket_option_picks_one(svc: SessionService) -> None:
    svc.start("A")
    svc.start("B")
    assert svc.end(Outcome.RESOLVED, ticket="A").ticket == "A"
    with pytest.raises(SessionError, match=r"'A' has no open session \(open: B"):
        svc.pause(ticket="A")


def test_state_errors(svc: SessionService) -> None:
    with pytest.raises(SessionError, match="no open ticket; start one"):
        svc.pause()
    svc.start("A")
    with pytest.raises(SessionError, match="not paused"):
        svc.resume(ticket="A")
    svc.pause()
    with pytest.raises(SessionError, match="paused; resume it first"):
        svc.step("a", ticket="A")
    with pytest.raises(SessionError, match="choice or skipped"):
        svc.step("a", choice="x", skip="y")


def test_step_semantics(svc: SessionService, log: EventLog) -> None:
    svc.start("A", SopRef("refund", 2))
    svc.step("a")
    svc.step("a")  # already there: nothing new
    svc.step("b", choice="yes")
    svc.step("c", skip="not needed")
    svc.step("d")
    svc.end(Outcome.RESOLVED)
    assert _types(log)[3:] == [
        "step_entered",
        "step_completed",
        "step_entered",
        "choice_taken",
        "step_entered",
        "step_skipped",
        "step_entered",
        "step_completed",
        "ticket_ended",
    ]
    assert {(e.sop_id, e.sop_version) for e in log.events()[3:-1]} == {("refund", 2)}


def test_status_reports_paused_state_step_and_sop(svc: SessionService, clock: FakeClock) -> None:
    svc.start("A", SopRef("refund", 1))
    svc.step("verify")
    clock.advance(30)
    [status] = svc.status()
    assert status.to_json() | {"session_id": "-", "started": "-"} == {
        "ticket": "A",
        "session_id": "-",
        "started": "-",
        "paused": False,
        "handle_seconds": 30.0,
        "paused_seconds": 0.0,
        "sop": {"id": "refund", "version": 1},
        "step": "verify",
        "from_previous_run": False,
        "idle_seconds": 30.0,
        "flags": ["open"],
    }


def test_item_use_is_tied_to_the_open_ticket_or_logged_alone(
    svc: SessionService, log: EventLog
) -> None:
    svc.choose_suggestion("refund for jo@x.com", 2, Kind.SOP, "refund")
    svc.start("A")
    svc.copy_macro("refund-done")
    svc.report_no_match("Hi John, where is my parcel")
    svc.acknowledge(SopRef("refund", 3), ticket="A")
    alone, _, macro, no_match, ack = log.events()
    assert (alone.type, alone.ticket, alone.session_id, alone.query, alone.rank, alone.sop_id) == (
        EventType.SUGGESTION_CHOSEN,
        "",
        "",
        "refund for [email]",
        2,
        "refund",
    )
    assert (macro.ticket, macro.macro_id) == ("A", "refund-done")
    assert no_match.query == "Hi [name], where is my parcel"
    assert (ack.type, ack.sop_id, ack.sop_version) == (EventType.ACK_GIVEN, "refund", 3)


def test_crash_leaves_a_gap_to_confirm_or_trim(log: EventLog, clock: FakeClock) -> None:
    svc = SessionService(log, clock, "agent-1")
    svc.start("A")
    svc.start("B")
    svc.pause("B")
    clock.advance(60)
    svc.step("a", ticket="A")
    assert svc.gaps() == []  # same run: nothing to recover
    clock.restart(after_seconds=900)
    svc = SessionService(log, clock, "agent-1")
    [gap] = svc.gaps()  # B is paused: its gap never counts, so nothing to ask
    assert (gap.ticket, gap.seconds) == ("A", 900)
    svc.trim_gap(120, ticket="A")
    assert svc.gaps() == []  # answered: the last event is now from this run
    timing = svc.end(Outcome.RESOLVED, ticket="A")
    assert timing.handle_seconds == 60 + 120
    assert "trimmed" in timing.flags


def test_other_agents_sessions_are_not_touched(log: EventLog, clock: FakeClock) -> None:
    SessionService(log, clock, "someone-else").start("A")
    svc = SessionService(log, clock, "agent-1")
    assert svc.status() == []
    svc.start("A")  # the same ticket id, another agent's session
    assert [s.timing.agent_id for s in svc.status()] == ["agent-1"]
