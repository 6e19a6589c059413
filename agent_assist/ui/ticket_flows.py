"""What ties the palette to the ticket, so the records leads' reports are built from are right.

* A checklist runs on a ticket: starting one with no ticket asks for it (the checklist starts
  once the agent starts the ticket), and an id typed in the bar but not started yet is started
  with the checklist.
* One outcome: when a checklist finishes, the ticket bar shows its outcome, which the ticket
  ends with unless the agent changes it.
* "Next ticket" (Ctrl+Shift+N) asks about an unfinished checklist of the ticket (keep it for
  later or discard it), closes a finished one, and clears the search and the SOP shown.

The rules themselves are in :mod:`agent_assist.app.work`; this mixin of
:class:`~agent_assist.ui.main_window.MainWindow` only asks and shows.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtWidgets import QAbstractButton, QMainWindow, QMessageBox

from agent_assist.core.knowledge.models import Sop
from agent_assist.core.worklog.checklist import ChecklistError, ChecklistRun
from agent_assist.core.worklog.events import Outcome
from agent_assist.ui.item_actions import START_KEYS
from agent_assist.ui.item_markdown import WELCOME
from agent_assist.ui.palette_flows import CHECKLIST_PAGE, SEARCH_PAGE, _ignore

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QStackedWidget

    from agent_assist.app.search import Detail
    from agent_assist.app.work import WorkLog
    from agent_assist.ui.checklist_view import ChecklistView
    from agent_assist.ui.detail_view import DetailView
    from agent_assist.ui.item_actions import ItemActions
    from agent_assist.ui.search_field import SearchField
    from agent_assist.ui.tasks import TaskManager
    from agent_assist.ui.ticket_bar import TicketBar

    _Base = QMainWindow
else:
    _Base = object

NEEDS_TICKET = (
    "Which ticket is this for? Type its id in the ticket bar and press Enter: "
    "the checklist starts with it"
)


def _nothing() -> None:
    """Work that only supersedes older work of its key."""


class TicketFlows(_Base):
    """The flows; every attribute used here is created by ``MainWindow.__init__``."""

    _waiting_sop = ""
    """The SOP whose checklist waits for the agent to start a ticket."""

    if TYPE_CHECKING:
        _tasks: TaskManager
        _work: WorkLog
        _detail: Detail | None
        ticket_bar: TicketBar
        checklist: ChecklistView
        item_actions: ItemActions
        detail: DetailView
        pages: QStackedWidget
        search: SearchField
        checklistShown: SignalInstance

        def _end_search(self) -> None: ...

    # -- a checklist runs on a ticket -------------------------------------------------------
    def start_checklist(self) -> bool:
        """Start (or resume) the checklist of the SOP shown, on the ticket in the bar (started
        with it when typed but not started yet); refused while the SOP awaits an ack.  With no
        ticket at all, the agent is asked for one and the checklist starts with it."""
        detail = self._detail
        if detail is None or not isinstance(detail.item.content, Sop):
            return False
        if detail.needs_ack:
            self.statusBar().showMessage("Acknowledge this version before running it", 8000)
            self.item_actions.ack_button.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        ticket = self._ticket()
        if not ticket:
            self._waiting_sop = detail.item.id
            self.statusBar().showMessage(NEEDS_TICKET, 15_000)
            self.ticket_bar.ticket.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        self._waiting_sop = ""
        current = self.checklist.run
        if current is not None and not current.is_finished and current.sop.id == detail.item.id:
            if current.ticket != ticket:  # parked on an earlier ticket: continue on this one
                current.ticket = ticket
                self._record_start(current)
            self._show_run(current)
            return True
        try:
            run = ChecklistRun.start(
                detail.item.content, detail.item.version, self._work.clock, ticket
            )
        except ChecklistError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return False
        self._record_start(run)
        self._show_run(run)
        return True

    def _ticket(self) -> str:
        """The running ticket, else the id typed in the bar (the checklist starts it)."""
        state = self.ticket_bar.state
        return state.ticket if state else self.ticket_bar.ticket.text().strip()

    def _record_start(self, run: ChecklistRun) -> None:
        snapshot = ChecklistRun.from_json(run.to_json())
        self._tasks.run(
            partial(self._work.checklist_started, snapshot),
            self.ticket_bar.show_state,
            partial(self._checklist_refused, run),
        )

    def _checklist_refused(self, run: ChecklistRun, exc: Exception) -> None:
        """The run could not be recorded (say, a ticket id the log refuses): it is not run."""
        if self.checklist.run is run:
            self.checklist.close_run()
            self.pages.setCurrentIndex(SEARCH_PAGE)
        self.statusBar().showMessage(str(exc), 15_000)

    def _show_run(self, run: ChecklistRun) -> None:
        self.pages.setCurrentIndex(CHECKLIST_PAGE)  # first: a hidden step cannot take focus
        self.checklist.show_run(run)
        self.checklistShown.emit()

    def _resume_run(self, run: ChecklistRun | None) -> None:
        """The run left by the last session: back on screen when its ticket is still the one
        in the bar, else kept (parked) for Ctrl+Shift+C on its SOP."""
        if run is None:
            return
        state = self.ticket_bar.state
        if run.ticket and (state is None or state.ticket != run.ticket):
            self.checklist.run = run
            self.statusBar().showMessage(
                f"The checklist of “{run.sop.title}” is kept: {START_KEYS} on its SOP resumes it",
                8000,
            )
            return
        self._show_run(run)
        self.statusBar().showMessage(f"Resumed the checklist of “{run.sop.title}”", 8000)

    # -- next ticket -------------------------------------------------------------------------
    def next_ticket(self) -> None:
        """End the ticket and clear the window for the next one.  This ticket's unfinished
        checklist is kept for later or discarded, as the agent answers; a finished one is
        closed."""
        state = self.ticket_bar.state
        if state is None:
            return
        run = self.checklist.run
        if run is None or run.is_finished or run.ticket not in ("", state.ticket):
            self._next_ticket(discard=False)
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Next ticket",
            f"The checklist of “{run.sop.title}” is not finished.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("unfinishedChecklist")
        box.setInformativeText(
            f"Keep it to finish later ({START_KEYS} on its SOP resumes it), or discard it? "
            f"Ticket {state.ticket} ends {self.ticket_bar.outcome.currentText().lower()}."
        )
        keep = box.addButton("Keep for later", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button: QAbstractButton) -> None:
            self.activateWindow()  # the keyboard comes back to the panel, not to nowhere
            if button in (keep, discard):
                self._next_ticket(discard=button is discard)

        box.buttonClicked.connect(answered)
        box.open()

    def _next_ticket(self, discard: bool) -> None:
        run = self.checklist.run
        if run is not None and (discard or run.is_finished):
            self.checklist.close_run()
        elif run is not None:
            self.checklist.park()
        ticket = self._ticket()
        outcome = self.ticket_bar.outcome.currentText().lower()
        self._end_search()  # logged on this ticket, before it ends
        self.ticket_bar.end_ticket(discard_run=discard)
        self._clear_for_next()
        self.statusBar().showMessage(f"Ticket {ticket} ended: {outcome}", 8000)

    def _clear_for_next(self) -> None:
        """Nothing of the last customer stays on screen: their words, their SOP, its
        deadline."""
        self._waiting_sop = ""
        self.pages.setCurrentIndex(SEARCH_PAGE)
        self.search.clear()
        self._detail = None
        self._tasks.run(_nothing, _ignore, key="detail")  # drops a detail still on its way
        self.detail.show_markdown(WELCOME)
        self.item_actions.show_detail(None)
        self.item_actions.received.setDate(QDate.currentDate())

    # -- slots -------------------------------------------------------------------------------
    @Slot(str)
    def on_checklist_runFinished(self, outcome: str) -> None:
        self.pages.setCurrentIndex(SEARCH_PAGE)
        self.ticket_bar.show_outcome(Outcome(outcome))  # the ticket's outcome, still changeable
        self.statusBar().showMessage(
            f"Checklist finished: {outcome}. The ticket ends {outcome} unless you change it",
            10_000,
        )
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot(str)
    def on_ticketBar_ticketChanged(self, ticket: str) -> None:
        waiting, self._waiting_sop = self._waiting_sop, ""
        detail = self._detail
        if ticket and waiting and detail is not None and detail.item.id == waiting:
            self.start_checklist()
