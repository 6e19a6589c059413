"""The tray menu holds the window's own actions; a click on the icon shows or hides it.

(No tray host runs headless, so the icon itself is not shown here: ``make_tray`` returns
``None`` then, which the window handles.)"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QSystemTrayIcon
from pytestqt.qtbot import QtBot

from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.tray import make_tray, on_tray_activated, tray_menu


def test_the_menu_offers_show_pause_sync_and_quit(window: MainWindow) -> None:
    c = window.commands
    menu = tray_menu(c.toggle_window, c.pause_ticket, c.sync_now, c.quit, window)
    labels = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert labels == ["Show / hide", "Pause / resume", "Sync now", "Quit"]
    assert menu.actions()[3].isSeparator()
    assert menu.actions()[1] is c.pause_ticket  # the same action: same state and shortcut


@pytest.mark.qt_log_ignore("^This plugin does not support raise")  # offscreen has no stacking
def test_a_click_toggles_the_window_and_other_clicks_do_not(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    on_tray_activated(QSystemTrayIcon.ActivationReason.Trigger, window.commands.toggle_window)
    assert not window.isVisible()
    on_tray_activated(QSystemTrayIcon.ActivationReason.Context, window.commands.toggle_window)
    assert not window.isVisible()
    on_tray_activated(QSystemTrayIcon.ActivationReason.Trigger, window.commands.toggle_window)
    assert window.isVisible()


def test_no_tray_host_means_no_icon(window: MainWindow) -> None:
    if QSystemTrayIcon.isSystemTrayAvailable():
        pytest.skip("this desktop has a tray")
    c = window.commands
    icon = window.windowIcon()
    assert make_tray(icon, c.toggle_window, c.pause_ticket, c.sync_now, c.quit, window) is None
    assert window.tray is None  # the window started without one and still works
