"""Send to ticket: post the filled macro to the ticket in hand, as a reply or internal note.

Beside Copy reply in the macro form, shown while the ticket in hand is a ticket of the
connected tool (chosen in the Tickets list, or followed from the focused window).  Nothing is
posted without a confirmation that shows exactly what will be posted and where: the tool,
the ticket number and subject, the requester, public or internal, and the text itself, which
is the very string posted.  Posting runs on the network pool.  When it cannot be posted
(offline, refused) the form stays filled, the reply goes to the clipboard, and the agent is
told why, so the reply is one paste away.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from agent_assist.app.ticket_work import post, problem_of, record_sent, tool_name
from agent_assist.app.tickets import Ticket, TicketDesk
from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge import macros
from agent_assist.ui.palette_flows import _ignore
from agent_assist.ui.plain_text import plain_label
from agent_assist.ui.shortcuts import keys

if TYPE_CHECKING:
    from agent_assist.ui.main_window import MainWindow
    from agent_assist.ui.tickets_flows import TicketsPanel


class ConfirmSend(QDialog):
    """What will be posted, and where; the agent picks reply or internal note."""

    def __init__(self, ticket: Ticket, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        summary = ticket.summary
        self.setObjectName("confirmSend")
        self.setWindowTitle("Send to ticket")
        self.where = plain_label()
        self.where.setObjectName("stepTitle")
        self.where.setWordWrap(True)
        self.subject = plain_label(f"“{summary.subject}” · {summary.requester_name}")
        self.subject.setWordWrap(True)
        self.reply = QRadioButton("&Public reply: the customer gets it")
        self.note = QRadioButton("&Internal note: only agents see it")
        self.reply.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.reply)
        group.addButton(self.note)
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        self.text.setObjectName("preview")
        self.text.setAccessibleName("Exactly what will be posted")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.post_button = self.buttons.addButton("Post", QDialogButtonBox.ButtonRole.AcceptRole)
        self.post_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(self.subject)
        layout.addWidget(self.reply)
        layout.addWidget(self.note)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._tool, self._id = tool_name(summary.tool), summary.id
        self.reply.toggled.connect(self.on_reply_toggled)
        self.on_reply_toggled(True)
        self.resize(440, 420)

    @property
    def internal(self) -> bool:
        return self.note.isChecked()

    def describe(self) -> str:
        """Where it goes, in one line (the dialog's heading)."""
        what = "an internal note on" if self.internal else "a public reply to"
        return f"Post {what} {self._tool} ticket #{self._id}"

    @Slot(bool)
    def on_reply_toggled(self, _: bool) -> None:
        self.where.setText(self.describe())
        self.post_button.setText("Add internal note" if self.internal else "Post reply")


class SendToTicket(QObject):
    """The macro form's "Send to ticket" button and what it does.

    Signals:
        confirmAsked(object): the confirmation is open (the ``ConfirmSend`` dialog).
        macroSent(str): the filled reply of this macro (id) was posted to the ticket.
        sendFailed(str): it was not posted; why (the reply is on the clipboard).
    """

    confirmAsked = Signal(object)
    macroSent = Signal(str)
    sendFailed = Signal(str)

    def __init__(self, window: MainWindow, panel: TicketsPanel) -> None:
        super().__init__(panel)
        self._window, self._panel = window, panel
        self._tasks, self._work = window._tasks, window._work
        form = self.form = window.macro_form
        self.button = QPushButton("Send to ticket…")
        self.button.setAccessibleName("Send the filled reply to the ticket")
        self.button.setToolTip(
            "Post it to the ticket as a reply or internal note; you see exactly what goes "
            "where first (Ctrl+Shift+Enter)"
        )
        form.button_row.insertWidget(form.button_row.indexOf(form.copy_button), self.button)
        for sequence in keys("send_reply"):
            shortcut = QShortcut(QKeySequence(sequence), form)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.on_button_clicked)
        self.button.clicked.connect(self.on_button_clicked)
        form.copy_button.installEventFilter(self)  # Send is possible exactly when Copy is
        window.macroShown.connect(self.on_window_macroShown)
        window.ticket_bar.ticketChanged.connect(self.on_ticketBar_ticketChanged)
        self._sending = False
        self.refresh_button()

    def refresh_button(self) -> None:
        self.button.setVisible(self._panel.in_hand() is not None)
        self.button.setEnabled(self.form.copy_button.isEnabled() and not self._sending)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.EnabledChange:
            self.refresh_button()
        return False

    def send(self) -> ConfirmSend | None:
        """Ask to post the filled reply; returns the open confirmation (None: nothing to
        send, and the form says why)."""
        form, ticket = self.form, self._panel.in_hand()
        if form.macro is None or ticket is None or self._sending:
            return None
        if form.problems():
            form.copy()  # points at the first field still wrong, copies nothing
            return None
        text = macros.render(form.macro, form.specs, form.values())
        dialog = ConfirmSend(ticket, text, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        macro_id = form.macro.id
        dialog.accepted.connect(partial(self._post, ticket, macro_id, text, dialog))
        dialog.open()
        self.confirmAsked.emit(dialog)
        return dialog

    def _post(self, ticket: Ticket, macro_id: str, text: str, dialog: ConfirmSend) -> None:
        internal, where = dialog.internal, dialog.describe()
        self._sending = True
        self.refresh_button()
        self.form.problem.setText(f"Posting… ({where})")
        ticket_id = ticket.summary.id

        def posting(desk: TicketDesk) -> None:
            post(desk, ticket_id, text, internal)

        self._tasks.run(
            partial(self._panel.access, posting),
            partial(self._posted, ticket.summary.ref, macro_id, where),
            partial(self._not_posted, macro_id, text),
            network=True,
        )

    def _posted(self, key: str, macro_id: str, where: str, _: None) -> None:
        self._sending = False
        self.refresh_button()
        self._tasks.run(partial(record_sent, self._work, key, macro_id), _ignore)
        done = where.replace("Post ", "Posted ", 1)
        self.form.problem.setText(f"{done}.")
        self._window.statusBar().showMessage(f"{done}.", 8000)
        self.macroSent.emit(macro_id)

    def _not_posted(self, macro_id: str, text: str, exc: AgentAssistError) -> None:
        self._sending = False
        self.refresh_button()
        QGuiApplication.clipboard().setText(text)
        self._tasks.run(partial(self._work.macro_copied, macro_id), _ignore)
        why = problem_of(exc).text
        message = f"Not posted ({why}). The reply is on the clipboard: paste it into the ticket."
        self.form.problem.setText(message)
        self._window.statusBar().showMessage(message, 15_000)
        self.sendFailed.emit(why)

    # -- slots -------------------------------------------------------------------------------
    @Slot()
    def on_button_clicked(self) -> None:
        self.send()

    @Slot(str)
    def on_window_macroShown(self, _: str) -> None:
        self.refresh_button()

    @Slot(str)
    def on_ticketBar_ticketChanged(self, _: str) -> None:
        self.refresh_button()
