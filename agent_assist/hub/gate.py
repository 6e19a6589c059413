"""The hub's gate: who may send a body, decided from the headers alone.

A raw ASGI middleware in front of every route.  For a route that needs a token it checks,
before a single byte of the body is read: the bearer token (401), the caller's role for the
route (403), the declared ``Content-Length`` against the route's limit (413) and the rate
limits (429).  A refusal goes out with ``Connection: close`` and without reading the body,
so an unauthenticated sender costs a header parse, never a body read or a JSON parse.  Since
the body is never asked for, uvicorn never answers ``Expect: 100-continue`` with a 100 either.

A body that is let in is counted while it arrives (chunked bodies declare no length): past
the route's limit it is a 413, and a sender that stalls for ``body_timeout`` seconds gets a
408.  A response that goes out before the body was read to its end closes the connection, so
the rest is never read to keep the connection alive.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import re
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent_assist.hub.auth import Role, TokenRow, time_text, token_hash
from agent_assist.hub.db import HubStoreError
from agent_assist.hub.errors import CODES
from agent_assist.hub.ratelimit import Limiter
from agent_assist.hub.state import CALLER, required_role
from agent_assist.hub.tokencheck import TokenCheck

MIB = 1024 * 1024
PUBLISH_LIMIT = 8 * MIB
BODY_LIMIT = 1 * MIB
MAX_HEADER_BYTES = 32 * 1024
"""The whole header section; uvicorn's parser is bounded to the same (``protocol.py``)."""
MAX_HEADERS = 100
MAX_TOKEN_CHARS = 200
BODY_TIMEOUT = 30.0
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Rule:
    role: Role | None
    limit: int
    route: BaseRoute


def route_role(dependant: Dependant) -> Role | None:
    """The least role a route's dependencies require (``None``: a public route)."""
    for dep in dependant.dependencies:
        role = required_role(dep.call)
        if role is not None:
            return role
        found = route_role(dep)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class RouteInfo:
    """One route as served: its full path (router prefixes included) and the route."""

    path: str
    methods: frozenset[str]
    regex: re.Pattern[str]
    dynamic: bool
    route: APIRoute


def api_routes(app: FastAPI) -> list[RouteInfo]:
    """Every API route of ``app``, with included routers' prefixes applied."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path:
            methods = frozenset(context.methods or ())
            dynamic = bool(context.param_convertors)
            found.append(RouteInfo(context.path, methods, context.path_regex, dynamic, route))
    return found


class Rules:
    """Each route's least role and body limit, by method and path."""

    def __init__(self, app: FastAPI) -> None:
        self.static: dict[tuple[str, str], Rule] = {}
        self.dynamic: list[tuple[frozenset[str], re.Pattern[str], Rule]] = []
        for info in api_routes(app):
            rule = Rule(route_role(info.route.dependant), limit_for(info.path), info.route)
            if info.dynamic:
                self.dynamic.append((info.methods, info.regex, rule))
            else:
                for method in info.methods:
                    self.static[(method, info.path)] = rule

    def match(self, method: str, path: str) -> Rule | None:
        rule = self.static.get((method, path))
        if rule is not None:
            return rule
        for methods, regex, candidate in self.dynamic:
            if method in methods and regex.match(path):
                return candidate
        return None


def limit_for(path: str) -> int:
    return PUBLISH_LIMIT if path == "/v1/publish" else BODY_LIMIT


def too_large(limit: int) -> str:
    return f"request body is larger than {limit // MIB} MiB (the limit for this endpoint)"


async def send_error(
    send: Send, status: int, message: str, headers: dict[str, str] | None = None
) -> None:
    """A refusal in the hub's error shape, closing the connection (its body stays unread)."""
    body = json.dumps({"error": CODES.get(status, "error"), "message": message}).encode()
    raw: list[tuple[bytes, bytes]] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


@dataclass
class RefusedError(Exception):
    """A request the gate answers itself, before the body."""

    status: int
    message: str
    headers: dict[str, str] | None = None


