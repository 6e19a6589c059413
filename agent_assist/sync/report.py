"""What a sync round and the background loop report, without the network stack.

Kept apart from :mod:`agent_assist.sync.service` (which imports httpx) so the desktop app can
say "no hub set" at start-up without importing httpx and everything it pulls in: on a
workstation with no hub that import is pure start-up cost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class SyncState(StrEnum):
    NOT_CONFIGURED = "not_configured"
    ONLINE = "online"
    OFFLINE = "offline"
    SYNCING = "syncing"
    AUTH_FAILED = "auth_failed"


class Problem(StrEnum):
    """What went wrong in a round, for a front-end to put in its own words (the ``error``
    text is the technical sentence, for logs and the command line)."""

    NO_TOKEN = "no_token"
    TOKEN_REFUSED = "token_refused"  # 401: revoked, expired or mistyped
    ROLE_REFUSED = "role_refused"  # 403: the token's role may not do this
    UNREACHABLE = "unreachable"
    HUB_FAILED = "hub_failed"  # 5xx
    REFUSED = "refused"  # the hub refused or garbled part of the round (4xx, bad reply)


@dataclass(frozen=True)
class SyncReport:
    """The outcome of one round.  ``changed`` lists ``kind:id`` of items that changed in the
    cache; ``pushed`` counts events the hub now holds; ``error`` says what went wrong (with
    ONLINE it means the hub was reached but refused or garbled something) and ``problem``
    which kind of thing that was; ``hub_url`` is the hub the round talked to."""

    state: SyncState
    changed: list[str]
    pushed: int
    at: dt.datetime
    error: str | None = None
    problem: Problem | None = None
    hub_url: str = ""


class ListenState(StrEnum):
    """What the background loop is doing, for a status line that tells the truth."""

    CONNECTING = "connecting"  # a round is running, or the change stream is being opened
    LIVE = "live"  # the change stream is open: a publish arrives within a second or two
    POLLING = "polling"  # the hub offers no stream: a round every ``poll_seconds``
    OFFLINE = "offline"  # the hub is away: the next try after a backoff delay
    WAITING = "waiting"  # no hub, or no token it accepts: tries again every ``poll_seconds``
