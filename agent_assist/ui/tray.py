"""The tray icon: show/hide, pause the timer, sync now, quit — where the desktop has a tray."""

from __future__ import annotations

from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget


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
    menu = QMenu(parent)
    for action in (toggle, pause, sync):
        menu.addAction(action)
    menu.addSeparator()
    menu.addAction(quit_action)
    tray.setContextMenu(menu)
    tray.activated.connect(
        lambda reason: (
            toggle.trigger() if reason == QSystemTrayIcon.ActivationReason.Trigger else None
        )
    )
    tray.show()
    return tray
