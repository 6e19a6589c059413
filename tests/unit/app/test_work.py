"""The work-recording rules, without widgets: one outcome per ticket, no checklist outside a
ticket, what ending a ticket does to its checklist, and step notes without payment data."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_assist.app.context import AppContext
from agent_assist.app.work import WorkLog
from agent_assist.core.knowledge.models import Choice, Sop, Step
from agent_assist.core.worklog.checklist import RUN_FILE, ChecklistError, ChecklistRun
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.durations import timings
from agent_assist.core.worklog.events import DB_NAME, EventLog, EventType, Outcome
from agent_assist.core.worklog.reports import build_report

SOP = Sop(
    "refund",
    "Refund",
    steps=(
        Step("check", "Find the purchase"),
        Step("decide", "Eligible?", choices=(Choice("Yes", "approve"), Choice("No", "end"))),
        Step("approve", "Issue the refund"),
    ),
)
CARD_NOTE = "Card 4111 1111 1111 1111 email jane@example.com"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ctx(tmp_path: Path, clock: FakeClock) -> Iterator[AppContext]:
    with AppContext(tmp_path, clock=clock, agent="t", events=EventLog.in_dir(tmp_path)) as ctx:
        yield ctx


def types(work: WorkLog) -> list[tuple[EventType, str]]:
    return [(e.type, e.ticket) for e in work.events.events("t")]


def escalated_run(work: WorkLog, clock: FakeClock, ticket: str) -> ChecklistRun:
    run = ChecklistRun.start(SOP, 1, clock, ticket)
    work.checklist_started(run)
    run.complete(clock)
    work.checklist_moved(run, "check")
    run.finish(Outcome.ESCALATED, clock)
    return run


def ticket_rows(work: WorkLog) -> list[tuple[str, str | None]]:
    """What ``report --by ticket`` shows, built as the command builds it."""
    log, now = work.events, work.clock.now()
    sessions = log.sessions(log.sessions_ended_since(now.wall.replace(year=2000)))
    report = build_report(timings(list(sessions.values())), "ticket", now.wall, now.wall)
    return [(r["ticket"], r["outcome"]) for r in report.to_json()["rows"]]


def test_a_finished_checklist_gives_the_ticket_its_outcome(
    ctx: AppContext, clock: FakeClock
) -> None:
    work = ctx.work
    work.start("T-1")
    state = work.checklist_finished(escalated_run(work, clock, "T-1"))
    assert state.ticket is not None and state.ticket.outcome is Outcome.ESCALATED
    work.end()  # no outcome chosen: the checklist's
    assert ticket_rows(work) == [("T-1", "escalated")]
    assert work.runs.read() is None  # the outcome is spent with its ticket
    work.start("T-2")
    state = work.state()
    assert state.ticket is not None and state.ticket.outcome is None


def test_the_agent_may_still_choose_another_outcome(ctx: AppContext, clock: FakeClock) -> None:
    work = ctx.work
    work.start("T-1")
    work.checklist_finished(escalated_run(work, clock, "T-1"))
    work.end(Outcome.TRANSFERRED, "T-1")
    assert ticket_rows(work) == [("T-1", "transferred")]


def test_the_outcome_survives_a_restart(tmp_path: Path, ctx: AppContext, clock: FakeClock) -> None:
    work = ctx.work
    work.start("T-1")
    work.checklist_finished(escalated_run(work, clock, "T-1"))
    clock.restart(after_seconds=5)
    with AppContext(tmp_path, clock=clock, agent="t", events=EventLog.in_dir(tmp_path)) as again:
        state = again.work.state()
        assert state.ticket is not None and state.ticket.outcome is Outcome.ESCALATED
        assert again.work.resume_run() is None  # finished: not put back on screen


def test_an_outcome_belongs_to_its_own_ticket_only(ctx: AppContext, clock: FakeClock) -> None:
    work = ctx.work
    work.start("T-1")
    work.checklist_finished(escalated_run(work, clock, "T-1"))
    work.sessions.start("T-2")  # a second chat, opened from the CLI
    state = work.state()
    assert state.ticket is not None and state.ticket.ticket == "T-2"
    assert state.ticket.outcome is None
    work.end(ticket="T-2")
    work.end(ticket="T-1")
    assert sorted(ticket_rows(work)) == [("T-1", "escalated"), ("T-2", "resolved")]


def test_a_checklist_without_a_ticket_is_refused(ctx: AppContext, clock: FakeClock) -> None:
    work = ctx.work
    with pytest.raises(ChecklistError, match="start a ticket"):
        work.checklist_started(ChecklistRun.start(SOP, 1, clock))
    assert types(work) == []
    assert work.resume_run() is None


def test_a_checklist_starts_its_ticket_or_resumes_it(ctx: AppContext, clock: FakeClock) -> None:
    work = ctx.work
    state = work.checklist_started(ChecklistRun.start(SOP, 1, clock, "T-1"))
    assert state.ticket is not None and state.ticket.ticket == "T-1"
    work.end()
    work.start("T-2")
    work.pause()
    state = work.checklist_started(ChecklistRun.start(SOP, 1, clock, "T-2"))
    assert state.ticket is not None and not state.ticket.paused
    started = [t for kind, t in types(work) if kind is EventType.CHECKLIST_STARTED]
    assert started == ["T-1", "T-2"]


def test_finishing_a_run_whose_ticket_is_gone_is_not_silent(
    ctx: AppContext, clock: FakeClock
) -> None:
    work = ctx.work
    run = ChecklistRun.start(SOP, 1, clock, "T-1")
    work.checklist_started(run)
    work.end(Outcome.WAITING, "T-1")  # ended from the CLI meanwhile
    run.finish(Outcome.ESCALATED, clock)
    with pytest.raises(ChecklistError, match="finished escalated, but ticket 'T-1' is not open"):
        work.checklist_finished(run)


def test_ending_keeps_an_unfinished_run_unless_discarded(ctx: AppContext, clock: FakeClock) -> None:
    work = ctx.work
    run = ChecklistRun.start(SOP, 1, clock, "T-1")
    work.checklist_started(run)
    run.complete(clock)
    work.checklist_moved(run, "check")
    work.end(ticket="T-1")
    parked = work.resume_run()
    assert parked is not None and parked.current is not None and parked.current.id == "decide"
    assert ticket_rows(work) == [("T-1", "resolved")]
    # resumed on the next ticket: its session gets the SOP and the step in progress
    work.start("T-2")
    parked.ticket = "T-2"
    work.checklist_started(parked)
    parked.choose("Yes", clock)
    work.checklist_moved(parked, "decide", choice="Yes")
    assert types(work)[-5:] == [
        (EventType.SOP_OPENED, "T-2"),
        (EventType.CHECKLIST_STARTED, "T-2"),
        (EventType.STEP_ENTERED, "T-2"),
        (EventType.CHOICE_TAKEN, "T-2"),
        (EventType.STEP_ENTERED, "T-2"),
    ]
    work.end(ticket="T-2", discard_run=True)
    assert work.resume_run() is None


def test_moves_are_logged_on_the_run_s_ticket(ctx: AppContext, clock: FakeClock) -> None:
    work = ctx.work
    run = ChecklistRun.start(SOP, 1, clock, "T-1")
    work.checklist_started(run)
    work.sessions.start("T-2")  # touched last: no longer the "most recent" ticket
    run.complete(clock)
    work.checklist_moved(run, "check")
    steps = [e for e in work.events.events("t") if e.type is EventType.STEP_ENTERED]
    assert [(e.step_id, e.ticket) for e in steps] == [("check", "T-1"), ("decide", "T-1")]


def test_step_notes_lose_payment_data_and_ids_before_they_are_stored(
    tmp_path: Path, ctx: AppContext, clock: FakeClock
) -> None:
    work = ctx.work
    run = ChecklistRun.start(SOP, 1, clock, "T-1")
    work.checklist_started(run)
    run.set_note(CARD_NOTE)
    work.checklist_saved(run)
    run.complete(clock)
    work.checklist_moved(run, "check")
    run.notes["decide"] = "SSN 123-45-6789, IBAN DE89 3704 0044 0532 0130 00"  # set by hand
    work.checklist_saved(run)
    saved = json.loads((tmp_path / RUN_FILE).read_text(encoding="utf-8"))["notes"]
    assert saved == {
        "check": "Card [card] email jane@example.com",  # the rest stays local, as typed
        "decide": "SSN [id], IBAN [iban]",
    }
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        raw = [r[0] for r in db.execute("SELECT note FROM events WHERE note IS NOT NULL")]
    assert raw == ["Card [card] email jane@example.com"]


def test_a_run_file_from_before_is_scrubbed_when_read(tmp_path: Path, ctx: AppContext) -> None:
    run = ChecklistRun.start(SOP, 1, ctx.clock, "T-1")
    data = run.to_json()
    data["notes"] = {"check": CARD_NOTE}
    (tmp_path / RUN_FILE).write_text(json.dumps(data), encoding="utf-8")
    resumed = ctx.work.resume_run()
    assert resumed is not None and resumed.notes == {"check": "Card [card] email jane@example.com"}
    assert "4111" not in (tmp_path / RUN_FILE).read_text(encoding="utf-8")
