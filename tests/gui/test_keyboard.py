"""The window from the keyboard alone: one table of shortcuts behind the menus, the cheat sheet,
the empty state and the README; Tab in reading order; every key working where its action is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QMainWindow,
    QMenu,
    QWidget,
)
from pytestqt.qtbot import QtBot

from agent_assist.app.search import PINNED, RECENT
from agent_assist.core.worklog.events import EventType
from agent_assist.ui.item_actions import FILL_KEYS, START_KEYS
from agent_assist.ui.item_markdown import WELCOME
from agent_assist.ui.macro_form import COPY_KEYS
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.palette_flows import MACRO_PAGE, SEARCH_PAGE
from agent_assist.ui.shortcuts import BY_NAME, SHORTCUTS, key, keys, markdown_table
from agent_assist.ui.shortcuts_dialog import ShortcutsDialog, keys_text
from agent_assist.ui.tasks import TaskManager

README = Path(__file__).parents[2] / "README.md"
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
RAISE = r"^This plugin does not support raise\(\)$"


def idle(qtbot: QtBot, tasks: TaskManager) -> None:
    qtbot.waitUntil(lambda: tasks.is_idle)


def active(qtbot: QtBot, window: QMainWindow) -> None:
    with qtbot.waitActive(window):
        window.activateWindow()


def press(sequence: str) -> None:
    """Press ``sequence`` where the keyboard focus is, as the agent would."""
    combo = QKeySequence(sequence)[0]  # type: ignore[index]  # PySide6 lacks the stub
    target = QApplication.focusWidget()
    assert target is not None
    QTest.keyClick(target, combo.key(), combo.keyboardModifiers())


def show_sop(qtbot: QtBot, window: MainWindow, tasks: TaskManager, query: str, sop: str) -> None:
    window.set_query(query)
    idle(qtbot, tasks)
    assert window.model.rows[0].id == sop
    idle(qtbot, tasks)
    assert window._detail is not None and window._detail.item.id == sop


def run_checklist(qtbot: QtBot, window: MainWindow, tasks: TaskManager) -> None:
    """Ticket 55501 running, the coin refund's checklist on its decision step."""
    window.ticket_bar.ticket.setText("55501")
    with qtbot.waitSignal(window.ticket_bar.ticketChanged):
        window.commands.start_ticket.trigger()
    show_sop(qtbot, window, tasks, "coins never received", "coin-refund")
    with qtbot.waitSignal(window.checklistShown):
        window.commands.start_checklist.trigger()
    window.checklist.complete()
    idle(qtbot, tasks)
    assert [b.text() for b in window.checklist.choice_buttons] == ["&1 Eligible", "&2 Not eligible"]


