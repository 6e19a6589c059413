"""What every request handler of one hub app shares, and the auth dependency."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from agent_assist.hub.auth import Caller, Role, authenticate, token_hash
from agent_assist.hub.db import Database
from agent_assist.hub.http import Metrics
from agent_assist.hub.sse import Broadcaster


class TokenCache:
    """Recently seen tokens (by hash), so most requests authenticate without the database.

    Entries live ``ttl`` seconds: a token revoked through this replica is forgotten at once
    (:meth:`clear`); one revoked elsewhere (another replica, the CLI) stops working within
    ``ttl``.  Unknown tokens are never cached, so a new token works immediately.
    """

    def __init__(self, ttl: float = 5.0, size: int = 50_000) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: dict[str, tuple[Caller, float]] = {}

    def get(self, token: str) -> Caller | None:
        entry = self._entries.get(token_hash(token))
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, token: str, caller: Caller) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[token_hash(token)] = (caller, time.monotonic() + self.ttl)

    def clear(self) -> None:
        self._entries.clear()


@dataclass
class HubState:
    db: Database
    data_dir: Path
    key: Ed25519PrivateKey
    keepalive: float
    poll_seconds: float
    metrics: Metrics = field(default_factory=Metrics)
    broadcaster: Broadcaster = field(default_factory=Broadcaster)
    tokens: TokenCache = field(default_factory=TokenCache)
    pages: dict[tuple[int, int, int], tuple[bytes, int]] = field(default_factory=dict)
    """Encoded feed pages by (since, limit, head): after a publish every client asks for
    the same page, and a page up to a given head never changes (see ``db.py``)."""


async def hub(request: Request) -> HubState:
    state: HubState = request.app.state.hub
    return state


Hub = Annotated[HubState, Depends(hub)]


def require(role: Role) -> Callable[..., Awaitable[Caller]]:
    """A dependency admitting callers of ``role`` or higher (401 unknown, 403 too low).

    Deliberately flat (it reads the header itself instead of depending on ``HTTPBearer`` and
    :func:`hub`): FastAPI resolves dependencies on the event loop for every request, and on
    the idle-poll path that resolution was most of the hub's CPU time.  The bearer scheme is
    still declared in the OpenAPI document (``app.py``)."""

    async def check(request: Request) -> Caller:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(401, "missing bearer token (send 'Authorization: Bearer TOKEN')")
        token = token.strip()
        state: HubState = request.app.state.hub
        caller = state.tokens.get(token)
        if caller is None:
            caller = await run_in_threadpool(authenticate, state.db, token)
            if caller is None:
                raise HTTPException(401, "unknown or revoked token")
            state.tokens.put(token, caller)
        request.state.caller = caller.name
        if caller.role < role:
            raise HTTPException(
                403, f"this needs the {role.label} role; '{caller.name}' is {caller.role.label}"
            )
        return caller

    return check


AgentCaller = Annotated[Caller, Depends(require(Role.AGENT))]
LeadCaller = Annotated[Caller, Depends(require(Role.LEAD))]
AdminCaller = Annotated[Caller, Depends(require(Role.ADMIN))]
