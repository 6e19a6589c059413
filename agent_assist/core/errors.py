"""One hierarchy for the faults of the world that users must be told about.

Anything raised that is *not* an :class:`AgentAssistError` is a bug: it reaches the crash
handler with a traceback.  Every message says what failed and where, so the CLI can print it
on one line and the UI can show it in a banner without adding context.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent_assist.core.knowledge.problems import Problem


class AgentAssistError(Exception):
    """A known error with a message fit for the user."""


class PackError(AgentAssistError):
    """A knowledge pack could not be read or is invalid; carries every problem found."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[Problem, ...] = tuple(problems)


class StoreError(AgentAssistError):
    """The local knowledge cache could not be opened, read or written."""


class NotFoundError(AgentAssistError):
    """An item asked for by id does not exist (or the id is ambiguous)."""


class SyncError(AgentAssistError):
    """Talking to the hub failed."""


class EventLogError(AgentAssistError):
    """The local handle-time event log could not be opened, read or written."""


class SessionError(AgentAssistError):
    """A ticket-session command does not fit the state of the ticket's session."""