def tab_walk(start: QWidget, presses: int, key: Qt.Key = Qt.Key.Key_Tab) -> list[QWidget]:
    """Where the focus goes on each of ``presses`` Tabs from ``start`` (repeats folded: Tab
    also walks the links of a document and the parts of a date)."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    seen: list[QWidget] = []
    for _ in range(presses):
        focus = QApplication.focusWidget()
        assert focus is not None
        QTest.keyClick(focus, key)
        now = QApplication.focusWidget()
        assert now is not None
        parent = now.parentWidget()  # a part of a compound widget: count the widget
        while parent is not None and (
            isinstance(parent, QComboBox | QAbstractButton)
            or now.objectName() == "qt_spinbox_lineedit"
        ):
            now, parent = parent, parent.parentWidget()
        if not seen or seen[-1] is not now:
            seen.append(now)
    return seen


# -- the one table --------------------------------------------------------------------------
def test_readme_keyboard_table_is_the_shortcuts_table() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Keyboard\n", 1)[1].split("\n## ", 1)[0]
    table = "".join(line + "\n" for line in section.splitlines() if line.startswith("|"))
    assert table == markdown_table(), (
        "README's Keyboard table differs from agent_assist/ui/shortcuts.py: paste the output "
        "of `python -m agent_assist.ui.shortcuts`"
    )


def test_menus_are_made_from_the_table(window: MainWindow) -> None:
    in_menus: dict[str, list[QAction]] = {}
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        assert isinstance(menu, QMenu)
        title = menu_action.text().replace("&", "")
        in_menus[title] = [a for a in menu.actions() if not a.isSeparator()]
    for row in SHORTCUTS:
        if not row.menu:
            continue
        action = getattr(window.commands, row.name)
        assert action in in_menus[row.menu], row.name
        assert action.text() == row.label
        wanted = [QKeySequence(window._app_settings.hotkey)] if row.name == "summon" else None
        assert action.shortcuts() == (wanted or [QKeySequence(k) for k in row.keys]), row.name
        assert QKeySequence(row.keys[0]).toString(QKeySequence.SequenceFormat.NativeText) in (
            action.toolTip()
        )
    table_actions = {getattr(window.commands, s.name) for s in SHORTCUTS if s.menu}
    for title, actions in in_menus.items():
        for action in actions:  # every key in a menu is in the table
            assert action in table_actions or not action.shortcuts(), (title, action.text())
        mnemonics = [m.group(1).lower() for a in actions if (m := re.search("&(.)", a.text()))]
        assert len(mnemonics) == len(set(mnemonics)), (title, mnemonics)
    help_menu = [a.text() for a in in_menus["Help"]]
    assert help_menu == ["&Keyboard shortcuts", "&About Agent Assist"]


def test_no_two_rows_share_a_key() -> None:
    seen: dict[str, str] = {}
    for row in SHORTCUTS:
        for k in row.keys:
            portable = QKeySequence(k).toString()
            assert portable, (row.name, k)
            if row.name != "back":  # Esc: one "back" per view
                assert portable not in seen, (row.name, seen.get(portable))
            seen[portable] = row.name


def test_widgets_have_the_keys_of_the_table(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    run_checklist(qtbot, window, tasks)
    view = window.checklist
    for button, name in (
        (view.done_button, "done"),
        (view.skip_button, "skip"),
        (view.back_button, "undo_step"),
        (view.finish_button, "finish"),
        (window.ticket_bar.count_gap, "count_gap"),
        (window.ticket_bar.drop_gap, "drop_gap"),
    ):
        assert button.shortcut() == QKeySequence(key(name)), name
    choices = [b.shortcut() for b in view.choice_buttons]
    assert choices == [QKeySequence(k) for k in keys("choose")[: len(choices)]]
    assert view.macro_button.shortcut().isEmpty()  # Ctrl+Shift+R, the window's, fills it
    assert keys("copy_reply") == COPY_KEYS
    assert (key("start_checklist"), key("fill_macro")) == (START_KEYS, FILL_KEYS)


@pytest.mark.qt_log_ignore(RAISE)
def test_f1_shows_every_shortcut(qtbot: QtBot, window: MainWindow) -> None:
    active(qtbot, window)
    press(key("shortcuts"))
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    text = dialog.text.toPlainText()
    for row in SHORTCUTS:
        assert keys_text(row, window._app_settings.hotkey) in text, row.name
        assert row.sentence in text, row.name
    window.commands.shortcuts.trigger()  # again: the same sheet, not a second one
    assert window.findChildren(ShortcutsDialog) == [dialog]
    dialog.close()


def test_summon_keys_in_the_sheet_follow_the_settings() -> None:
    assert "Ctrl+Alt+Space" in ShortcutsDialog("Ctrl+Alt+Space").text.toPlainText()


def test_the_empty_state_gives_the_keys_of_the_table(window: MainWindow) -> None:
    assert WELCOME.count("**") >= 10
    shown = window.detail.toPlainText()
    search_keys = window.commands.search.shortcut().toString()
    assert f"{search_keys} back to the search field" in shown
    assert f"{BY_NAME['pin'].keys[0]} pin or unpin the SOP shown" in shown
    assert f"{key('shortcuts')} every keyboard shortcut" in shown


# -- Tab ------------------------------------------------------------------------------------
def test_tab_walks_the_search_page_in_reading_order(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    show_sop(qtbot, window, tasks, "coins never received", "coin-refund")
    active(qtbot, window)
    actions = window.item_actions
    expected = [
        window.search,
        window.results,
        actions.received,
        actions.start_button,
        window.detail,
        window.ticket_bar.ticket,
        window.search,
    ]
    walked = [w for w in tab_walk(window.ticket_bar.ticket, 30) if w in expected]
    assert walked[: len(expected)] == expected
    back = [w for w in tab_walk(window.search, 30, Qt.Key.Key_Backtab) if w in expected]
    assert back[:3] == [window.ticket_bar.ticket, window.detail, actions.start_button]


def test_decision_buttons_are_in_the_tab_chain_in_reading_order(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    run_checklist(qtbot, window, tasks)
    active(qtbot, window)
    view = window.checklist
    first, second = view.choice_buttons
    assert first.hasFocus()
    expected = [
        second,
        view.back_button,
        view.note,
        view.outcome,
        view.finish_button,
        view.close_button,
        window.ticket_bar.ticket,
        window.search,
        first,
    ]
    walked = tab_walk(first, 40)
    assert [w for w in walked if w in expected][: len(expected)] == expected
    assert list(tab_walk(view.back_button, 2, Qt.Key.Key_Backtab)) == [second, first]


def test_the_ticket_bar_takes_no_typed_text(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    """The issue: Tab from the note wrapped to the ticket bar, and the note's spaces pressed
    Pause (9 ``ticket_paused`` events reached the hub)."""
    run_checklist(qtbot, window, tasks)
    active(qtbot, window)
    bar = window.ticket_bar
    stops = {bar.start_button, bar.pause_button, bar.next_button, bar.outcome}
    stops |= {bar.count_gap, bar.drop_gap}
    assert [w.accessibleName() for w in tab_walk(window.checklist.note, 60) if w in stops] == []
    window.checklist.note.setFocus(Qt.FocusReason.OtherFocusReason)
    for _ in range(5):  # outcome, Finish, Close, ticket id, and then it was Pause
        press("Tab")
    typing_in = QApplication.focusWidget()
    assert typing_in is not None
    QTest.keyClicks(typing_in, "called back twice")
    idle(qtbot, tasks)
    types = [e.type for e in window._work.events.events("tester")]
    assert EventType.TICKET_PAUSED not in types
    assert bar.state is not None and not bar.state.paused
    assert bar.outcome.currentIndex() == 0


@pytest.mark.qt_log_ignore(RAISE, r"^This plugin does not support grabbing the keyboard$")
def test_ctrl_shift_o_opens_the_outcome_box(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    run_checklist(qtbot, window, tasks)
    active(qtbot, window)
    window.checklist.note.setFocus()
    press(key("choose_outcome"))
    outcome = window.ticket_bar.outcome
    qtbot.waitUntil(outcome.view().isVisible)
    outcome.hidePopup()
    assert outcome.hasFocus()


# -- keys where their action is ------------------------------------------------------------
def test_ctrl_shift_r_fills_the_reply_of_the_checklist_step(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    run_checklist(qtbot, window, tasks)
    active(qtbot, window)
    with qtbot.waitSignal(window.checklist.runChanged):
        press("Alt+1")  # Eligible: on to the step with the refund reply
    assert window.checklist.macro_button.isVisible()
    window.checklist.note.setFocus()
    with qtbot.waitSignal(window.macroShown) as shown:
        press(key("fill_macro"))
    assert shown.args == ["refund-approved"]
    assert window.pages.currentIndex() == MACRO_PAGE


def test_enter_on_a_sop_opens_it_and_esc_comes_back(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    active(qtbot, window)
    window.search.setFocus()
    press("Down")
    assert window.current_row() == window.model.rows[0]
    with qtbot.waitSignal(window.itemOpened):
        press("Return")
    assert window.detail.hasFocus()
    assert key("start_checklist") in window.statusBar().currentMessage()
    press("Esc")
    assert window.search.hasFocus()
    window.results.setFocus()  # in the list itself, Enter opens too
    press("Down")
    with qtbot.waitSignal(window.itemOpened) as opened:
        press("Enter")
    assert opened.args == [window.model.rows[1].kind.value, window.model.rows[1].id]
    assert window.detail.hasFocus()


def test_ctrl_k_goes_back_to_the_search_from_every_page(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    run_checklist(qtbot, window, tasks)
    active(qtbot, window)
    window.checklist.note.setFocus()
    press(key("search"))
    assert window.search.hasFocus()
    assert window.pages.currentIndex() == SEARCH_PAGE
    window.open_macro("refund-approved")
    qtbot.waitUntil(lambda: window.pages.currentIndex() == MACRO_PAGE)
    press(keys("search")[1])
    assert window.search.hasFocus()


def test_enter_on_a_macro_puts_the_keyboard_in_its_form(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    window.set_query("coin refund approved reply")
    idle(qtbot, tasks)
    assert window.model.rows[0].id == "refund-approved"
    active(qtbot, window)
    window.search.setFocus()
    with qtbot.waitSignal(window.macroShown):
        press("Return")
    assert window.macro_form.editors["amount"].hasFocus()


# -- recent and pinned ----------------------------------------------------------------------
def test_pin_a_sop_and_find_it_first_in_the_empty_search(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    show_sop(qtbot, window, tasks, "someone hacked my account", "hacked-account")
    active(qtbot, window)
    with qtbot.waitSignal(window.pinChanged) as pinned:
        press(key("pin"))
    assert pinned.args == ["hacked-account", True]
    idle(qtbot, tasks)
    assert "Pinned" in window.detail.toPlainText()
    window.search.setFocus()
    with qtbot.waitSignal(window.resultsChanged):
        press("Esc")  # clears the search: the empty state
    first = window.model.rows[0]
    assert (first.id, first.badges[0]) == ("hacked-account", PINNED)
    press("Down")
    with qtbot.waitSignal(window.itemOpened) as opened:
        press("Return")
    assert opened.args == ["sop", "hacked-account"]
    idle(qtbot, tasks)
    with qtbot.waitSignal(window.pinChanged) as unpinned:
        press(key("pin"))
    assert unpinned.args == ["hacked-account", False]
    idle(qtbot, tasks)
    assert PINNED not in window.model.rows[0].badges


def test_a_sop_just_run_is_first_in_the_empty_search(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    window.ticket_bar.ticket.setText("55501")
    with qtbot.waitSignal(window.ticket_bar.ticketChanged):
        window.commands.start_ticket.trigger()
    assert window.search.text() == "" and window.model.rows[0].id == "hacked-account"
    with qtbot.waitSignal(window.itemShown):
        window.results.setCurrentIndex(window.model.index(1))  # coin-refund, from the catalogue
    active(qtbot, window)
    with qtbot.waitSignal(window.checklistShown):
        press(key("start_checklist"))
    assert window.checklist.done_button.hasFocus()  # the keys now work the checklist
    with qtbot.waitSignal(window.resultsChanged):  # the list under the checklist is refreshed
        idle(qtbot, tasks)
    press("Esc")  # leaves the checklist, which stays saved
    assert window.pages.currentIndex() == SEARCH_PAGE
    first = window.model.rows[0]
    assert (first.id, first.badges[0]) == ("coin-refund", RECENT)
