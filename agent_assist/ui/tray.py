"""The tray icon: show/hide, pause the timer, sync now, quit — where the desktop has a tray."""

from __future__ import annotations

from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget


def tray_menu(
    toggle: QAction, pause: QAction, sync: QAction, quit_action: QAction, parent: QWidget
) -> QMenu:
    """The tray's menu: the window's own actions, so shortcuts and state stay in one place."""
    menu = QMenu(parent)
    for action in (toggle, pause, sync):
        menu.addAction(action)
    menu.addSeparator()
    menu.addAction(quit_action)
    return menu


def on_tray_activated(reason: QSystemTrayIcon.ActivationReason, toggle: QAction) -> None:
    """A plain click shows or hides the panel; other clicks open the menu (Qt does that)."""
    if reason == QSystemTrayIcon.ActivationReason.Trigger:
        toggle.trigger()


def make_tray(
    icon: QIcon,
    toggle: QAction,
    pause: QAction,
    sync: QAction,
    quit_action: QAction,
    parent: QWidget,
) -> QSystemTrayIcon | None:
    """A tray icon whose menu holds the window's own actions (``None``: no tray here)."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    tray = QSystemTrayIcon(icon, parent)
    tray.setToolTip("Agent Assist")
    tray.setContextMenu(tray_menu(toggle, pause, sync, quit_action, parent))
    tray.activated.connect(lambda reason: on_tray_activated(reason, toggle))
    tray.show()
    return tray
