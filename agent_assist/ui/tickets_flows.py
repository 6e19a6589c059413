"""The ticketing tool in the window: the Tickets page, working on a ticket, ending it.

* The list of the agent's open tickets is read on the network pool (never the GUI thread),
  when the page is shown, when the agent asks again (Ctrl+Shift+M on the page, Refresh), and
  every :data:`REFRESH_MS` in the background while a tool is set up.
* Choosing a ticket (Enter, a double click, "Work on it"; or the focused window, see
  :mod:`agent_assist.ui.ticket_focus`) reads it, makes it the timed ticket (``tool:id``, other
  running tickets paused), puts the customer's latest message in the search, and orders the
  suggestions for the requester's locale (:mod:`agent_assist.app.locales`).
* Ending a ticket of the tool can set its status there (the ``status_on_end`` setting).

Offline and "not connected" are ordinary states, shown on the page and in the status bar.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from agent_assist.app.search import query_from_text
from agent_assist.app.ticket_work import (
    DeskAccess,
    Trouble,
    problem_of,
    set_status_for,
    switch_to,
    ticket_id_of,
    tool_name,
    tool_of,
)
from agent_assist.app.tickets import Ticket, TicketDesk, TicketSummary
from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge.macros import MacroContext
from agent_assist.core.worklog.events import Outcome
from agent_assist.ui.palette_flows import SEARCH_PAGE
from agent_assist.ui.send_to_ticket import SendToTicket
from agent_assist.ui.ticket_focus import TicketFocus
from agent_assist.ui.tickets_view import TicketsView

if TYPE_CHECKING:
    from agent_assist.ui.main_window import MainWindow

log = logging.getLogger(__name__)
REFRESH_MS = 120_000


def _listing(desk: TicketDesk) -> tuple[str, list[TicketSummary]]:
    return tool_of(desk), desk.my_tickets()


def _reading(ref: str, desk: TicketDesk) -> Ticket:
    return desk.show(ref)


class TicketsPanel(QObject):
    """The Tickets page and the ticket in hand, for one main window.

    Signals:
        ticketsListed(int): the page now shows this many tickets, fresh from the tool.
        listFailed(str): the list could not be read (the trouble: offline, not connected, …).
        ticketOpened(str): the agent now works on this ticket (``tool:id``): timed, searched.
        statusSet(str, str): the tool now has this status for this ticket (``tool:id``).
    """

    ticketsListed = Signal(int)
    listFailed = Signal(str)
    ticketOpened = Signal(str)
    statusSet = Signal(str, str)

    def __init__(
        self,
        window: MainWindow,
        desk: Callable[[], TicketDesk],
        refresh_ms: int = REFRESH_MS,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._tasks, self._work = window._tasks, window._work
        self._settings = window._app_settings
        self._requester = window._knowledge.requester
        self.access = DeskAccess(desk)
        self.view = TicketsView()
        window.pages.addWidget(self.view)
        self.page = window.pages.indexOf(self.view)
        self.tickets: list[TicketSummary] = []
        self.current: Ticket | None = None
        """The ticket the agent works on, as last read from the tool."""
        self._listing = False
        self._timer = QTimer(self)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self.on_timer_timeout)
        self.view.ticketChosen.connect(self.on_view_ticketChosen)
        self.view.refreshRequested.connect(self.refresh)
        self.view.closed.connect(self.on_view_closed)
        window.commands.tickets.triggered.connect(self.on_tickets_triggered)
        window.ticket_bar.ticketChanged.connect(self.on_ticketBar_ticketChanged)
        window.ticket_bar.ticketEnded.connect(self.on_ticketBar_ticketEnded)
        self.focus = TicketFocus(window, self)
        self.send_to_ticket = SendToTicket(window, self)
        if self._settings.ticketing_tool:
            self._timer.start()
            QTimer.singleShot(0, self.refresh)  # after the window is up, on the network pool

    # -- public ------------------------------------------------------------------------------
    @property
    def tool(self) -> str:
        return self._settings.ticketing_tool

    def show_page(self) -> None:
        """Show the page (reading the list again); shown already: read it again."""
        window = self._window
        if window.pages.currentIndex() != self.page:
            window.pages.setCurrentIndex(self.page)
        self.view.list.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.refresh()

    def refresh(self) -> None:
        if self._listing:
            return
        self._listing = True
        self.view.show_loading()
        self._tasks.run(
            partial(self.access, _listing), self._listed, self._list_failed, network=True
        )

    def open_ticket(self, ticket_id: str) -> None:
        """Work on ticket ``ticket_id`` of the connected tool: read it, time it, search."""
        ref = f"{self.tool}:{ticket_id}" if self.tool else ticket_id
        self._window.statusBar().showMessage(f"Opening ticket #{ticket_id}…", 5000)
        self._tasks.run(
            partial(self.access, partial(_reading, ref)),
            self._opened,
            self._open_failed,
            key="ticket-open",
            network=True,
        )

    def current_key(self) -> str | None:
        return self.current.summary.ref if self.current is not None else None

    def in_hand(self) -> Ticket | None:
        """The current ticket when it is the one the ticket bar times (else None: the agent
        typed another ticket, or ended it)."""
        state = self._window.ticket_bar.state
        if self.current is None or state is None or state.ticket != self.current.summary.ref:
            return None
        return self.current

    def macro_context(self, base: MacroContext) -> MacroContext:
        """``base`` with what the tool says of the ticket in hand (the requester's name, the
        subject, the tool's own ticket number)."""
        ticket = self.in_hand()
        if ticket is None:
            return base
        summary = ticket.summary
        return dataclasses.replace(
            base,
            ticket_id=summary.id,
            requester_name=summary.requester_name,
            ticket_subject=summary.subject,
        )

    # -- internals ---------------------------------------------------------------------------
    def _listed(self, listing: tuple[str, list[TicketSummary]]) -> None:
        self._listing = False
        tool, tickets = listing
        self.tickets = tickets
        self.view.show_tickets(tool, tickets, dt.datetime.now(dt.UTC))
        if not self._timer.isActive():
            self._timer.start()
        self.ticketsListed.emit(len(tickets))

    def _list_failed(self, exc: AgentAssistError) -> None:
        self._listing = False
        problem = problem_of(exc)
        self.view.show_problem(problem)
        if problem.trouble is Trouble.NOT_CONNECTED:
            self._timer.stop()
        self.listFailed.emit(problem.trouble.value)

    def _opened(self, ticket: Ticket) -> None:
        window = self._window
        summary = ticket.summary
        self.current = ticket
        self._requester.locale = summary.requester_locale
        window._end_search()  # an unanswered search belongs to the ticket it was made on
        self._tasks.run(partial(switch_to, self._work, summary.ref), window.ticket_bar.show_state)
        query = query_from_text(ticket.latest_customer_text)
        window.pages.setCurrentIndex(SEARCH_PAGE)
        if window.search.text() == query:
            window.refresh_in_place()  # same words: ordered for this requester all the same
        else:
            window.set_query(query)
        window.search.setCursorPosition(0)  # the message's first words in view
        window.search.setFocus(Qt.FocusReason.OtherFocusReason)
        locale = f" ({summary.requester_locale})" if summary.requester_locale else ""
        what = "suggestions for the latest customer message" if query else "no customer message"
        window.statusBar().showMessage(
            f"{tool_name(summary.tool)} #{summary.id} · {summary.requester_name}{locale}: {what}",
            10_000,
        )
        self.ticketOpened.emit(summary.ref)

    def _open_failed(self, exc: AgentAssistError) -> None:
        self._window.statusBar().showMessage(f"Ticket not opened: {problem_of(exc).text}", 15_000)

    def _status_set(self, key: str, status: str | None) -> None:
        if status is not None:
            self._window.statusBar().showMessage(f"Ticket {key} is now {status} in the tool", 8000)
            self.statusSet.emit(key, status)

    def _status_failed(self, key: str, exc: AgentAssistError) -> None:
        self._window.statusBar().showMessage(
            f"The status of {key} was not set: {problem_of(exc).text}", 15_000
        )

    # -- slots -------------------------------------------------------------------------------
    @Slot()
    def on_tickets_triggered(self) -> None:
        self.show_page()

    @Slot()
    def on_timer_timeout(self) -> None:
        self.refresh()

    @Slot(object)
    def on_view_ticketChosen(self, summary: TicketSummary) -> None:
        self.open_ticket(summary.id)

    @Slot()
    def on_view_closed(self) -> None:
        self._window.on_focusShortcut_activated()

    @Slot(str)
    def on_ticketBar_ticketChanged(self, ticket: str) -> None:
        if ticket != self.current_key():
            self._requester.locale = None  # another ticket (or none): no requester known

    @Slot(str, str)
    def on_ticketBar_ticketEnded(self, key: str, outcome: str) -> None:
        if key == self.current_key():
            self.current = None
            self._requester.locale = None
        if not self._settings.status_on_end or ticket_id_of(key, self.tool) is None:
            return
        self._tasks.run(
            partial(self.access, partial(_set_status, key, Outcome(outcome))),
            partial(self._status_set, key),
            partial(self._status_failed, key),
            network=True,
        )


def _set_status(key: str, outcome: Outcome, desk: TicketDesk) -> str | None:
    return set_status_for(desk, key, outcome)
