"""The one interface every ticketing-tool connector implements, and its errors.

A connector turns a tool's API into these few frozen values, so the app, the CLI and the UI
never see a vendor's JSON.  Customer text lives only in :class:`Message` values in memory:
no connector writes it to a log, a file or an error message (errors name the tool, the URL
path and what went wrong, nothing the customer wrote).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol

from agent_assist.core.errors import AgentAssistError

Status = Literal["new", "open", "pending", "resolved", "closed"]
"""The generic statuses the app sets; each connector maps them to its tool's own words."""

STATUSES: tuple[Status, ...] = ("new", "open", "pending", "resolved", "closed")


@dataclass(frozen=True)
class TicketSummary:
    """One line of a ticket list: what the agent needs to pick a ticket."""

    tool: str
    """``rt``, ``zendesk``, ``freshdesk`` or ``zammad``."""
    id: str
    """The tool's ticket id, as text."""
    subject: str
    status: str
    """The tool's own status word, for display."""
    requester_name: str
    requester_locale: str | None
    """E.g. ``es`` or ``en-US``; None when the tool does not say."""
    updated: dt.datetime
    """Aware, UTC."""

    @property
    def ref(self) -> str:
        """``tool:id``: names a ticket unambiguously across tools (and keys its session)."""
        return f"{self.tool}:{self.id}"


@dataclass(frozen=True)
class Message:
    """One message of a ticket's conversation, as plain text."""

    author: str
    from_customer: bool
    internal: bool
    """An internal note / comment, never shown to the customer."""
    text: str
    """Plain text (HTML converted by :func:`agent_assist.connectors.text.html_to_text`)."""
    created: dt.datetime


@dataclass(frozen=True)
class Ticket:
    """A ticket with its conversation, oldest message first."""

    summary: TicketSummary
    messages: tuple[Message, ...]

    @property
    def latest_customer_text(self) -> str:
        """The newest public message the customer wrote ("" when there is none): what the
        app searches with."""
        for message in reversed(self.messages):
            if message.from_customer and not message.internal and message.text.strip():
                return message.text
        return ""


@dataclass(frozen=True)
class Quality:
    """What the tool says about how a ticket went."""

    satisfaction: float | None
    """0.0-1.0 (good = 1, bad = 0); None when the tool has no rating (RT) or none was given."""
    reopened: bool | None
    """None when the tool cannot say."""


class Connector(Protocol):
    """A ticketing tool, as the app uses it.  Every method may raise the errors below."""

    tool: str

    def my_open_tickets(self) -> list[TicketSummary]: ...

    def ticket(self, ticket_id: str) -> Ticket: ...

    def reply(self, ticket_id: str, text: str, *, internal: bool = False) -> None: ...

    def set_status(self, ticket_id: str, status: Status) -> None: ...

    def take(self, ticket_id: str) -> None:
        """Assign the ticket to the connected user."""
        ...

    def quality(self, ticket_id: str) -> Quality: ...

    def close(self) -> None: ...


class ConnectorError(AgentAssistError):
    """Talking to a ticketing tool failed.  The message names the tool, the URL path and what
    went wrong, never customer text."""


class ConnectorAuthError(ConnectorError):
    """The tool refused the credentials (401) or the user lacks a right (403)."""


class TicketNotFoundError(ConnectorError):
    """The ticket (or another object asked for) does not exist, or the user cannot see it."""


class ConnectorOfflineError(ConnectorError):
    """The tool could not be reached (network down, timeout) after the retries: a normal state
    for the app, which keeps working without the tool."""


class ConnectorRateLimitedError(ConnectorError):
    """The tool kept answering 429 for longer than the retry budget allows."""
