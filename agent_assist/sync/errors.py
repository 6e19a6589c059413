"""What can go wrong talking to the hub, as known errors the user is told about.

Each is a :class:`~agent_assist.core.errors.SyncError`; the sync service turns them into a
:class:`~agent_assist.sync.service.SyncState` instead of raising (a hub that is down is a
normal state, not a crash).
"""

from __future__ import annotations

from collections.abc import Sequence

from agent_assist.core.errors import SyncError
from agent_assist.core.knowledge.problems import Problem


class HubUnreachableError(SyncError):
    """The hub could not be reached (network down, DNS, refused, timed out, TLS failure)."""


class AuthFailedError(SyncError):
    """The hub refused the token (401) or its role (403), or there is no token."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


class HubRejectedError(SyncError):
    """The hub answered with a 4xx naming what it did not accept; ``problems`` carries a
    publish's pack problems (422)."""

    def __init__(self, message: str, status: int, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.problems: tuple[Problem, ...] = tuple(problems)


class HubFailedError(SyncError):
    """The hub failed (5xx): its fault, worth retrying later."""


class MalformedReplyError(SyncError):
    """The hub's reply did not match ``docs/hub-api.md``; nothing from it was stored."""
