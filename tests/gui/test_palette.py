"""The agent's palette driven like an agent would: checklist, macro filler, gaps, acks."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from agent_assist.app.search import NEEDS_ACK, RECENT, UPDATED
from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.knowledge.packs import import_pack_dir
from agent_assist.core.worklog.events import EventType, Outcome
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.palette_flows import CHECKLIST_PAGE, MACRO_PAGE, SEARCH_PAGE
from agent_assist.ui.results_model import Role
from agent_assist.ui.tasks import TaskManager
from tests.conftest import TINY_PACK, write_pack
from tests.gui.conftest import open_window


def idle(qtbot: QtBot, tasks: TaskManager) -> None:
    qtbot.waitUntil(lambda: tasks.is_idle)


def open_item(qtbot: QtBot, window: MainWindow, tasks: TaskManager, query: str, item: str) -> None:
    window.set_query(query)
    idle(qtbot, window._tasks)
    assert window.model.rows[0].id == item
    with qtbot.waitSignal(window.itemOpened):
        QTest.keyClick(window.search, Qt.Key.Key_Return)
    idle(qtbot, tasks)


def event_types(window: MainWindow) -> list[EventType]:
    return [e.type for e in window._work.events.events("tester")]


def start_ticket(qtbot: QtBot, window: MainWindow, tasks: TaskManager, ticket: str) -> None:
    window.ticket_bar.ticket.setText(ticket)
    with qtbot.waitSignal(window.ticket_bar.ticketChanged):
        QTest.keyClick(window.ticket_bar.ticket, Qt.Key.Key_Return)
    idle(qtbot, tasks)


def test_enter_on_a_sop_shows_start_checklist(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    open_item(qtbot, window, tasks, "coins never received", "coin-refund")
    assert window.item_actions.start_button.isVisible()
    assert window.item_actions.due.text().startswith("PSD2 reply due ")
    assert "updated" in window.detail.toPlainText()


def test_branching_run_records_the_path_taken(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    start_ticket(qtbot, window, tasks, "55501")
    open_item(qtbot, window, tasks, "coins never received", "coin-refund")
    with qtbot.waitSignal(window.checklistShown):
        QTest.keyClick(
            window,
            Qt.Key.Key_C,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert window.pages.currentIndex() == CHECKLIST_PAGE
    view = window.checklist
    assert view.step_text.text() == "1. Find the purchase in the billing console"
    assert view.steps_model.current_row() == 0
    QTest.mouseClick(view.done_button, Qt.MouseButton.LeftButton)
    assert [b.text() for b in view.choice_buttons] == ["&1 Eligible", "&2 Not eligible"]
    QTest.mouseClick(view.choice_buttons[0], Qt.MouseButton.LeftButton)
    assert view.run is not None and view.run.current is not None
    assert view.run.current.id == "approve"
    assert view.macro_button.isVisible()
    idle(qtbot, tasks)
    assert view.run.path() == [("check", "done", None), ("decide", "chosen", "Eligible")]
    choices = [e for e in window._work.events.events("tester") if e.type is EventType.CHOICE_TAKEN]
    assert [(e.step_id, e.choice, e.ticket) for e in choices] == [("decide", "Eligible", "55501")]
    assert EventType.CHECKLIST_STARTED in event_types(window)
    QTest.mouseClick(view.back_button, Qt.MouseButton.LeftButton)
    assert view.run.current is not None and view.run.current.id == "decide"
    QTest.mouseClick(view.choice_buttons[1], Qt.MouseButton.LeftButton)
    assert view.run.at_end
    with qtbot.waitSignal(view.runFinished) as finished:
        QTest.mouseClick(view.finish_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["resolved"]
    assert window.pages.currentIndex() == SEARCH_PAGE
    idle(qtbot, tasks)
    assert window._work.resume_run() is None


def test_required_steps_block(qtbot: QtBot, window: MainWindow, tasks: TaskManager) -> None:
    start_ticket(qtbot, window, tasks, "55502")
    open_item(qtbot, window, tasks, "coins never received", "coin-refund")
    assert window.start_checklist()
    view = window.checklist
    assert not view.skip_button.isVisible()
    view.skip("no time")
    assert "required" in view.message.text()
    assert view.run is not None and view.run.current is not None
    assert view.run.current.id == "check"
    view.finish(Outcome.RESOLVED)
    assert "remaining steps" in view.message.text()


def test_a_run_resumes_after_the_window_is_recreated(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager, tiny_store: Store, data_dir: Path
) -> None:
    start_ticket(qtbot, window, tasks, "55503")
    open_item(qtbot, window, tasks, "coins never received", "coin-refund")
    window.start_checklist()
    window.checklist.note.setPlainText("order 881")
    window.checklist.complete()
    idle(qtbot, tasks)
    window.close()
    again = open_window(qtbot, tiny_store, tasks, data_dir)
    qtbot.waitUntil(lambda: again.pages.currentIndex() == CHECKLIST_PAGE)
    run = again.checklist.run
    assert run is not None and run.current is not None and run.current.id == "decide"
    assert run.notes == {"check": "order 881"}


def test_macro_with_a_missing_required_field_cannot_be_copied(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager, tiny_store: Store
) -> None:
    QGuiApplication.clipboard().setText("before")
    start_ticket(qtbot, window, tasks, "777")
    with qtbot.waitSignal(window.macroShown):
        open_item(qtbot, window, tasks, "refund approved", "refund-approved")
    assert window.pages.currentIndex() == MACRO_PAGE
    form = window.macro_form
    assert not form.copy_button.isEnabled()
    assert "[Refund amount]" in form.preview.toPlainText()
    QTest.keyClick(form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "before"
    assert "Refund amount is required" in form.problem.text()
    form.set_value("agent_name", "Dana")
    QTest.keyClicks(form.editors["amount"], "5 EUR")
    assert form.copy_button.isEnabled()
    with qtbot.waitSignal(form.macroCopied):
        QTest.keyClick(
            form.editors["amount"], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
        )
    assert QGuiApplication.clipboard().text() == "Hi Dana here. We refunded 5 EUR."
    idle(qtbot, tasks)
    assert tiny_store.last_used_version(Kind.MACRO, "refund-approved") == 1
    assert EventType.MACRO_COPIED in event_types(window)
    QTest.keyClick(form.back_button, Qt.Key.Key_Escape)
    assert window.pages.currentIndex() == SEARCH_PAGE


def test_a_gap_can_be_reported(qtbot: QtBot, window: MainWindow, tasks: TaskManager) -> None:
    window.set_query("qzxv blorptangle")
    idle(qtbot, tasks)
    assert window.report_gap.isVisible()
    with qtbot.waitSignal(window.gapReported):
        QTest.mouseClick(window.report_gap, Qt.MouseButton.LeftButton)
    idle(qtbot, tasks)
    reported = [e for e in window._work.events.events("tester") if e.query]
    assert [(e.type, e.query) for e in reported] == [
        (EventType.NO_MATCH_REPORTED, "qzxv blorptangle")
    ]


@pytest.fixture
def ack_store(tmp_path: Path, data_dir: Path) -> Store:
    files = dict(TINY_PACK)
    files["sops/hacked-account.md"] = files["sops/hacked-account.md"].replace(
        "tags: [account, security]", "tags: [account, security]\nrequires_ack: true"
    )
    pack = write_pack(tmp_path / "ack-pack", files)
    store = Store.in_dir(data_dir)
    import_pack_dir(store, pack)
    return store


def test_acknowledgement_gate(
    qtbot: QtBot, tasks: TaskManager, ack_store: Store, data_dir: Path
) -> None:
    window = open_window(qtbot, ack_store, tasks, data_dir)
    start_ticket(qtbot, window, tasks, "55504")
    row = next(r for r in window.model.rows if r.id == "hacked-account")
    assert NEEDS_ACK in row.badges
    open_item(qtbot, window, tasks, "someone hacked my account", "hacked-account")
    actions = window.item_actions
    assert actions.ack_button.isVisible()
    assert not actions.start_button.isEnabled()
    assert not window.start_checklist()
    assert window.pages.currentIndex() == SEARCH_PAGE
    with qtbot.waitSignal(window.ackRecorded) as acked:
        QTest.mouseClick(actions.ack_button, Qt.MouseButton.LeftButton)
    assert acked.args == ["hacked-account", 1]
    idle(qtbot, tasks)
    assert not actions.ack_button.isVisible()
    assert actions.start_button.isEnabled()
    assert window.start_checklist()
    idle(qtbot, tasks)
    assert EventType.ACK_GIVEN in event_types(window)
    assert NEEDS_ACK not in next(r for r in window.model.rows if r.id == "hacked-account").badges
    ack_store.close()  # only once the worker is idle: never close the store under it


def test_a_sop_changed_since_last_use_shows_a_badge_and_a_step_diff(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path, tmp_path: Path
) -> None:
    tiny_store.record_use(Kind.SOP, "coin-refund")
    files = dict(TINY_PACK)
    files["sops/coin-refund.md"] = files["sops/coin-refund.md"].replace(
        "Find the purchase in the billing console", "Find the purchase in Billing Console v2"
    )
    import_pack_dir(tiny_store, write_pack(tmp_path / "v2", files))
    window = open_window(qtbot, tiny_store, tasks, data_dir)
    row = next(r for r in window.model.rows if r.id == "coin-refund")
    assert row.badges == (RECENT, UPDATED)  # used last: listed first while the search is empty
    index = window.model.index(window.model.rows.index(row))
    assert window.model.data(index, Role.BADGES) == ["recent", "updated"]
    with qtbot.waitSignal(window.itemShown):
        window.results.setCurrentIndex(index)
    text = window.detail.toPlainText()
    assert "Updated since you last used it" in text
    assert "Changed since you last used version 1" in text
    assert "Changed: Find the purchase in Billing Console v2" in text
    assert "was: Find the purchase in the billing console" in text


@pytest.mark.qt_log_ignore(r"^This plugin does not support raise\(\)$")
def test_summon_puts_the_clipboard_in_the_search(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    start_ticket(qtbot, window, tasks, "55505")
    open_item(qtbot, window, tasks, "coins never received", "coin-refund")
    window.start_checklist()
    assert window.pages.currentIndex() == CHECKLIST_PAGE
    QGuiApplication.clipboard().setText("my account was hacked")
    window.hide()
    window.commands.summon.trigger()
    assert window.isVisible()
    assert window.search.text() == "my account was hacked"
    assert window.pages.currentIndex() == SEARCH_PAGE
    idle(qtbot, tasks)
    assert window.model.rows[0].id == "hacked-account"


def test_every_command_has_a_shortcut_in_its_tooltip(window: MainWindow) -> None:
    for name in ("search", "start_checklist", "report_gap", "start_ticket", "pause_ticket"):
        action = getattr(window.commands, name)
        keys = action.shortcut().toString()
        assert keys and keys in action.toolTip()
    assert window.commands.search.shortcut().toString() == "Ctrl+K"


def test_controls_have_accessible_names(window: MainWindow) -> None:
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit

    unnamed = [
        w.objectName() or type(w).__name__ + ":" + getattr(w, "text", lambda: "")()
        for kind in (QLineEdit, QComboBox, QAbstractButton)
        for w in window.findChildren(kind)
        if not w.accessibleName()
        and not (isinstance(w, QAbstractButton) and w.text())
        and w.parent() is not None
        and type(w.parent()).__name__ not in ("QComboBox", "QSpinBox", "QDateEdit")
        and not w.objectName().startswith("qt_")
        and not isinstance(w.parent(), QLineEdit)
    ]
    assert unnamed == []
