"""The status line follows the live listener honestly (live, connecting, offline with the next
try, sign-in needed), says what is wrong in plain words with a button that helps, and a round
with changes raises a calm notice.  The listener is a stand-in here, called from a thread of its
own as the real one is; the real one against a real hub is tests/gui/test_live_sync.py."""

from __future__ import annotations

import datetime as dt
import html
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from agent_assist.core.cache.store import Store
from agent_assist.core.errors import StoreError
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.settings_dialog import SettingsDialog
from agent_assist.ui.tasks import TaskManager
from tests.gui.conftest import open_window

HUB = "https://hub.example.com"
CLI_WORDS = ("agent-assist", "GET /v1", "401", "login")


@dataclass
class FakeReport:
    state: str
    changed: list[str] = field(default_factory=list)
    at: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC))
    error: str | None = None
    problem: str | None = None
    hub_url: str = HUB


class FakeLive:
    """Stands in for :class:`agent_assist.app.live.LiveSync`: tells the window what a test
    says, from another thread, and records what the window asked of it."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.hooks: tuple[Callable[..., None], ...] = ()
        self.window: MainWindow | None = None

    def start(self, *hooks: Callable[..., None]) -> None:
        self.asked.append("start")
        self.hooks = hooks

    def sync_now(self) -> None:
        self.asked.append("sync_now")

    def settings_changed(self) -> None:
        self.asked.append("settings_changed")

    def stop(self, timeout: float = 5.0) -> bool:
        self.asked.append("stop")
        return True

    def _from_thread(self, hook: int, *args: object) -> None:
        thread = threading.Thread(target=self.hooks[hook], args=args)
        thread.start()
        thread.join()

    def report(self, report: FakeReport) -> None:
        self._from_thread(0, report)

    def state(self, state: str, seconds: float | None = None) -> None:
        self._from_thread(1, state, seconds)

    def fail(self, exc: BaseException) -> None:
        self._from_thread(2, exc)


def tip(widget: QWidget) -> str:
    """A tooltip's text (tooltips are escaped so markup in them shows literally)."""
    return html.unescape(widget.toolTip().removeprefix("<qt>").removesuffix("</qt>"))


def live_window(qtbot: QtBot, store: Store, tasks: TaskManager, data_dir: Path) -> FakeLive:
    live = FakeLive()
    window = open_window(qtbot, store, tasks, data_dir, live_sync=live)
    qtbot.waitUntil(lambda: live.asked == ["start"])  # once the window is up, not before
    live.window = window
    return live


def window_of(live: FakeLive) -> MainWindow:
    assert live.window is not None
    return live.window


def test_indicator_follows_the_listener(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path
) -> None:
    live = live_window(qtbot, tiny_store, tasks, data_dir)
    window = window_of(live)
    status = window.sync_status
    assert status.state == "not_configured"  # no hub_url: offline, calmly
    assert status.text() == "● Offline · no hub set"
    assert not status.button.isVisible()

    with qtbot.waitSignal(window.sync.stateChanged):
        live.state("connecting")
    assert status.text() == "● Connecting to the hub…"
    with qtbot.waitSignal(window.sync.syncFinished):
        live.report(FakeReport("online", ["sop:coin-refund", "macro:gone"]))
    with qtbot.waitSignal(window.sync.stateChanged):
        live.state("live")
    assert status.state == "live"
    assert status.text().startswith("● Live · synced ")
    assert "hub.example.com" in tip(status)
    qtbot.waitUntil(lambda: tasks.is_idle)
    assert window.notice.isVisible()
    assert window.notice.items == [
        ("sop", "coin-refund", "Refund request for in-app coin purchase")
    ]
    with qtbot.waitSignal(window.itemShown) as shown:
        window.notice.text.linkActivated.emit("sop:coin-refund")
    assert shown.args == ["sop", "coin-refund"]

    with qtbot.waitSignal(window.sync.stateChanged):
        live.state("offline", 30.0)  # the stream broke: the next try is in 30 s
    assert status.state == "offline"
    assert status.text().startswith("● Offline · retrying in 30 s · synced ")
    assert tip(status).startswith("Lost the connection to hub.example.com.")
    assert status.button.isVisible() and status.button.text() == "Retry now"
    QTest.mouseClick(status.button, Qt.MouseButton.LeftButton)
    assert live.asked[-1] == "sync_now"

    with qtbot.waitSignal(window.sync.stateChanged):
        live.state("polling")  # a hub without a stream: honest about it
    assert status.text().startswith("● Online · checks every minute")
    window.commands.sync_now.trigger()  # F5
    assert live.asked[-1] == "sync_now"


