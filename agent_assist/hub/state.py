"""What every request handler of one hub app shares, and the auth dependency."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Depends, HTTPException, Request

from agent_assist.hub.auth import Caller, Role
from agent_assist.hub.db import Database
from agent_assist.hub.http import Metrics
from agent_assist.hub.ingest import EventWriter
from agent_assist.hub.notices import Notices, token_peek
from agent_assist.hub.ratelimit import Limiter, RateLimits
from agent_assist.hub.snapshots import Pages
from agent_assist.hub.sse import Broadcaster
from agent_assist.hub.tokencheck import TokenCheck

CALLER = "hub_caller"
"""Key of the caller the gate admitted, in the ASGI scope's ``state`` (``request.state``)."""


@dataclass
class HubState:
    db: Database
    data_dir: Path
    key: Ed25519PrivateKey
    keepalive: float
    poll_seconds: float
    limits: RateLimits = field(default_factory=RateLimits)
    metrics: Metrics = field(default_factory=Metrics)
    broadcaster: Broadcaster = field(default_factory=Broadcaster)
    pages: Pages = field(init=False)
    """Feed pages prepared once per (since, limit, head), gzip included (``snapshots.py``)."""
    notices: Notices = field(init=False)
    events: EventWriter = field(init=False)
    tokens: TokenCheck = field(init=False)
    limiter: Limiter = field(init=False)

    def __post_init__(self) -> None:
        self.pages = Pages(self.db)
        self.notices = Notices(self.db, self.broadcaster, self.poll_seconds)
        self.events = EventWriter(self.db)
        self.tokens = TokenCheck(self.db, peek=token_peek(self.db, self.notices))
        self.limiter = Limiter(self.limits)


async def hub(request: Request) -> HubState:
    state: HubState = request.app.state.hub
    return state


Hub = Annotated[HubState, Depends(hub)]


_ROLES: dict[Callable[..., Awaitable[Caller]], Role] = {}


def require(role: Role) -> Callable[..., Awaitable[Caller]]:
    """A dependency admitting callers of ``role`` or higher.

    The token, the role and the rate limits are checked by the gate (``gate.py``) from the
    headers, before the body is read; the gate learns each route's least role from
    :func:`required_role`.  The dependency hands the route the caller the gate admitted (and
    refuses if there is none, as in an app built without the gate).  Deliberately flat:
    FastAPI resolves dependencies on the event loop for every request, and on the idle-poll
    path that resolution was most of the hub's CPU time.  The bearer scheme is declared in
    the OpenAPI document (``openapi.py``)."""

    async def check(request: Request) -> Caller:
        caller = request.scope.get("state", {}).get(CALLER)
        if not isinstance(caller, Caller):
            raise HTTPException(401, "missing bearer token (send 'Authorization: Bearer TOKEN')")
        if caller.role < role:
            raise HTTPException(
                403, f"this needs the {role.label} role; '{caller.name}' is {caller.role.label}"
            )
        return caller

    _ROLES[check] = role
    return check


def required_role(call: object) -> Role | None:
    """The role a dependency made by :func:`require` asks for (``None``: not one of them)."""
    return _ROLES.get(call) if callable(call) else None


AgentCaller = Annotated[Caller, Depends(require(Role.AGENT))]
LeadCaller = Annotated[Caller, Depends(require(Role.LEAD))]
AdminCaller = Annotated[Caller, Depends(require(Role.ADMIN))]
