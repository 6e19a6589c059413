"""Hub sync as the window sees it: a round on the network pool, and the online/offline line.

Offline is a normal state (no hub configured, or it cannot be reached): it is shown calmly
with the time of the last good sync, never as an error.  The sync module (and its HTTP
client) is imported on the worker the first time a round runs, so it costs nothing at startup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QWidget

from agent_assist.ui.plain_text import tooltip
from agent_assist.ui.tasks import TaskManager

SYNC_EVERY_MS = 5 * 60_000
STATE_TEXT = {
    "not_configured": "Offline · no hub set",
    "online": "Online",
    "offline": "Offline",
    "syncing": "Syncing…",
    "auth_failed": "Hub sign-in needed",
}


class SyncReportLike(Protocol):
    """What the window reads of :class:`agent_assist.sync.service.SyncReport`."""

    @property
    def state(self) -> str: ...
    @property
    def changed(self) -> list[str]: ...
    @property
    def at(self) -> dt.datetime: ...
    @property
    def error(self) -> str | None: ...


SyncRound = Callable[[], SyncReportLike]


def local_time(at: dt.datetime) -> str:
    return at.astimezone().strftime("%H:%M")


class SyncStatus(QLabel):
    """One line: online/offline and when the last sync succeeded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.setAccessibleName("Sync status")
        self.state = "not_configured"
        self.last_ok: dt.datetime | None = None
        self.show_state("not_configured")

    def show_state(
        self, state: str, at: dt.datetime | None = None, error: str | None = None
    ) -> None:
        self.state = str(state)
        if self.state == "online" and at is not None:
            self.last_ok = at
        text = STATE_TEXT.get(self.state, self.state)
        if self.last_ok is not None and self.state != "syncing":
            text += f" · synced {local_time(self.last_ok)}"
        self.setText(f"● {text}")
        self.setToolTip(tooltip(error or text))
        self.setProperty("state", self.state)
        self.style().unpolish(self)
        self.style().polish(self)


class SyncController(QObject):
    """Runs rounds (now, and every few minutes when a hub is set) and reports them.

    Signals:
        syncFinished(object): a round ended with this report (a ``SyncReportLike``).
    """

    syncFinished = Signal(object)

    def __init__(
        self,
        tasks: TaskManager,
        status: SyncStatus,
        sync_round: SyncRound | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks, self._status, self._round = tasks, status, sync_round
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setInterval(SYNC_EVERY_MS)
        self._timer.timeout.connect(self.on_timer_timeout)

    def start(self, configured: bool) -> None:
        """Sync now and every few minutes when a hub is configured; else stay offline."""
        if configured and self._round is not None:
            self._timer.start()
            self.sync_now()
        else:
            self._status.show_state("not_configured")

    def sync_now(self) -> None:
        if self._round is None or self._busy:
            return
        self._busy = True
        self._status.show_state("syncing")
        self._tasks.run(self._round, self._done, self._failed, network=True)

    def _done(self, report: SyncReportLike) -> None:
        self._busy = False
        self._status.show_state(str(report.state), report.at, report.error)
        self.syncFinished.emit(report)

    def _failed(self, exc: Exception) -> None:
        self._busy = False
        self._status.show_state("offline", error=str(exc))

    @Slot()
    def on_timer_timeout(self) -> None:
        self.sync_now()
