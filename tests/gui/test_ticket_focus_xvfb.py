"""Following the agent's focus on a real X server: a second X client's window is the focused
one (``_NET_ACTIVE_WINDOW`` on the root, as a window manager sets it) and its title changes
as the agent moves between tickets in the browser; the window follows."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest
from pytestqt.qtbot import QtBot

from agent_assist.app.context import AppContext
from agent_assist.ui.active_window import UnsupportedError, X11Titles, open_reader
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.tasks import TaskManager
from agent_assist.ui.ticket_focus import TicketFocus
from tests.gui.fake_desk import COINS, HACKED, FakeConnector, connected_desk
from tests.gui.test_tickets_view import _cache, ctx, open_desk_window, store  # noqa: F401
from tests.gui.xvfb import Xvfb

pytestmark = pytest.mark.xvfb


class Browser:
    """A top-level window of another X client whose title the test sets, focused the way a
    window manager marks it (Xvfb has none)."""

    def __init__(self, display_name: str) -> None:
        from Xlib import X, Xatom, display

        self.display = display.Display(display_name)
        root = self.display.screen().root
        self.window = root.create_window(0, 0, 640, 480, 0, X.CopyFromParent)
        self.window.map()
        atom = self.display.intern_atom
        self._name, self._utf8 = atom("_NET_WM_NAME"), atom("UTF8_STRING")
        root.change_property(atom("_NET_ACTIVE_WINDOW"), Xatom.WINDOW, 32, [self.window.id])
        self.display.sync()

    def title(self, text: str) -> None:
        self.window.change_property(self._name, self._utf8, 8, text.encode())
        self.window.set_wm_name(text.encode("latin-1", "replace"))
        self.display.sync()

    def close(self) -> None:
        self.window.destroy()
        self.display.close()


@pytest.fixture
def browser(xvfb: Xvfb) -> Iterator[Browser]:
    window = Browser(xvfb.display)
    yield window
    window.close()


def test_the_x11_reader_reads_the_focused_title(xvfb: Xvfb, browser: Browser) -> None:
    reader = X11Titles(xvfb.display)
    try:
        browser.title("#3: Reembolso de monedas – Café — Mozilla Firefox")
        assert reader.title() == "#3: Reembolso de monedas – Café — Mozilla Firefox"
        browser.title("Inbox")
        assert reader.title() == "Inbox"
        browser.window.destroy()  # the focused window is gone: no title, no error
        browser.display.sync()
        assert reader.title() == ""
    finally:
        reader.close()


@pytest.fixture
def window(
    qtbot: QtBot,
    ctx: AppContext,  # noqa: F811
    tasks: TaskManager,
    xvfb: Xvfb,
) -> Iterator[MainWindow]:
    window = open_desk_window(qtbot, ctx, tasks, connected_desk(ctx, FakeConnector()))
    panel = window.tickets
    panel.focus.stop()
    panel.focus = TicketFocus(
        window, panel, reader=partial(X11Titles, xvfb.display), interval_ms=50, settle_ms=150
    )
    yield window
    panel.focus.stop()


def test_the_window_follows_the_ticket_in_the_focused_window(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager, browser: Browser
) -> None:
    focus = window.tickets.focus
    browser.title("RT at a glance — Mozilla Firefox")
    focus.apply()
    assert focus.watcher.running
    with qtbot.waitSignal(window.tickets.ticketOpened, timeout=10_000) as opened:
        browser.title("#2: Coins never arrived — Mozilla Firefox")
    assert opened.args == ["rt:2"]
    qtbot.waitUntil(lambda: window.ticket_bar.ticket.text() == "rt:2")
    assert window.search.text() == " ".join(COINS.split())

    with qtbot.waitSignal(window.tickets.ticketOpened, timeout=10_000) as opened:
        browser.title("#1: Account taken over — Mozilla Firefox")
    assert opened.args == ["rt:1"]
    qtbot.waitUntil(lambda: window.ticket_bar.ticket.text() == "rt:1")
    assert window.search.text() == " ".join(HACKED.split())
    qtbot.waitUntil(lambda: tasks.is_idle)
    status = {s.timing.ticket: s.timing.paused for s in window._work.sessions.status()}
    assert status == {"rt:1": False, "rt:2": True}

    # another application, then back to the ticket in hand: nothing switches
    with qtbot.assertNotEmitted(focus.ticketFocused, wait=600):
        browser.title("Inbox (3) - Thunderbird")
    with qtbot.assertNotEmitted(focus.ticketFocused, wait=600):
        browser.title("#1: Account taken over — Mozilla Firefox")
    assert window.ticket_bar.ticket.text() == "rt:1"


def test_following_stops_when_the_setting_is_off(
    qtbot: QtBot, window: MainWindow, browser: Browser
) -> None:
    focus = window.tickets.focus
    window._app_settings.set("follow_focus", False)
    focus.apply()
    assert not focus.watcher.running
    with qtbot.assertNotEmitted(window.tickets.ticketOpened, wait=600):
        browser.title("#2: Coins never arrived — Mozilla Firefox")


@pytest.mark.parametrize(
    ("platform", "why"),
    [("cocoa", "macOS"), ("wayland", "Wayland"), ("offscreen", "no windows to follow")],
)
def test_where_titles_cannot_be_read_it_says_why(platform: str, why: str) -> None:
    with pytest.raises(UnsupportedError, match=why):
        open_reader(platform)