def _retry(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


@dataclass
class _Head:
    """What the gate needs from the request headers, read in one pass."""

    authorization: str = ""
    length: int | None = None
    chunked: bool = False
    size: int = 0
    count: int = 0

    @classmethod
    def read(cls, headers: list[tuple[bytes, bytes]]) -> _Head:
        head = cls(count=len(headers))
        for name, value in headers:
            head.size += len(name) + len(value) + 4
            if name == b"authorization":
                head.authorization = value.decode("latin-1")
            elif name == b"content-length":
                head.length = int(value) if value.isdigit() else None
            elif name == b"transfer-encoding":
                head.chunked = b"chunked" in value.lower()
        return head


class Gate:
    """See the module docstring; ``app`` is the FastAPI app whose routes it guards."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        hub: FastAPI,
        tokens: TokenCheck,
        limiter: Limiter,
        body_timeout: float = BODY_TIMEOUT,
    ) -> None:
        self.app = app
        self.hub = hub
        self.tokens = tokens
        self.limiter = limiter
        self.body_timeout = body_timeout
        self._rules: Rules | None = None

    @property
    def rules(self) -> Rules:
        if self._rules is None:  # at start-up (or first use): every route is registered
            self._rules = Rules(self.hub)
        return self._rules

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                _ = self.rules  # built before the first request, not during a burst of them
            await self.app(scope, receive, send)
            return
        head = _Head.read(scope["headers"])
        rule = self.rules.match(scope["method"], _route_path(scope))
        limit = rule.limit if rule is not None else BODY_LIMIT
        try:
            if head.count > MAX_HEADERS or head.size > MAX_HEADER_BYTES:
                raise RefusedError(
                    431,
                    f"request headers too large (at most {MAX_HEADERS} headers, "
                    f"{MAX_HEADER_BYTES // 1024} KiB in all)",
                )
            if rule is not None:
                scope["route"] = rule.route  # the metrics' label, even for a refusal
                if rule.role is not None:
                    await self._admit(scope, rule, head)
            if head.length is not None and head.length > limit:
                raise RefusedError(413, too_large(limit))
        except RefusedError as refusal:
            await send_error(send, refusal.status, refusal.message, refusal.headers)
            return
        has_body = head.chunked or bool(head.length)
        await self._pass(scope, receive, send, limit, has_body)

    async def _admit(self, scope: Scope, rule: Rule, head: _Head) -> None:
        """Check the token, role and rate limits of a request to a guarded route."""
        scheme, _, token = head.authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise RefusedError(
                401,
                "missing bearer token (send 'Authorization: Bearer TOKEN')",
                {"WWW-Authenticate": "Bearer"},
            )
        client = scope.get("client")
        ip = str(client[0]) if client else ""
        hashed = token_hash(token)
        # A sender over the limit of failed checks costs no lookup any more: only a token
        # this replica has verified since the last token change still gets through.
        blocked = self.limiter.auth_blocked(ip, hashed)
        row = None
        if len(token) <= MAX_TOKEN_CHARS:
            row = await self._find(hashed, cached_only=bool(blocked))
        if row is None and blocked:
            raise RefusedError(
                429,
                "too many failed token checks from this address or for this token; "
                f"retry in {math.ceil(blocked)} s",
                _retry(blocked),
            )
        problem = _token_problem(row, self.tokens.now())
        if problem is not None or row is None:
            self.limiter.auth_failed(ip, hashed)
            challenge = {"WWW-Authenticate": "Bearer"}
            raise RefusedError(401, problem or "unknown or revoked token", challenge)
        caller = row.caller
        state = scope.setdefault("state", {})
        state[CALLER] = caller
        state["caller"] = caller.name  # for the access log
        assert rule.role is not None
        if caller.role < rule.role:
            raise RefusedError(
                403,
                f"this needs the {rule.role.label} role; '{caller.name}' is {caller.role.label}",
            )
        if scope["method"] in WRITES:
            wait = self.limiter.write(ip, caller.name)
            if wait:
                raise RefusedError(
                    429,
                    f"too many writes from '{caller.name}' or this address; "
                    f"retry in {math.ceil(wait)} s",
                    _retry(wait),
                )

    async def _find(self, hashed: str, *, cached_only: bool) -> TokenRow | None:
        try:
            return await self.tokens.find(hashed, cached_only=cached_only)
        except HubStoreError as exc:
            raise RefusedError(503, f"the hub database is unavailable: {exc}") from exc

    async def _pass(
        self, scope: Scope, receive: Receive, send: Send, limit: int, has_body: bool
    ) -> None:
        """Run the app, counting the body as it arrives and timing out a stalled sender."""
        received = 0
        complete = not has_body

        async def counted_receive() -> Message:
            nonlocal received, complete
            if complete:  # e.g. a streaming response listening for the disconnect
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.body_timeout)
            except TimeoutError:
                raise HTTPException(
                    408, f"the request body stalled for {self.body_timeout:g} s"
                ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, too_large(limit))
                complete = not message.get("more_body", False)
            else:
                complete = True
            return message

        async def closing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not complete:
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"connection" for k, _ in headers):
                    message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, counted_receive if has_body else receive, closing_send)


def _token_problem(row: TokenRow | None, now: dt.datetime) -> str | None:
    if row is None:
        return "unknown or revoked token"
    if row.expired(now):
        assert row.expires_at is not None
        return f"token '{row.caller.name}' expired at {time_text(row.expires_at)}"
    return None


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path
