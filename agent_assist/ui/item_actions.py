"""The bar above an open item: what the agent can do with it next.

For a SOP: the deadline counted from the ticket's received date (when the SOP declares one),
the acknowledgement a ``requires_ack`` SOP asks for, and the prominent "Start checklist".
For a macro: "Fill reply".
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QSize, Signal, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QDateEdit,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from agent_assist.app.search import Detail
from agent_assist.core.knowledge.models import Deadline, Sop
from agent_assist.ui.plain_text import plain_label

START_KEYS = "Ctrl+Shift+C"
FILL_KEYS = "Ctrl+Shift+R"


def due_text(deadline: Deadline, received: dt.date) -> str:
    label = deadline.label or "Reply"
    due = deadline.due(received)
    if "due" not in label.lower():
        label += " due"
    return f"{label} {due.day} {due:%b %Y}"


class ItemActions(QFrame):
    """Next actions for the item in the detail pane.

    Signals:
        checklistRequested(): start (or resume) this SOP's checklist.
        ackGiven(str, int): the agent acknowledged this SOP version (id, version).
        macroRequested(str): fill this macro (id).
    """

    checklistRequested = Signal()
    ackGiven = Signal(str, int)
    macroRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("itemActions")
        self.detail: Detail | None = None
        self.ack_note = plain_label()
        self.ack_note.setWordWrap(True)
        self.ack_note.setObjectName("deadline")
        self.ack_button = QPushButton("I have read this version")
        self.ack_button.setAccessibleName("Acknowledge this SOP version")
        self.ack_button.setToolTip(
            "Confirm you have read this version (needed before its checklist)"
        )
        self.received_label = QLabel("Ticket received")
        self.received = QDateEdit(QDate.currentDate())
        self.received.setCalendarPopup(True)
        self.received.setDisplayFormat("d MMM yyyy")
        self.received.setAccessibleName("Date the ticket was received")
        self.received_label.setBuddy(self.received)
        self.due = plain_label()
        self.due.setObjectName("deadline")
        self.due.setWordWrap(True)
        self.due.setAccessibleName("Deadline")
        self.start_button = QPushButton("Start checklist")
        self.start_button.setProperty("primary", True)
        self.start_button.setAccessibleName("Start checklist")
        self.start_button.setToolTip(f"Run this SOP's steps one by one ({START_KEYS})")
        self.fill_button = QPushButton("Fill reply…")
        self.fill_button.setProperty("primary", True)
        self.fill_button.setAccessibleName("Fill this reply")
        self.fill_button.setToolTip(f"Fill the placeholders and copy the reply ({FILL_KEYS})")
        # Few rows, so the reading pane below keeps its height (an ack-gated SOP is read
        # before it is acknowledged): one action row, Start only once it can be used.
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.ack_note, 0, 0, 1, 3)
        grid.addWidget(self.ack_button, 1, 0, 1, 3)
        grid.addWidget(self.received_label, 2, 0)
        grid.addWidget(self.received, 2, 1)
        grid.addWidget(self.due, 3, 0, 1, 3)
        grid.addWidget(self.start_button, 4, 0, 1, 3)
        grid.addWidget(self.fill_button, 4, 0, 1, 3)
        grid.setColumnStretch(2, 1)
        self.received.dateChanged.connect(self.on_received_dateChanged)
        self.start_button.clicked.connect(self.on_start_clicked)
        self.fill_button.clicked.connect(self.on_fill_clicked)
        self.ack_button.clicked.connect(self.on_ack_clicked)
        self.show_detail(None)

    def minimumSizeHint(self) -> QSize:
        """Tall enough for the wrapped notes at the current width (a splitter does not ask
        for height-for-width), so a short window squeezes the reading pane, not the buttons."""
        hint = super().minimumSizeHint()
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth() and self.width() > 0:
            hint.setHeight(max(hint.height(), layout.minimumHeightForWidth(self.width())))
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()

    def show_detail(self, detail: Detail | None) -> None:
        self.detail = detail
        content = detail.item.content if detail else None
        sop = content if isinstance(content, Sop) else None
        self.setVisible(detail is not None)
        has_deadline = bool(sop and sop.deadline)
        for widget in (self.received_label, self.received, self.due):
            widget.setVisible(has_deadline)
        gated = bool(detail and detail.needs_ack)
        self.start_button.setVisible(bool(sop and sop.steps) and not gated)
        self.fill_button.setVisible(detail is not None and sop is None)
        self.ack_note.setVisible(gated)
        self.ack_button.setVisible(gated)
        self.start_button.setEnabled(not gated)
        if gated and detail is not None:
            self.ack_note.setText(
                f"Version {detail.item.version} must be acknowledged before its next run."
            )
        self._show_due()

    @property
    def needs_ack(self) -> bool:
        return bool(self.detail and self.detail.needs_ack)

    def _show_due(self) -> None:
        content = self.detail.item.content if self.detail else None
        if isinstance(content, Sop) and content.deadline:
            day = self.received.date()
            received = dt.date(day.year(), day.month(), day.day())
            self.due.setText(due_text(content.deadline, received))

    @Slot(QDate)
    def on_received_dateChanged(self, _: QDate) -> None:
        self._show_due()

    @Slot()
    def on_start_clicked(self) -> None:
        if not self.needs_ack:
            self.checklistRequested.emit()

    @Slot()
    def on_fill_clicked(self) -> None:
        if self.detail is not None:
            self.macroRequested.emit(self.detail.item.id)

    @Slot()
    def on_ack_clicked(self) -> None:
        if self.detail is not None:
            self.ackGiven.emit(self.detail.item.id, self.detail.item.version)
