"""The main window's actions and menus, made from the one table of shortcuts
(:mod:`~agent_assist.ui.shortcuts`): every command has a shortcut, shown in its menu entry and
tooltip, so the whole app works from the keyboard; and Tab in reading order as widgets come
and go (:func:`tab_in_reading_order`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLayout,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from agent_assist.ui.shortcuts import BY_NAME, MENU_LABELS, MENUS, SHORTCUTS

SUMMON_DEFAULT = BY_NAME["summon"].keys[0]
NATIVE = QKeySequence.SequenceFormat.NativeText


@dataclass
class Actions:
    search: QAction
    shortcuts: QAction
    pin: QAction
    start_checklist: QAction
    fill_macro: QAction
    report_gap: QAction
    tickets: QAction
    start_ticket: QAction
    pause_ticket: QAction
    choose_outcome: QAction
    next_ticket: QAction
    sync_now: QAction
    settings: QAction
    on_top: QAction
    toggle_window: QAction
    summon: QAction
    about: QAction
    quit: QAction


def _action(window: QMainWindow, text: str, keys: tuple[str, ...] = (), tip: str = "") -> QAction:
    action = QAction(text, window)
    plain = text.replace("&", "").rstrip("…")
    tip = tip or plain
    if keys:
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        tip = f"{tip} ({QKeySequence(keys[0]).toString(NATIVE)})"
    action.setToolTip(tip)
    action.setStatusTip(tip)
    window.addAction(action)
    return action


def build_actions(window: QMainWindow, summon_keys: str) -> Actions:
    made = {s.name: _action(window, s.label, s.keys, s.tip_text) for s in SHORTCUTS if s.menu}
    a = Actions(
        **made,
        toggle_window=_action(window, "Show / &hide", tip="Show or hide the panel"),
        about=_action(window, "&About Agent Assist"),
    )
    a.summon.setShortcut(QKeySequence(summon_keys or SUMMON_DEFAULT))
    a.summon.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
    a.on_top.setCheckable(True)
    bar = window.menuBar()
    for menu_name in MENUS:
        menu = bar.addMenu(MENU_LABELS[menu_name])
        for s in SHORTCUTS:
            if s.menu == menu_name:
                if s.name == "quit":
                    menu.addSeparator()
                menu.addAction(made[s.name])
        if menu_name == "Help":
            menu.addAction(a.about)
    return a


def tab_in_reading_order(root: QWidget) -> list[QWidget]:
    """Make Tab visit the focusable widgets under ``root`` in the order of their layouts
    (top to bottom, left to right), pages of stacks and splitters included; returns them.

    Widgets created later (a checklist's answer buttons, a macro's fields) join Qt's focus
    chain at its end, far from where they are shown: call this again after adding them.
    Hidden and disabled widgets stay in the chain; Qt skips them.  A scroll area around a
    page is no stop of its own (it would take a Tab and show nothing): Tab goes into it."""
    order: list[QWidget] = []
    _visit(root, order, root)
    for first, second in pairwise(order):
        QWidget.setTabOrder(first, second)
    return order


def _visit(widget: QWidget, order: list[QWidget], root: QWidget) -> None:
    content = widget.widget() if isinstance(widget, QScrollArea) else None
    if content is not None:
        widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        _visit(content, order, root)
        return
    if widget is not root and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
        order.append(widget)
    if isinstance(widget, QStackedWidget | QSplitter):
        for i in range(widget.count()):
            page = widget.widget(i)
            if page is not None:
                _visit(page, order, root)
        return
    layout = widget.layout()
    if layout is not None:
        _visit_layout(layout, order, root)


def _visit_layout(layout: QLayout, order: list[QWidget], root: QWidget) -> None:
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item is None:
            continue
        child, inner = item.widget(), item.layout()
        if child is not None:
            _visit(child, order, root)
        elif inner is not None:
            _visit_layout(inner, order, root)
