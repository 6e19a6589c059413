"""The ticket bar: which ticket the agent is on, its running handle time, and its outcome.

The time shown is folded by core from the session's events (wall-clock based, pauses
honoured), so it is right after sleep, a crash or a restart; between reads the bar only adds
the seconds its own monotonic timer saw.

The outcome box shows the outcome the ticket will be recorded with: Resolved for a new ticket,
the checklist's outcome once a checklist finishes on it (:attr:`TicketState.outcome`), or what
the agent picks; "Next ticket" records exactly what it shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from agent_assist.app.work import TicketState, WorkLog, WorkState
from agent_assist.core.worklog.durations import format_seconds
from agent_assist.core.worklog.events import Outcome
from agent_assist.ui.tasks import TaskManager

OUTCOME_LABELS = {
    Outcome.RESOLVED: "Resolved",
    Outcome.ESCALATED: "Escalated",
    Outcome.WAITING: "Waiting on customer",
    Outcome.TRANSFERRED: "Transferred",
}
TICK_MS = 1000
REFRESH_MS = 60_000


def clock_text(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


class TicketBar(QFrame):
    """Start, pause/resume and end the ticket in hand.

    Signals:
        ticketChanged(str): the running ticket is now this one ("" when none).
        ticketEnded(str, str): the agent ended this ticket with this outcome (its value).
    """

    ticketChanged = Signal(str)
    ticketEnded = Signal(str, str)

    def __init__(self, tasks: TaskManager, work: WorkLog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._work = tasks, work
        self._state: TicketState | None = None
        self._since = QElapsedTimer()
        self._watch: re.Pattern[str] | None = None
        self._recorded: Outcome | None = None
        self.next_flow: Callable[[], None] | None = None
        """Set by the window: "Next ticket" calls it instead of ending at once (it parks or
        closes the checklist first, then calls :meth:`end_ticket`)."""
        self.setObjectName("ticketBar")
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.on_tick_timeout)
        self._build()
        self._refresh = QTimer(self)
        self._refresh.setInterval(REFRESH_MS)
        self._refresh.timeout.connect(self.refresh)
        self._refresh.start()
        self.refresh()

    def _build(self) -> None:
        self.ticket = QLineEdit()
        self.ticket.setObjectName("ticketId")
        self.ticket.setPlaceholderText("Ticket id")
        self.ticket.setAccessibleName("Ticket id")
        self.ticket.setToolTip("The ticket you are working on (Ctrl+T starts its timer)")
        self.start_button = QPushButton("Start")
        self.start_button.setAccessibleName("Start timing this ticket")
        self.start_button.setToolTip("Start timing this ticket (Ctrl+T)")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setAccessibleName("Pause or resume the ticket timer")
        self.pause_button.setToolTip("Pause or resume the timer (Ctrl+P)")
        self.timer = QLabel(clock_text(0))
        self.timer.setObjectName("timer")
        self.timer.setAccessibleName("Handle time")
        self.timer.setMinimumWidth(64)
        self.outcome = QComboBox()
        self.outcome.setAccessibleName("Outcome")
        self.outcome.setToolTip("How this ticket ends (a finished checklist sets it)")
        for outcome, label in OUTCOME_LABELS.items():
            self.outcome.addItem(label, outcome.value)
        self.next_button = QPushButton("Next ticket")
        self.next_button.setAccessibleName("End this ticket and start the next")
        self.next_button.setToolTip("End this ticket with the chosen outcome (Ctrl+Shift+N)")
        self.gap = QLabel()
        self.gap.setObjectName("muted")
        self.gap.setWordWrap(True)
        self.count_gap = QPushButton("Co&unt it")
        self.count_gap.setAccessibleName("Count the time while the app was closed")
        self.drop_gap = QPushButton("Do&n't count")
        self.drop_gap.setAccessibleName("Do not count the time while the app was closed")
        # The bar's buttons act on the ticket's clock: they never take the keyboard focus, so
        # a Tab too many and a typed space cannot pause or end a ticket.  Their keys (the
        # window's Ctrl+T, Ctrl+P, Ctrl+Shift+N; Alt+U, Alt+N here) work from anywhere.  The
        # outcome box is no Tab stop either (typed letters would pick an outcome): a click
        # or the window's Ctrl+Shift+O opens it.
        for button in (
            self.start_button,
            self.pause_button,
            self.next_button,
            self.count_gap,
            self.drop_gap,
        ):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.outcome.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.ticket, 0, 0, 1, 2)
        grid.addWidget(self.timer, 0, 2)
        grid.addWidget(self.start_button, 0, 3)
        grid.addWidget(self.pause_button, 0, 3)
        grid.addWidget(self.outcome, 1, 0, 1, 2)
        grid.addWidget(self.next_button, 1, 2, 1, 2)
        self.gap_row = QWidget()
        row = QHBoxLayout(self.gap_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.gap, 1)
        row.addWidget(self.count_gap)
        row.addWidget(self.drop_gap)
        grid.addWidget(self.gap_row, 2, 0, 1, 4)
        grid.setColumnStretch(0, 1)
        self.gap_row.hide()
        self.ticket.returnPressed.connect(self.on_ticket_returnPressed)
        self.start_button.clicked.connect(self.on_start_clicked)
        self.pause_button.clicked.connect(self.on_pause_clicked)
        self.next_button.clicked.connect(self.on_next_clicked)
        self.count_gap.clicked.connect(self.on_countGap_clicked)
        self.drop_gap.clicked.connect(self.on_dropGap_clicked)
        self._show(WorkState(None))

    # -- public ----------------------------------------------------------------------------
    @property
    def state(self) -> TicketState | None:
        return self._state

    def seconds(self) -> float:
        """Handle time now: as core last folded it, plus what the bar's timer saw since."""
        if self._state is None:
            return 0.0
        extra = 0.0 if self._state.paused else self._since.elapsed() / 1000
        return self._state.handle_seconds + extra

    def refresh(self) -> None:
        self._tasks.run(self._work.state, self._show)

    def start_ticket(self) -> None:
        text = self.ticket.text().strip()
        if text and self._state is None:
            self._act(partial(self._work.start, text))
        elif not text:
            self.ticket.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def toggle_pause(self) -> None:
        if self._state is not None:
            self._act(self._work.resume if self._state.paused else self._work.pause)

    def choose_outcome(self) -> None:
        """Open the outcome box from the keyboard (it is no Tab stop); only while a ticket
        runs."""
        if self._state is not None:
            self.outcome.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.outcome.showPopup()

    def next_ticket(self) -> None:
        """End this ticket and clear the bar for the next, through :attr:`next_flow` if set."""
        if self._state is None:
            return
        if self.next_flow is not None:
            self.next_flow()
        else:
            self.end_ticket()

    def end_ticket(self, discard_run: bool = False) -> None:
        """End the ticket with the outcome shown; its unfinished checklist run stays saved
        unless ``discard_run``."""
        if self._state is None:
            return
        outcome = Outcome(self.outcome.currentData())
        end = partial(self._work.end, outcome, self._state.ticket, discard_run=discard_run)
        self._act(end)
        self.ticketEnded.emit(self._state.ticket, outcome.value)
        self.ticket.clear()
        self.show_outcome(None)
        self.ticket.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_outcome(self, outcome: Outcome | None) -> None:
        """Show the outcome the ticket now ends with (``None``: the default, resolved); the
        agent may still change it."""
        self._recorded = outcome
        self.outcome.setCurrentIndex(self.outcome.findData((outcome or Outcome.RESOLVED).value))

    def show_state(self, state: WorkState) -> None:
        """Show ``state`` as returned by a :class:`WorkLog` call made elsewhere."""
        self._show(state)

    def watch_clipboard(self, clipboard: QClipboard | None, pattern: str | None) -> None:
        """Fill the ticket id from copied text matching ``pattern`` (``None``: stop)."""
        self._watch = re.compile(pattern) if pattern else None
        if clipboard is not None:
            clipboard.dataChanged.connect(
                self.on_clipboard_dataChanged, Qt.ConnectionType.UniqueConnection
            )

    def offer_text(self, text: str) -> bool:
        """Take a ticket id out of copied ``text`` when no ticket is running."""
        if self._watch is None or self._state is not None:
            return False
        match = self._watch.search(text)
        if match is None:
            return False
        self.ticket.setText(match.group(0))
        return True

    # -- internals -------------------------------------------------------------------------
    def _act(self, fn: Callable[[], WorkState]) -> None:
        self._tasks.run(fn, self._show)

    def _show(self, state: WorkState) -> None:
        before = self._state.ticket if self._state else ""
        self._state = state.ticket
        self._since.start()
        running = state.ticket is not None
        self.start_button.setVisible(not running)
        self.pause_button.setVisible(running)
        self.next_button.setVisible(running)
        self.outcome.setVisible(running)
        self.ticket.setReadOnly(running)
        if state.ticket is not None:
            self.ticket.setText(state.ticket.ticket)
            self.pause_button.setText("Resume" if state.ticket.paused else "Pause")
        self.timer.setProperty("paused", bool(state.ticket and state.ticket.paused))
        self.timer.style().unpolish(self.timer)
        self.timer.style().polish(self.timer)
        self._show_gap(state)
        self._update_timer()
        if running and not (state.ticket and state.ticket.paused):
            self._tick.start()
        else:
            self._tick.stop()
        after = state.ticket.ticket if state.ticket else ""
        recorded = state.ticket.outcome if state.ticket else None
        if after != before or (recorded is not None and recorded != self._recorded):
            self.show_outcome(recorded)  # not on every refresh: the agent's choice stays
        if after != before:
            self.ticketChanged.emit(after)

    def _show_gap(self, state: WorkState) -> None:
        gap = state.gaps[0] if state.gaps else None
        self._gap_ticket = gap.ticket if gap else ""
        self.gap_row.setVisible(gap is not None)
        if gap is not None:
            self.gap.setText(
                f"Ticket {gap.ticket} kept running while Agent Assist was closed "
                f"({format_seconds(gap.seconds)}). Was that work?"
            )

    def answer_gap(self, counted: bool) -> None:
        if self._gap_ticket:
            self._act(partial(self._work.answer_gap, self._gap_ticket, counted))

    def _update_timer(self) -> None:
        self.timer.setText(clock_text(self.seconds()))

    # -- slots -----------------------------------------------------------------------------
    @Slot()
    def on_tick_timeout(self) -> None:
        self._update_timer()

    @Slot()
    def on_ticket_returnPressed(self) -> None:
        self.start_ticket()

    @Slot()
    def on_start_clicked(self) -> None:
        self.start_ticket()

    @Slot()
    def on_pause_clicked(self) -> None:
        self.toggle_pause()

    @Slot()
    def on_next_clicked(self) -> None:
        self.next_ticket()

    @Slot()
    def on_countGap_clicked(self) -> None:
        self.answer_gap(True)

    @Slot()
    def on_dropGap_clicked(self) -> None:
        self.answer_gap(False)

    @Slot()
    def on_clipboard_dataChanged(self) -> None:
        clipboard = QGuiApplication.clipboard()
        self.offer_text(clipboard.text())
