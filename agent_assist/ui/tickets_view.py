"""The Tickets page: the agent's open tickets in the connected ticketing tool.

A plain list with one row per ticket (number, subject, requester, status, last update) and a
line above it that says plainly where the list stands: loading, how many, offline (the last
list stays, marked with its time), or not connected (with the command that connects).  The
page only shows and asks; :mod:`agent_assist.ui.tickets_flows` fetches and acts.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from agent_assist.app.ticket_work import CONNECT_HINT, Problem, Trouble, tool_name
from agent_assist.app.tickets import TicketSummary
from agent_assist.ui.plain_text import plain_label

COLUMNS = ("#", "Subject", "Requester", "Status", "Updated")
ID, SUBJECT, REQUESTER, STATUS, UPDATED = range(len(COLUMNS))
NOT_CONNECTED = f"Not connected to a ticketing tool: {CONNECT_HINT}"
_Index = QModelIndex | QPersistentModelIndex


def updated_text(updated: dt.datetime, now: dt.datetime) -> str:
    """Short local time of the last update: ``14:05`` today, ``12 Mar`` this year, else
    ``12 Mar 2024``."""
    local, today = updated.astimezone(), now.astimezone()
    if local.date() == today.date():
        return f"{local:%H:%M}"
    if local.year == today.year:
        return f"{local.day} {local:%b}"
    return f"{local.day} {local:%b %Y}"


class TicketsModel(QAbstractTableModel):
    """The tickets, one per row, in the order the tool gave them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tickets: list[TicketSummary] = []
        self._now = dt.datetime.now(dt.UTC)

    def set_tickets(self, tickets: list[TicketSummary], now: dt.datetime) -> None:
        self.beginResetModel()
        self.tickets, self._now = list(tickets), now
        self.endResetModel()

    def ticket_at(self, index: _Index) -> TicketSummary | None:
        if not index.isValid() or not 0 <= index.row() < len(self.tickets):
            return None
        return self.tickets[index.row()]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.tickets)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        ticket = self.ticket_at(index)
        if ticket is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                ticket.id,
                ticket.subject,
                ticket.requester_name,
                ticket.status,
                updated_text(ticket.updated, self._now),
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            locale = f" ({ticket.requester_locale})" if ticket.requester_locale else ""
            when = f"{ticket.updated.astimezone():%d %b %Y %H:%M}"
            return f"#{ticket.id} {ticket.subject}\n{ticket.requester_name}{locale} · {when}"
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (ID, UPDATED):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None


class TicketsView(QFrame):
    """The list of the agent's open tickets.

    Signals:
        ticketChosen(object): work on this ticket (a ``TicketSummary``): Enter, a double
            click or "Work on it".
        refreshRequested(): read the list again.
        closed(): the agent left the page (Esc, Back).
    """

    ticketChosen = Signal(object)
    refreshRequested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketsView")
        self.heading = plain_label("My open tickets")
        self.heading.setObjectName("stepTitle")
        self.state = plain_label()
        self.state.setObjectName("ticketsState")
        self.state.setWordWrap(True)
        self.state.setAccessibleName("Ticket list status")
        self.model = TicketsModel(self)
        self.list = QTreeView()
        self.list.setObjectName("ticketList")
        self.list.setModel(self.model)
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAllColumnsShowFocus(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setAccessibleName("My open tickets")
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SUBJECT, QHeaderView.ResizeMode.Stretch)
        self.back_button = QPushButton("Back")
        self.back_button.setAccessibleName("Leave the ticket list")
        self.back_button.setToolTip("Back to the search (Esc)")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setAccessibleName("Read my open tickets again")
        self.refresh_button.setToolTip("Read the list again (Ctrl+Shift+M)")
        self.choose_button = QPushButton("Work on it")
        self.choose_button.setProperty("primary", True)
        self.choose_button.setAccessibleName("Work on the selected ticket")
        self.choose_button.setToolTip(
            "Start its timer and search with the customer's latest message (Enter)"
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.choose_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.heading)
        layout.addWidget(self.state)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.list.activated.connect(self.on_list_activated)
        self.choose_button.clicked.connect(self.on_choose_clicked)
        self.refresh_button.clicked.connect(self.refreshRequested)
        self.back_button.clicked.connect(self.closed)
        self.trouble: Trouble | None = None
        self._shown_at: dt.datetime | None = None
        self.show_loading()

    # -- states ----------------------------------------------------------------------------
    def show_loading(self) -> None:
        if self._shown_at is None:
            self.state.setText("Reading your open tickets…")
        else:
            self.state.setText(
                f"Reading your open tickets again… (the list below is from "
                f"{self._shown_at.astimezone():%H:%M})"
            )
        self.choose_button.setEnabled(bool(self.model.tickets))

    def show_tickets(self, tool: str, tickets: list[TicketSummary], now: dt.datetime) -> None:
        """The list as the tool gave it at ``now``; the first ticket selected."""
        keep = self.current()
        self.trouble, self._shown_at = None, now
        self.heading.setText(f"My open tickets · {tool_name(tool)}")
        self.model.set_tickets(tickets, now)
        count = len(tickets)
        self.state.setText(
            f"{count} open ticket{'' if count == 1 else 's'} assigned to you"
            if count
            else "No open tickets are assigned to you"
        )
        at = next((i for i, t in enumerate(tickets) if keep and t.ref == keep.ref), 0)
        if tickets:
            self.list.setCurrentIndex(self.model.index(at, 0))
        self.choose_button.setEnabled(bool(tickets))

    def show_problem(self, problem: Problem) -> None:
        """Say why the list could not be read; a list read earlier stays, with its time."""
        self.trouble = problem.trouble
        if problem.trouble is Trouble.NOT_CONNECTED:
            self.model.set_tickets([], dt.datetime.now(dt.UTC))
            self._shown_at = None
            self.heading.setText("My open tickets")
            self.state.setText(NOT_CONNECTED)
        elif self._shown_at is not None:
            said = problem.text.rstrip(".")
            self.state.setText(f"{said}. The list is from {self._shown_at.astimezone():%H:%M}.")
        else:
            self.state.setText(problem.text)
        self.choose_button.setEnabled(bool(self.model.tickets))

    def current(self) -> TicketSummary | None:
        return self.model.ticket_at(self.list.currentIndex())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.closed.emit()
        else:
            super().keyPressEvent(event)

    # -- slots -----------------------------------------------------------------------------
    @Slot(QModelIndex)
    def on_list_activated(self, index: QModelIndex) -> None:
        ticket = self.model.ticket_at(index)
        if ticket is not None:
            self.ticketChosen.emit(ticket)

    @Slot()
    def on_choose_clicked(self) -> None:
        ticket = self.current()
        if ticket is not None:
            self.ticketChosen.emit(ticket)