def test_a_hub_that_is_away_is_explained_with_a_retry_button(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path
) -> None:
    live = live_window(qtbot, tiny_store, tasks, data_dir)
    window, status = window_of(live), window_of(live).sync_status
    error = f"cannot reach the hub {HUB}: [Errno 111] Connection refused"
    with qtbot.waitSignal(window.sync.syncFinished):
        live.report(FakeReport("offline", error=error, problem="unreachable"))
    with qtbot.waitSignal(window.sync.stateChanged):
        live.state("offline", 4.0)
    assert status.text() == "● Offline · retrying in 4 s"
    assert tip(status).startswith("Cannot reach hub.example.com.")
    assert "Errno" not in tip(status)
    QTest.mouseClick(status.label, Qt.MouseButton.LeftButton)  # the line itself is a button
    assert live.asked[-1] == "sync_now"


def test_a_refused_token_reads_in_plain_words_and_offers_sign_in(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path
) -> None:
    """Issue 12: the line read "refused GET /v1/whoami (401…); log in again with
    'agent-assist login'", and clicking it did nothing."""
    live = live_window(qtbot, tiny_store, tasks, data_dir)
    window, status = window_of(live), window_of(live).sync_status
    error = (
        f"hub {HUB} refused GET /v1/whoami (401: token expired); log in again with "
        "'agent-assist login'"
    )
    with qtbot.waitSignal(window.sync.syncFinished):
        live.report(FakeReport("auth_failed", error=error, problem="token_refused"))
    with qtbot.waitSignal(window.sync.stateChanged):
        live.state("waiting", 60.0)
    assert status.state == "auth_failed"
    assert status.text() == "● Sign-in needed"
    assert tip(status).startswith("hub.example.com did not accept your sign-in")
    for words in CLI_WORDS:
        assert words not in tip(status) and words not in status.text()
    assert status.button.isVisible() and status.button.text() == "Sign in again"

    opened: list[tuple[bool, bool]] = []

    def answer_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SettingsDialog):
            QTimer.singleShot(10, answer_dialog)
            return
        opened.append((dialog.isVisible(), dialog.focusWidget() is dialog.editors["hub_url"]))
        dialog.reject()

    QTimer.singleShot(0, answer_dialog)
    with qtbot.waitSignal(window.sync.signInRequested):
        QTest.mouseClick(status.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened))
    assert opened == [(True, True)]  # no hub set yet in this data dir: its URL comes first


def test_no_token_offers_sign_in(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path
) -> None:
    live = live_window(qtbot, tiny_store, tasks, data_dir)
    window, status = window_of(live), window_of(live).sync_status
    error = f"no token for the hub {HUB}: run 'agent-assist login --hub {HUB}'"
    with qtbot.waitSignal(window.sync.syncFinished):
        live.report(FakeReport("auth_failed", error=error, problem="no_token"))
    assert status.text() == "● Sign-in needed"
    assert status.button.text() == "Sign in"
    assert tip(status).startswith("You are not signed in to hub.example.com.")
    assert "agent-assist" not in tip(status)


def test_a_disk_fault_in_the_listener_is_shown_and_retryable(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path
) -> None:
    live = live_window(qtbot, tiny_store, tasks, data_dir)
    window, status = window_of(live), window_of(live).sync_status
    with qtbot.waitSignal(window.sync.stateChanged):
        live.fail(StoreError("cannot write the knowledge cache: the disk is full"))
    assert status.text() == "● Sync stopped"
    assert tip(status) == "cannot write the knowledge cache: the disk is full"
    assert status.button.text() == "Retry now"


def test_closing_the_window_stops_the_listener(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path
) -> None:
    live = live_window(qtbot, tiny_store, tasks, data_dir)
    window_of(live).close()
    assert live.asked[-1] == "stop"


def test_a_plain_http_hub_is_not_called_no_hub(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path
) -> None:
    live = live_window(qtbot, tiny_store, tasks, data_dir)
    window, status = window_of(live), window_of(live).sync_status
    url = "http://10.0.0.5:8750"
    refusal = (
        f"refusing plain http:// to the hub {url}: ... log in with 'agent-assist login "
        "--insecure-http' (or set the insecure_http setting)"
    )
    with qtbot.waitSignal(window.sync.syncFinished):
        live.report(FakeReport("not_configured", error=refusal, hub_url=url))
    with qtbot.waitSignal(window.sync.stateChanged):
        live.state("waiting", 60.0)
    assert status.text() == "● Offline · hub address not secure"
    assert tip(status).startswith("10.0.0.5:8750 has a plain http:// address")
    assert "agent-assist" not in tip(status)
    assert (status.button.text(), status.action) == ("Open Settings", "settings")
