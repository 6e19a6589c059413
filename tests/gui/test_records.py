"""The records leads' reports are built from, produced through the widgets as an agent would:
one outcome per ticket, no checklist outside a ticket, a clean slate on "Next ticket", and no
payment data or national id in a stored step note."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from agent_assist.cli import main
from agent_assist.core.worklog.checklist import RUN_FILE
from agent_assist.core.worklog.events import DB_NAME, EventType, Outcome
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.palette_flows import CHECKLIST_PAGE, SEARCH_PAGE
from agent_assist.ui.tasks import TaskManager
from tests.gui.test_palette import idle, open_item, start_ticket

CARD_NOTE = "Card 4111 1111 1111 1111 email jane@example.com"
QUERY = "coins never received"


def ctrl_shift(window: MainWindow, key: Qt.Key) -> None:
    mods = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(window, key, mods)


def start_run(qtbot: QtBot, window: MainWindow, tasks: TaskManager) -> None:
    open_item(qtbot, window, tasks, QUERY, "coin-refund")
    with qtbot.waitSignal(window.checklistShown):
        ctrl_shift(window, Qt.Key.Key_C)
    idle(qtbot, tasks)


def report_rows(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    """What a lead reads: the real CLI over the same data dir."""
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "report", "--by", "ticket", "--format", "json"]) == 0
    rows: list[dict[str, object]] = json.loads(capsys.readouterr().out)["rows"]
    return rows


def unfinished_question(qtbot: QtBot, window: MainWindow) -> QMessageBox:
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "unfinishedChecklist") is not None)
    box = window.findChild(QMessageBox, "unfinishedChecklist")
    assert isinstance(box, QMessageBox)
    return box


def answer(box: QMessageBox, text: str) -> None:
    button = next(b for b in box.findChildren(QPushButton) if b.text() == text)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def test_an_escalated_checklist_ends_its_ticket_escalated(
    qtbot: QtBot,
    window: MainWindow,
    tasks: TaskManager,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    start_ticket(qtbot, window, tasks, "70001")
    start_run(qtbot, window, tasks)
    view = window.checklist
    QTest.mouseClick(view.done_button, Qt.MouseButton.LeftButton)
    QTest.mouseClick(view.choice_buttons[1], Qt.MouseButton.LeftButton)  # Not eligible
    view.outcome.setCurrentIndex(view.outcome.findData(Outcome.ESCALATED.value))
    with qtbot.waitSignal(view.runFinished):
        QTest.mouseClick(view.finish_button, Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage().startswith("Checklist finished: escalated")
    bar = window.ticket_bar
    assert bar.outcome.currentData() == Outcome.ESCALATED.value  # the bar shows the one outcome
    idle(qtbot, tasks)
    bar.refresh()  # a periodic refresh does not put the default back
    idle(qtbot, tasks)
    assert bar.outcome.currentData() == Outcome.ESCALATED.value
    with qtbot.waitSignal(bar.ticketChanged):
        ctrl_shift(window, Qt.Key.Key_N)
    idle(qtbot, tasks)
    rows = report_rows(data_dir, capsys)
    assert [(r["ticket"], r["outcome"]) for r in rows] == [("70001", "escalated")]


def test_the_agent_can_still_change_the_outcome_before_ending(
    qtbot: QtBot,
    window: MainWindow,
    tasks: TaskManager,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    start_ticket(qtbot, window, tasks, "70002")
    start_run(qtbot, window, tasks)
    view = window.checklist
    QTest.mouseClick(view.done_button, Qt.MouseButton.LeftButton)
    view.finish(Outcome.ESCALATED)
    bar = window.ticket_bar
    bar.outcome.setCurrentIndex(bar.outcome.findData(Outcome.TRANSFERRED.value))
    with qtbot.waitSignal(bar.ticketChanged):
        QTest.mouseClick(bar.next_button, Qt.MouseButton.LeftButton)
    idle(qtbot, tasks)
    assert [r["outcome"] for r in report_rows(data_dir, capsys)] == ["transferred"]
    assert bar.outcome.currentData() == Outcome.RESOLVED.value  # the next ticket starts afresh


def test_a_checklist_without_a_ticket_asks_for_one_first(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    open_item(qtbot, window, tasks, QUERY, "coin-refund")
    assert window.ticket_bar.state is None
    assert not window.start_checklist()
    assert window.pages.currentIndex() == SEARCH_PAGE
    assert "ticket" in window.statusBar().currentMessage().lower()
    bar = window.ticket_bar
    bar.ticket.setText("70003")
    with qtbot.waitSignal(window.checklistShown):  # the checklist waited for the ticket
        QTest.keyClick(bar.ticket, Qt.Key.Key_Return)
    idle(qtbot, tasks)
    assert window.checklist.run is not None and window.checklist.run.ticket == "70003"
    started = [e for e in window._work.events.events("tester") if e.type in _STARTS]
    assert [(e.type, e.ticket) for e in started] == [
        (EventType.TICKET_STARTED, "70003"),
        (EventType.CHECKLIST_STARTED, "70003"),
    ]


_STARTS = (EventType.TICKET_STARTED, EventType.CHECKLIST_STARTED)


def test_a_typed_ticket_id_is_started_with_the_checklist(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    window.ticket_bar.ticket.setText("70004")  # typed (or filled from the clipboard), not started
    open_item(qtbot, window, tasks, QUERY, "coin-refund")
    with qtbot.waitSignal(window.ticket_bar.ticketChanged):
        assert window.start_checklist()
    idle(qtbot, tasks)
    state = window.ticket_bar.state
    assert state is not None and state.ticket == "70004" and not state.paused
    started = [e for e in window._work.events.events("tester") if e.type in _STARTS]
    assert [(e.type, e.ticket) for e in started] == [
        (EventType.TICKET_STARTED, "70004"),
        (EventType.CHECKLIST_STARTED, "70004"),
    ]


def test_a_ticket_id_the_log_refuses_runs_no_checklist(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    window.ticket_bar.ticket.setText("7" * 201)  # longer than any ticket id the log takes
    open_item(qtbot, window, tasks, QUERY, "coin-refund")
    window.start_checklist()
    idle(qtbot, tasks)
    assert window.pages.currentIndex() == SEARCH_PAGE
    assert window.checklist.run is None
    assert "is not a ticket id" in window.statusBar().currentMessage()
    assert window._work.resume_run() is None and window._work.events.events("tester") == []


def test_next_ticket_mid_checklist_parks_it_and_clears_the_window(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    start_ticket(qtbot, window, tasks, "70005")
    start_run(qtbot, window, tasks)
    view = window.checklist
    QTest.mouseClick(view.done_button, Qt.MouseButton.LeftButton)
    idle(qtbot, tasks)
    ctrl_shift(window, Qt.Key.Key_N)
    answer(unfinished_question(qtbot, window), "Keep for later")
    idle(qtbot, tasks)
    assert window.ticket_bar.state is None
    assert window.pages.currentIndex() == SEARCH_PAGE
    assert not view.isVisible() and not view._tick.isActive()  # no longer counting
    assert window.search.text() == ""  # the previous customer's words are gone
    QTest.keyClick(window.search, Qt.Key.Key_Escape)
    assert not window.item_actions.isVisible()  # no old SOP, no old deadline
    assert "Refund request" not in window.detail.toPlainText()
    assert window._work.resume_run() is not None  # parked: still saved
    # the next ticket resumes the parked run, now recorded on its own session
    start_ticket(qtbot, window, tasks, "70006")
    start_run(qtbot, window, tasks)
    run = view.run
    assert run is not None and run.ticket == "70006" and run.current is not None
    assert run.current.id == "decide"
    events = window._work.events.events("tester")
    assert [e.ticket for e in events if e.type is EventType.CHECKLIST_STARTED] == [
        "70005",
        "70006",
    ]


def test_next_ticket_can_discard_the_checklist_or_be_cancelled(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    start_ticket(qtbot, window, tasks, "70007")
    start_run(qtbot, window, tasks)
    ctrl_shift(window, Qt.Key.Key_N)
    answer(unfinished_question(qtbot, window), "Cancel")
    idle(qtbot, tasks)
    assert window.ticket_bar.state is not None  # nothing ended
    assert window.pages.currentIndex() == CHECKLIST_PAGE
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "unfinishedChecklist") is None)
    QTest.mouseClick(window.ticket_bar.next_button, Qt.MouseButton.LeftButton)
    answer(unfinished_question(qtbot, window), "Discard")
    idle(qtbot, tasks)
    assert window.ticket_bar.state is None
    assert window.checklist.run is None
    assert window._work.resume_run() is None


def test_card_numbers_never_reach_the_disk_from_a_step_note(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager, data_dir: Path
) -> None:
    start_ticket(qtbot, window, tasks, "70008")
    start_run(qtbot, window, tasks)
    view = window.checklist
    assert "card numbers" in view.note.placeholderText()
    view.note.setPlainText(CARD_NOTE)
    QTest.mouseClick(view.done_button, Qt.MouseButton.LeftButton)
    view.note.setPlainText("IBAN DE89 3704 0044 0532 0130 00")  # saved by its timer
    qtbot.waitUntil(lambda: not view._note_timer.isActive())
    idle(qtbot, tasks)
    run_file = (data_dir / RUN_FILE).read_text(encoding="utf-8")
    assert "4111" not in run_file and "DE89" not in run_file
    assert "jane@example.com" in run_file  # the rest of the note stays, on this computer
    with sqlite3.connect(data_dir / DB_NAME) as db:
        notes = [row[0] for row in db.execute("SELECT note FROM events WHERE note IS NOT NULL")]
    assert notes == ["Card [card] email jane@example.com"]
    assert view.note.toPlainText() == "IBAN [iban]"  # the agent sees what is kept
