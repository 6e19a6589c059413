"""Hub sync as the window sees it: the live listener's news, and the status line.

The listener (:class:`agent_assist.app.live.LiveSync`) runs on a thread of its own and applies
the hub's changes there; its callbacks reach this module as queued signals, so the window hears
of it on the main thread only.  The line tells the truth: *live* (the change stream is open),
*connecting*, *online* without a stream (checked every minute), *offline* (with when the next
try is), or *sign-in needed*; each problem in plain words with a button for what helps
("Retry now", "Sign in again").  Offline is a normal state: shown calmly, with the time of the
last good sync.  The listener starts once the window is up, so the first paint never waits.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from agent_assist.app.live import NO_HUB, Trouble, explain
from agent_assist.app.sync import hub_name
from agent_assist.core.errors import AgentAssistError
from agent_assist.ui.fitting import ElidedLabel
from agent_assist.ui.plain_text import tooltip

STATE_TEXT = {
    "not_configured": "Offline · no hub set",
    "connecting": "Connecting to the hub…",
    "live": "Live",
    "polling": "Online · checks every minute",
    "online": "Online",
    "offline": "Offline",
    "auth_failed": "Sign-in needed",
    "insecure": "Offline · hub address not secure",
    "failed": "Sync stopped",
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


class LiveSyncLike(Protocol):
    """What the window uses of :class:`agent_assist.app.live.LiveSync`."""

    def start(
        self,
        on_report: Callable[[SyncReportLike], None],
        on_state: Callable[[str, float | None], None],
        on_failure: Callable[[BaseException], None],
    ) -> None: ...
    def sync_now(self) -> None: ...
    def settings_changed(self) -> None: ...
    def stop(self, timeout: float = 5.0) -> bool: ...


def local_time(at: dt.datetime) -> str:
    return at.astimezone().strftime("%H:%M")


class _ClickableLabel(ElidedLabel):
    """The line: gives way (elided, the whole line in its tooltip) when the bar is narrow."""

    clicked = Signal()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)


class SyncStatus(QWidget):
    """One line: the sync state, when the last sync succeeded, and a button for what helps.

    Signals:
        actionTriggered(str): the agent asked for ``retry``, ``sign_in`` or ``settings``
            (the button, or a click on the line itself).
    """

    actionTriggered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = _ClickableLabel()  # plain text: a hub's name is not markup
        self.label.setObjectName("syncStatus")
        self.label.setAccessibleName("Sync status")
        self.button = QPushButton()
        self.button.setObjectName("syncAction")
        self.button.setAccessibleName("Sync: what helps")
        self.button.setFlat(True)
        self.button.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        self.state = "not_configured"
        self.last_ok: dt.datetime | None = None
        self.retry_at: float | None = None
        self.action: str | None = None
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.on_tick_timeout)
        self.label.clicked.connect(self.on_label_clicked)
        self.button.clicked.connect(self.on_button_clicked)
        self.show_state("not_configured", trouble=explain_state("not_configured"))

    def text(self) -> str:
        return self.label.text()

    def show_state(
        self,
        state: str,
        at: dt.datetime | None = None,
        trouble: Trouble | None = None,
        retry_in: float | None = None,
        detail: str = "",
    ) -> None:
        """Show ``state``; ``at`` is a good sync's time, ``trouble`` what the agent should know
        (and do), ``retry_in`` the seconds until the next try while offline."""
        self.state = str(state)
        if at is not None:
            self.last_ok = at
        self.retry_at = time.monotonic() + retry_in if retry_in is not None else None
        self.action = trouble.action if trouble is not None else None
        label = trouble.button if trouble is not None else None
        self.button.setText(label or "")
        self.button.setAccessibleName(f"Sync: {label}" if label else "Sync: what helps")
        self.button.setVisible(bool(label))
        tip = tooltip(trouble.text if trouble is not None else detail or self._line())
        self.setToolTip(tip)  # the line's own tooltip, when elided, is the whole line
        self.button.setToolTip(tip)
        self.label.setProperty("state", self.state)
        self.label.style().unpolish(self.label)
        self.label.style().polish(self.label)
        if self.retry_at is not None:
            self._tick.start()
        else:
            self._tick.stop()
        self._render()

    def _line(self) -> str:
        text = STATE_TEXT.get(self.state, self.state)
        if self.retry_at is not None:
            left = round(self.retry_at - time.monotonic())
            text += f" · retrying in {left} s" if left > 0 else " · retrying…"
        if self.last_ok is not None:
            text += f" · synced {local_time(self.last_ok)}"
        return text

    def _render(self) -> None:
        self.label.setText(f"● {self._line()}")

    @Slot()
    def on_tick_timeout(self) -> None:
        self._render()

    @Slot()
    def on_label_clicked(self) -> None:
        self.actionTriggered.emit(self.action or "retry")

    @Slot()
    def on_button_clicked(self) -> None:
        if self.action:
            self.actionTriggered.emit(self.action)


def explain_state(state: str, report: SyncReportLike | None = None) -> Trouble | None:
    """What the agent should know in ``state`` (the listener's), given the last round."""
    if report is not None and _state_of(report) == state:
        return explain(report)
    hub = hub_name(str(getattr(report, "hub_url", "") or ""))
    if state == "not_configured":
        return NO_HUB
    if state == "offline":
        return Trouble(
            f"Lost the connection to {hub}. Everything on this computer keeps working; your "
            "updates arrive once it is back.",
            "retry",
            "Retry now",
        )
    return None


def describe_state(state: str, report: SyncReportLike | None) -> str:
    """The tooltip of a state without trouble."""
    hub = hub_name(str(getattr(report, "hub_url", "") or ""))
    return {
        "live": f"Connected to {hub}: your team's updates arrive as soon as they are published.",
        "polling": f"{hub} offers no live updates, so Agent Assist checks every minute.",
        "connecting": f"Connecting to {hub}…",
    }.get(state, "")


class _Bridge(QObject):
    """Carries the listener thread's callbacks to the main thread (queued signals).  It has no
    parent, so it outlives the window for as long as the listener holds it."""

    reported = Signal(object)
    stateChanged = Signal(str, object)
    failed = Signal(object)


class SyncController(QObject):
    """Runs the live listener while the window is open and shows what it does.

    Signals:
        syncFinished(object): a round ended with this report (a ``SyncReportLike``).
        stateChanged(str): the status line now shows this state.
        signInRequested(): the agent asked to sign in, or to set a hub up.
    """

    syncFinished = Signal(object)
    stateChanged = Signal(str)
    signInRequested = Signal()

    def __init__(
        self, status: SyncStatus, live: LiveSyncLike | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._status, self._live = status, live
        self._report: SyncReportLike | None = None
        self._started = False
        self._bridge = _Bridge()
        self._bridge.reported.connect(self.on_bridge_reported)
        self._bridge.stateChanged.connect(self.on_bridge_stateChanged)
        self._bridge.failed.connect(self.on_bridge_failed)
        status.actionTriggered.connect(self.on_status_actionTriggered)

    @property
    def state(self) -> str:
        return self._status.state

    def start(self, configured: bool) -> None:
        """Start listening once the window is up (the first paint never waits for it)."""
        self._show("connecting" if configured and self._live is not None else "not_configured")
        if self._live is not None:
            QTimer.singleShot(0, self._start_live)

    def _start_live(self) -> None:
        if self._live is None or self._started:
            return
        self._started = True
        bridge = self._bridge
        self._live.start(bridge.reported.emit, bridge.stateChanged.emit, bridge.failed.emit)

    def sync_now(self) -> None:
        """A round now (F5, "Retry now"), then the stream again."""
        if self._live is not None:
            self._start_live()
            self._live.sync_now()

    def settings_changed(self) -> None:
        """The hub or the token may have changed: reconnect with them now."""
        if self._live is not None:
            self._live.settings_changed()

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop(2.0)

    def _show(self, state: str, retry_in: float | None = None) -> None:
        report = self._report
        at = report.at if report is not None and str(report.state) == "online" else None
        self._status.show_state(
            state,
            at,
            explain_state(state, report) or _refused(report),
            retry_in,
            describe_state(state, report),
        )
        self.stateChanged.emit(state)

    @Slot(object)
    def on_bridge_reported(self, report: SyncReportLike) -> None:
        self._report = report
        state = _state_of(report)
        if state in ("not_configured", "insecure", "auth_failed", "offline"):
            self._show(state)
        elif state == "online":
            self._show(self._status.state)  # the listener says next what it does: live, ...
        self.syncFinished.emit(report)

    @Slot(str, object)
    def on_bridge_stateChanged(self, state: str, seconds: float | None) -> None:
        if state == "waiting":  # for the agent (a hub, a token): the last round said which
            report = self._report
            state = _state_of(report) if report is not None else "not_configured"
            if state not in ("not_configured", "insecure", "auth_failed"):
                state = "not_configured"
        self._show(state, seconds if state == "offline" else None)

    @Slot(object)
    def on_bridge_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, AgentAssistError):
            raise exc  # a bug in the listener: to the crash handler, on the main thread
        self._status.show_state("failed", trouble=Trouble(str(exc), "retry", "Retry now"))
        self.stateChanged.emit("failed")

    @Slot(str)
    def on_status_actionTriggered(self, action: str) -> None:
        if action == "retry":
            self.sync_now()
        else:
            self.signInRequested.emit()


def _state_of(report: SyncReportLike) -> str:
    """The line's state after ``report``: a hub set but refused as plain http:// is not "no
    hub set"."""
    state = str(report.state)
    if state == "not_configured" and report.error and getattr(report, "hub_url", ""):
        return "insecure"
    return state


def _refused(report: SyncReportLike | None) -> Trouble | None:
    """A round that reached the hub but had part of it refused: worth a tooltip, no button."""
    if report is None or str(report.state) != "online" or not report.error:
        return None
    return explain(report)
