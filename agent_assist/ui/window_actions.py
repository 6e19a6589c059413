"""The main window's actions and menus: every command has a shortcut, shown in its menu entry
and tooltip, so the whole app works from the keyboard."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

SUMMON_DEFAULT = "Ctrl+Shift+Space"


@dataclass
class Actions:
    search: QAction
    start_checklist: QAction
    fill_macro: QAction
    report_gap: QAction
    start_ticket: QAction
    pause_ticket: QAction
    next_ticket: QAction
    sync_now: QAction
    settings: QAction
    on_top: QAction
    toggle_window: QAction
    summon: QAction
    about: QAction
    quit: QAction


def _action(window: QMainWindow, text: str, keys: str = "", tip: str = "") -> QAction:
    action = QAction(text, window)
    if keys:
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    plain = text.replace("&", "").rstrip("…")
    action.setToolTip(f"{tip or plain} ({keys})" if keys else tip or plain)
    action.setStatusTip(tip or plain)
    window.addAction(action)
    return action


def build_actions(window: QMainWindow, summon_keys: str) -> Actions:
    a = Actions(
        search=_action(window, "&Search", "Ctrl+K", "Back to the search field"),
        start_checklist=_action(window, "Start &checklist", "Ctrl+Shift+C"),
        fill_macro=_action(window, "&Fill reply…", "Ctrl+Shift+R", "Fill the open macro"),
        report_gap=_action(
            window, "&Report a gap", "Ctrl+Shift+G", "Tell your leads nothing fits this search"
        ),
        start_ticket=_action(window, "&Start ticket", "Ctrl+T", "Start timing the ticket"),
        pause_ticket=_action(window, "&Pause / resume", "Ctrl+P", "Pause or resume the timer"),
        next_ticket=_action(window, "&Next ticket", "Ctrl+Shift+N", "End this ticket"),
        sync_now=_action(window, "Sync &now", "F5", "Sync with the team hub now"),
        settings=_action(window, "&Settings…", "Ctrl+,"),
        on_top=_action(window, "Always on &top", "Ctrl+Shift+T", "Keep the panel above others"),
        toggle_window=_action(window, "Show / &hide", "", "Show or hide the panel"),
        summon=_action(window, "S&ummon with clipboard", summon_keys or SUMMON_DEFAULT),
        about=_action(window, "&About Agent Assist"),
        quit=_action(window, "&Quit", "Ctrl+Q"),
    )
    a.on_top.setCheckable(True)
    a.summon.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
    bar = window.menuBar()
    app_menu = bar.addMenu("&App")
    for action in (a.search, a.sync_now, a.settings):
        app_menu.addAction(action)
    app_menu.addSeparator()
    app_menu.addAction(a.quit)
    item_menu = bar.addMenu("&Item")
    for action in (a.start_checklist, a.fill_macro, a.report_gap):
        item_menu.addAction(action)
    ticket_menu = bar.addMenu("&Ticket")
    for action in (a.start_ticket, a.pause_ticket, a.next_ticket):
        ticket_menu.addAction(action)
    view_menu = bar.addMenu("&View")
    for action in (a.on_top, a.summon):
        view_menu.addAction(action)
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a.about)
    return a
