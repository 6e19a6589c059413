"""Follow the agent's focus: when the window they are in shows another ticket of the connected
tool, that ticket becomes the one in hand (the ``follow_focus`` setting, on by default).

A thread of its own (:class:`FocusWatcher`) asks the desktop for the focused window's title
every :data:`POLL_MS` (:mod:`agent_assist.ui.active_window`: two small X11 round trips, or
one Win32 call) and reports changes only; the GUI thread never waits on the desktop.  A title
must stay for :data:`SETTLE_MS` before the app acts on it, so tabbing through windows on the
way to another one switches nothing.  Which ticket a title shows is decided by
:func:`agent_assist.app.focus.ticket_in_title`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication

from agent_assist.app.focus import FocusPatternError, OpenTicket, custom_pattern, ticket_in_title
from agent_assist.ui.active_window import TitleReader, UnsupportedError, open_reader

if TYPE_CHECKING:
    from agent_assist.ui.main_window import MainWindow
    from agent_assist.ui.tickets_flows import TicketsPanel

log = logging.getLogger(__name__)
POLL_MS = 500
SETTLE_MS = 700


class FocusWatcher(QObject):
    """Reports the focused window's title when it changes, from a thread of its own.

    Signals:
        titleChanged(str): the focused window's title is now this ("" when none).
        unavailable(str): titles cannot be read here; why.
    """

    titleChanged = Signal(str)
    unavailable = Signal(str)

    def __init__(
        self,
        reader: Callable[[], TitleReader],
        interval_ms: int = POLL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._reader, self._interval = reader, interval_ms / 1000
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="focus-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)

    def _run(self) -> None:
        try:
            reader = self._reader()
        except UnsupportedError as exc:
            self.unavailable.emit(str(exc))
            return
        last: str | None = None
        try:
            while not self._stop.is_set():
                title = reader.title()
                if title != last:
                    last = title
                    self.titleChanged.emit(title)
                self._stop.wait(self._interval)
        except Exception as exc:  # the X server went away: say so once, stop following
            log.warning("stopped following the focused window: %s", exc)
            self.unavailable.emit(f"the focused window can no longer be read: {exc}")
        finally:
            reader.close()


class TicketFocus(QObject):
    """Switch to the ticket the focused window shows.

    Signals:
        ticketFocused(str): the focused window has shown this ticket id (of the connected
            tool) for long enough: the app now opens it.
    """

    ticketFocused = Signal(str)

    def __init__(
        self,
        window: MainWindow,
        panel: TicketsPanel,
        reader: Callable[[], TitleReader] | None = None,
        interval_ms: int = POLL_MS,
        settle_ms: int = SETTLE_MS,
    ) -> None:
        super().__init__(panel)
        self._window, self._panel = window, panel
        self._settings = window._app_settings
        self.problem = ""
        """Why the focus is not followed although the setting asks for it ("" when it is)."""
        self._title = ""
        opener = reader or partial(open_reader, QGuiApplication.platformName())
        self.watcher = FocusWatcher(opener, interval_ms, self)
        self.watcher.titleChanged.connect(self.on_watcher_titleChanged)
        self.watcher.unavailable.connect(self.on_watcher_unavailable)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(settle_ms)
        self._settle.timeout.connect(self.on_settle_timeout)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.watcher.stop)

    def apply(self) -> None:
        """Follow the focus when the setting says so and a tool is set up; else stop."""
        if self._settings.follow_focus and self._settings.ticketing_tool:
            self.watcher.start()
        else:
            self.watcher.stop()

    def stop(self) -> None:
        self._settle.stop()
        self.watcher.stop()

    def ticket_in(self, title: str) -> str | None:
        """The id of the connected tool's ticket that ``title`` shows, or None."""
        tool = self._panel.tool
        if not tool:
            return None
        try:
            pattern = custom_pattern(self._settings.focus_pattern)
        except FocusPatternError as exc:  # the tool's own patterns still work
            self._window.statusBar().showMessage(str(exc), 10_000)
            pattern = None
        listed = [OpenTicket(t.id, t.subject) for t in self._panel.tickets]
        return ticket_in_title(tool, title, listed, pattern)

    # -- slots -------------------------------------------------------------------------------
    @Slot(str)
    def on_watcher_titleChanged(self, title: str) -> None:
        self._title = title
        self._settle.start()

    @Slot(str)
    def on_watcher_unavailable(self, why: str) -> None:
        self.problem = why
        log.info("not following the focused window: %s", why)

    @Slot()
    def on_settle_timeout(self) -> None:
        if not self._settings.follow_focus:
            return
        ticket_id = self.ticket_in(self._title)
        if ticket_id is None:
            return  # another window (this one, a mail client): the ticket in hand stays
        key = f"{self._panel.tool}:{ticket_id}"
        state = self._window.ticket_bar.state
        if state is not None and state.ticket == key and self._panel.current_key() == key:
            return
        self._panel.open_ticket(ticket_id)
        self.ticketFocused.emit(ticket_id)
