"""Abandoned low-confidence searches, driven through the window: the event is logged when the
agent clears the search or ends the ticket, and not when a gap was reported."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from agent_assist.core.worklog.events import EventType
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.tasks import TaskManager

NONSENSE = "qzxv blorptangle"


def idle(qtbot: QtBot, tasks: TaskManager) -> None:
    qtbot.waitUntil(lambda: tasks.is_idle)


def abandoned(window: MainWindow) -> list[tuple[str | None, str]]:
    return [
        (e.query, e.ticket)
        for e in window._work.events.events("tester")
        if e.type is EventType.SEARCH_ABANDONED
    ]


def test_clearing_a_weak_search_logs_it_once(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    window.set_query(NONSENSE)
    idle(qtbot, tasks)
    assert window.no_match.isVisible()
    assert abandoned(window) == []  # still searching
    QTest.keyClick(window.search, Qt.Key.Key_Escape)  # Esc in the field clears it
    idle(qtbot, tasks)
    assert window.search.text() == ""
    assert abandoned(window) == [(NONSENSE, "")]
    window.set_query("")
    idle(qtbot, tasks)
    assert abandoned(window) == [(NONSENSE, "")]


def test_ending_the_ticket_ends_the_search_on_that_ticket(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    window.ticket_bar.ticket.setText("T-7")
    with qtbot.waitSignal(window.ticket_bar.ticketChanged):
        QTest.keyClick(window.ticket_bar.ticket, Qt.Key.Key_Return)
    idle(qtbot, tasks)
    window.set_query(NONSENSE)
    idle(qtbot, tasks)
    window.next_ticket()
    idle(qtbot, tasks)
    assert abandoned(window) == [(NONSENSE, "T-7")]


def test_a_reported_gap_is_not_logged_again(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    window.set_query(NONSENSE)
    idle(qtbot, tasks)
    with qtbot.waitSignal(window.gapReported):
        QTest.mouseClick(window.report_gap, Qt.MouseButton.LeftButton)
    window.set_query("")
    idle(qtbot, tasks)
    assert abandoned(window) == []
