"""The ticket bar: start, pause/resume, next ticket, clipboard fill, time across restarts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from agent_assist.app.context import AppContext
from agent_assist.app.work import WorkLog
from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import Sop, Step
from agent_assist.core.worklog.checklist import ChecklistRun
from agent_assist.core.worklog.clock import Clock, FakeClock
from agent_assist.core.worklog.events import EventLog, EventType, Outcome
from agent_assist.ui.tasks import TaskManager
from agent_assist.ui.ticket_bar import TicketBar, clock_text

SOP = Sop("call-back", "Call back", steps=(Step("call", "Call the customer"),))


def work_log(store: Store, log: EventLog, data_dir: Path, clock: Clock, agent: str) -> WorkLog:
    return AppContext(data_dir, clock=clock, agent=agent, store=store, events=log).work


def make_bar(qtbot: QtBot, tasks: TaskManager, work: WorkLog) -> TicketBar:
    bar = TicketBar(tasks, work)
    qtbot.addWidget(bar)
    bar.show()
    qtbot.waitUntil(lambda: tasks.is_idle)
    return bar


def test_start_pause_resume_and_next(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path
) -> None:
    clock = FakeClock()
    with EventLog.in_dir(data_dir) as log:
        work = work_log(tiny_store, log, data_dir, clock, "tester")
        bar = make_bar(qtbot, tasks, work)
        assert bar.start_button.isVisible() and not bar.next_button.isVisible()
        bar.ticket.setText("12345")
        with qtbot.waitSignal(bar.ticketChanged) as changed:
            QTest.mouseClick(bar.start_button, Qt.MouseButton.LeftButton)
        assert changed.args == ["12345"]
        assert bar.pause_button.text() == "Pause" and bar.ticket.isReadOnly()
        clock.advance(90)
        bar.toggle_pause()
        qtbot.waitUntil(lambda: tasks.is_idle)
        assert bar.state is not None and bar.state.paused
        assert bar.pause_button.text() == "Resume"
        assert bar.timer.text() == "0:01:30"
        clock.advance(600)  # paused time does not count
        bar.toggle_pause()
        qtbot.waitUntil(lambda: tasks.is_idle)
        clock.advance(30)
        bar.outcome.setCurrentIndex(bar.outcome.findData(Outcome.ESCALATED.value))
        with qtbot.waitSignal(bar.ticketChanged) as changed:
            QTest.mouseClick(bar.next_button, Qt.MouseButton.LeftButton)
        assert changed.args == [""]
        ended = [e for e in log.events("tester") if e.type is EventType.TICKET_ENDED]
        assert [e.outcome for e in ended] == [Outcome.ESCALATED]
        timing = work.sessions.open_sessions()
        assert timing == []


def test_time_survives_a_restart_and_asks_about_the_gap(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path
) -> None:
    clock = FakeClock(dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC))
    with EventLog.in_dir(data_dir) as log:
        work_log(tiny_store, log, data_dir, clock, "tester").start("999")
        clock.advance(120)
        clock.restart(after_seconds=3600)  # the app died; an hour passes
        work = work_log(tiny_store, log, data_dir, clock, "tester")
        bar = make_bar(qtbot, tasks, work)
        assert bar.state is not None and bar.state.ticket == "999"
        assert bar.gap_row.isVisible()
        assert "999" in bar.gap.text()
        QTest.mouseClick(bar.count_gap, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: tasks.is_idle)
        assert not bar.gap_row.isVisible()
        assert bar.state is not None and bar.state.handle_seconds == 3720  # wall-clock based
        assert bar.timer.text() == "1:02:00"


def test_clipboard_fills_the_ticket_id_when_watching(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path
) -> None:
    with EventLog.in_dir(data_dir) as log:
        bar = make_bar(qtbot, tasks, work_log(tiny_store, log, data_dir, FakeClock(), "t"))
        assert not bar.offer_text("ticket 483920")  # not watching: off by default
        bar.watch_clipboard(None, r"\b\d{5,10}\b")
        assert not bar.offer_text("no number here")
        assert bar.offer_text("Re: ticket #483920 refund")
        assert bar.ticket.text() == "483920"
        QTest.keyClick(bar.ticket, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: bar.state is not None)
        assert not bar.offer_text("555555")  # a running ticket is never replaced


def test_a_finished_checklist_s_outcome_is_shown_after_a_restart(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path
) -> None:
    clock = FakeClock()
    with EventLog.in_dir(data_dir) as log:
        work = work_log(tiny_store, log, data_dir, clock, "tester")
        run = ChecklistRun.start(SOP, 1, clock, "888")
        work.checklist_started(run)
        run.finish(Outcome.WAITING, clock)
        work.checklist_finished(run)
        clock.restart(after_seconds=10)
        bar = make_bar(qtbot, tasks, work_log(tiny_store, log, data_dir, clock, "tester"))
        assert bar.outcome.currentData() == Outcome.WAITING.value
        bar.outcome.setCurrentIndex(bar.outcome.findData(Outcome.RESOLVED.value))
        bar.refresh()
        qtbot.waitUntil(lambda: tasks.is_idle)
        assert bar.outcome.currentData() == Outcome.RESOLVED.value  # the agent's choice stays
        with qtbot.waitSignal(bar.ticketChanged):
            bar.next_ticket()
        ended = [e.outcome for e in log.events("tester") if e.type is EventType.TICKET_ENDED]
        assert ended == [Outcome.RESOLVED]


def test_clock_text() -> None:
    assert clock_text(0) == "0:00:00"
    assert clock_text(3725.9) == "1:02:05"
