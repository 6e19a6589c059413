"""The ticket in hand as the desktop app works it: the pieces of the ticketing use cases
(:mod:`agent_assist.app.tickets`) split by where they must run (no Qt).

The app runs network work on its parallel pool and every use of the knowledge cache and the
event log on its one serialized worker (SQLite connections are not shared between threads).
:meth:`TicketDesk.reply <agent_assist.app.tickets.TicketDesk.reply>` does both in one call,
which suits the command line; here each function does one kind of work:

* network: :func:`post`, :func:`set_status_for` (through :class:`DeskAccess`, one call at a
  time on the one connector);
* serialized worker: :func:`switch_to`, :func:`record_sent`.

A ticket of the connected tool is timed under its reference ``tool:id`` (``rt:123``), as the
command line times it, so the same ticket is one session whichever front-end touched it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from agent_assist.app.tickets import NotConnectedError, Status, TicketDesk
from agent_assist.app.work import WorkLog, WorkState
from agent_assist.connectors.base import ConnectorAuthError, ConnectorOfflineError
from agent_assist.connectors.registry import TOOLS
from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.worklog.events import Outcome

T = TypeVar("T")

STATUS_FOR_OUTCOME: dict[Outcome, Status] = {
    Outcome.RESOLVED: "resolved",
    Outcome.WAITING: "pending",
    Outcome.ESCALATED: "open",
    Outcome.TRANSFERRED: "open",
}
"""The ticket's status in the tool when its session ends with an outcome (the
``status_on_end`` setting): escalated and transferred tickets stay open, for whoever has
them next."""


class Trouble(StrEnum):
    """Why the tool could not answer, as the Tickets view shows it."""

    NOT_CONNECTED = "not connected"
    OFFLINE = "offline"
    REFUSED = "refused"
    FAILED = "failed"


@dataclass(frozen=True)
class Problem:
    trouble: Trouble
    text: str


CONNECT_HINT = "connect with `agent-assist connect rt|zendesk|freshdesk|zammad --url URL`"


def problem_of(exc: AgentAssistError) -> Problem:
    """What to tell the agent about ``exc``, raised by a ticketing use case."""
    if isinstance(exc, NotConnectedError):
        return Problem(Trouble.NOT_CONNECTED, f"Not connected: {exc}")
    if isinstance(exc, ConnectorOfflineError):
        return Problem(Trouble.OFFLINE, f"Offline: {exc}")
    if isinstance(exc, ConnectorAuthError):
        return Problem(Trouble.REFUSED, f"The ticketing tool refused: {exc}")
    return Problem(Trouble.FAILED, str(exc))


def tool_name(tool: str) -> str:
    """``rt`` -> ``Request Tracker 5``."""
    return TOOLS.get(tool, tool)


def ticket_id_of(key: str, tool: str) -> str | None:
    """The tool's ticket id in a session key ``tool:id`` of ``tool`` (None: another tool's,
    or a ticket typed by hand)."""
    prefix, _, ticket_id = key.partition(":")
    return ticket_id if prefix == tool and ticket_id.isdigit() else None


class DeskAccess:
    """The one :class:`TicketDesk` the app's network jobs share: made on first use (finding
    the OS keyring takes a noticeable time, so never on the GUI thread) and used by one job at
    a time (a connector holds one HTTP client and, for RT, one session cookie)."""

    def __init__(self, factory: Callable[[], TicketDesk]) -> None:
        self._factory = factory
        self._desk: TicketDesk | None = None
        self._lock = threading.Lock()

    def __call__(self, use: Callable[[TicketDesk], T]) -> T:
        with self._lock:
            if self._desk is None:
                self._desk = self._factory()
            return use(self._desk)


def tool_of(desk: TicketDesk) -> str:
    """The connected tool's name; raises :class:`NotConnectedError` when none is."""
    config = desk.config
    if config is None:
        raise NotConnectedError(f"no ticketing tool is set up: {CONNECT_HINT}")
    return config.tool


# -- on the network pool ---------------------------------------------------------------------
def post(desk: TicketDesk, ticket_id: str, text: str, internal: bool) -> None:
    """Post ``text`` exactly as shown to the agent: a public reply, or an internal note."""
    desk.connector().reply(ticket_id, text, internal=internal)


def set_status_for(desk: TicketDesk, key: str, outcome: Outcome) -> Status | None:
    """Set the status of the ticket ``key`` to match ``outcome``; None (nothing done) when
    ``key`` is not a ticket of the connected tool."""
    ticket_id = ticket_id_of(key, tool_of(desk))
    if ticket_id is None:
        return None
    status = STATUS_FOR_OUTCOME[outcome]
    desk.connector().set_status(ticket_id, status)
    return status


# -- on the serialized worker ----------------------------------------------------------------
def switch_to(work: WorkLog, key: str) -> WorkState:
    """Make ``key`` the ticket being timed: every other running ticket is paused (an agent
    works one ticket at a time, so two clocks must not run), then ``key`` is resumed when it
    is open, else started (as :meth:`TicketDesk.work_on
    <agent_assist.app.tickets.TicketDesk.work_on>` does, without needing the connector)."""
    sessions = work.sessions
    mine = None
    for state in sessions.status():
        if state.timing.ticket == key:
            mine = state.timing
        elif not state.timing.paused:
            sessions.pause(state.timing.ticket)
    if mine is None:
        sessions.start(key)
    elif mine.paused:
        sessions.resume(key)
    return work.state()


def record_sent(work: WorkLog, key: str, macro_id: str) -> None:
    """The macro was posted to ticket ``key``: logged as sent (not copied) on its session,
    and counted as used."""
    work.sessions.send_macro(macro_id, key)
    work.store.record_use(Kind.MACRO, macro_id)
