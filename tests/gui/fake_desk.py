"""A ticketing tool in memory, injected into a real :class:`TicketDesk`, for the window's
tests (the real connectors are tested against RT 5 and the vendors' documented JSON in
``tests/integration/``).  It keeps what it was asked to do, can be offline, and can hold a
call until the test lets it go (to prove the window does not wait)."""

from __future__ import annotations

import datetime as dt
import threading

from agent_assist.app.context import AppContext
from agent_assist.app.tickets import TOKEN_ENV, Message, Status, Ticket, TicketDesk, TicketSummary
from agent_assist.connectors.base import ConnectorOfflineError, Quality
from agent_assist.core.settings import Settings

WHEN = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
COINS = "Hello, I want my money back for the coins I bought, they never arrived. Maria"
HACKED = "Someone hacked my account and my email was changed without me"


class FakeConnector:
    """The Connector interface over a dict."""

    tool = "rt"

    def __init__(self) -> None:
        self.tickets: dict[str, Ticket] = {}
        self.posted: list[tuple[str, str, bool]] = []
        self.statuses: list[tuple[str, Status]] = []
        self.offline = False
        self.hold: threading.Event | None = None
        """Set: ``my_open_tickets`` waits until the event is set."""
        self.add("1", "Account taken over", "Kim Park", None, HACKED)
        self.add("2", "Coins never arrived", "Maria Lopez", "es", COINS)

    def add(
        self, ticket_id: str, subject: str, requester: str, locale: str | None, text: str
    ) -> None:
        summary = TicketSummary("rt", ticket_id, subject, "open", requester, locale, WHEN)
        messages = (
            Message(requester, True, False, "first message", WHEN - dt.timedelta(hours=2)),
            Message("Agent", False, True, "internal note", WHEN - dt.timedelta(hours=1)),
            Message(requester, True, False, text, WHEN),
        )
        self.tickets[ticket_id] = Ticket(summary, messages)

    def _reach(self, path: str) -> None:
        if self.offline:
            raise ConnectorOfflineError(f"Request Tracker 5: {path}: connection refused")

    def my_open_tickets(self) -> list[TicketSummary]:
        if self.hold is not None:
            self.hold.wait(30)
        self._reach("GET /REST/2.0/tickets")
        return [t.summary for t in self.tickets.values()]

    def ticket(self, ticket_id: str) -> Ticket:
        self._reach(f"GET /REST/2.0/ticket/{ticket_id}")
        return self.tickets[ticket_id]

    def reply(self, ticket_id: str, text: str, *, internal: bool = False) -> None:
        self._reach(f"POST /REST/2.0/ticket/{ticket_id}/correspond")
        self.posted.append((ticket_id, text, internal))

    def set_status(self, ticket_id: str, status: Status) -> None:
        self._reach(f"PUT /REST/2.0/ticket/{ticket_id}")
        self.statuses.append((ticket_id, status))

    def take(self, ticket_id: str) -> None:
        self._reach(f"PUT /REST/2.0/ticket/{ticket_id}/take")

    def quality(self, ticket_id: str) -> Quality:
        return Quality(None, None)

    def close(self) -> None:
        """Nothing held open."""


def connected_desk(ctx: AppContext, connector: FakeConnector) -> TicketDesk:
    """A real desk over ``connector``, set up as ``agent-assist connect rt`` leaves it."""
    ctx.settings.set(Settings.ticketing_tool, "rt")
    ctx.settings.set(Settings.ticketing_url, "http://127.0.0.1:9")
    ctx.settings.set(Settings.ticketing_user, "agent")
    return TicketDesk(
        ctx, keyring=lambda: None, environ={TOKEN_ENV: "t0ken"}, opener=lambda *_: connector
    )
