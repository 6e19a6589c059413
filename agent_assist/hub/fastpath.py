"""The idle poll's fast path: ``GET /v1/changes`` answered before the framework sees it.

The idle delta poll (``If-None-Match`` with the current cursor, answered 304) is the hub's
most frequent request by far: every desktop sends one every few seconds.  Through the full
stack it cost about eleven times what uvicorn itself costs per request (routing, dependency
resolution, response objects, three middleware layers, a JSON access-log line).  This raw ASGI
layer, the outermost of the hub's own (only Starlette's last-resort error handler and
FastAPI's thin wrappers are outside it), answers it without the framework when the request
is plain: ``since`` and ``limit`` as digits in range, no body, headers within the gate's
bounds, a bearer token.

- A token this replica verified since the last token change, known without waiting
  (:meth:`TokenCheck.cached`: on SQLite a microsecond read of the counter on the loop's own
  connection, on PostgreSQL the ``LISTEN`` notices, see ``notices.py``), gets its answer
  from memory: 304 when ``since`` is the newest cursor this replica knows of and the ETag
  matches, or 200 with the page prepared for the current head (``snapshots.py``).
- Otherwise (a desktop's first request, when a whole team starts at once) the fast path
  waits for the shared token lookup (``tokencheck.py``) and the shared page preparation,
  and answers the same way: a burst of first syncs costs a few queries and one
  serialisation, not a trip through the framework each.

Anything it would have to refuse or fail (an unknown, revoked or expired token, a sender the
rate limits hold back, a database error) goes on to the gate and the routes unchanged, so
every rule and every error message stays theirs.

Its answers are counted in the same Prometheus metrics; the access log gets one line per
``ACCESS_SAMPLE`` of them (marked ``"sampled"``), since formatting a JSON line per idle
poll was a fifth of its cost.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from agent_assist.hub.auth import TokenRow, token_hash
from agent_assist.hub.db import HubStoreError
from agent_assist.hub.gate import MAX_HEADER_BYTES, MAX_HEADERS, MAX_TOKEN_CHARS
from agent_assist.hub.http import ACCESS_LOG
from agent_assist.hub.snapshots import Page, accepts_gzip
from agent_assist.hub.state import HubState

log = logging.getLogger(__name__)

PATH = "/v1/changes"
ACCESS_SAMPLE = 100
MAX_SINCE = 2**62
MAX_LIMIT = 1000
DEFAULT_LIMIT = 500

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


def parse_query(raw: bytes) -> tuple[int, int] | None:
    """(since, limit) from a plain query string, or ``None`` for anything the route should
    judge itself (unknown or repeated names, non-digits, out of range)."""
    since, limit = 0, DEFAULT_LIMIT
    seen: set[bytes] = set()
    for part in raw.split(b"&") if raw else ():
        name, eq, value = part.partition(b"=")
        if not eq or name in seen or not value.isdigit() or len(value) > 19:
            return None
        seen.add(name)
        if name == b"since":
            since = int(value)
        elif name == b"limit":
            limit = int(value)
        else:
            return None
    if since > MAX_SINCE or not 1 <= limit <= MAX_LIMIT:
        return None
    return since, limit


@dataclass(frozen=True)
class Poll:
    """A plain ``GET /v1/changes``: what the fast path needs from it."""

    hashed: str
    """SHA-256 of the bearer token."""
    since: int
    limit: int
    if_none_match: bytes
    gzip_ok: bool

    @classmethod
    def read(cls, scope: Scope) -> Poll | None:
        """The poll in ``scope``, or ``None`` for anything the gate and the route should
        judge (a body, odd headers or query, no bearer token)."""
        headers = scope["headers"]
        if len(headers) > MAX_HEADERS or scope.get("root_path"):
            return None
        authorization = if_none_match = accept_encoding = b""
        size = 0
        for name, value in headers:
            size += len(name) + len(value) + 4
            if name == b"authorization":
                authorization = value
            elif name == b"if-none-match":
                if_none_match = value
            elif name == b"accept-encoding":
                accept_encoding = value
            elif name == b"content-length":
                if value != b"0":  # "Content-Length: 0" is no body (as the gate reads it)
                    return None  # a GET with a body: the gate's business
            elif name == b"transfer-encoding":
                return None
        query = parse_query(scope["query_string"])
        if size > MAX_HEADER_BYTES or query is None or authorization[:7].lower() != b"bearer ":
            return None
        token = authorization[7:].strip()
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        gzip_ok = bool(accept_encoding) and accepts_gzip(accept_encoding.decode("latin-1"))
        return cls(token_hash(token.decode("latin-1")), *query, if_none_match, gzip_ok)


class FastPath:
    """See the module docstring; ``state`` is the hub's shared state."""

    def __init__(self, app: ASGIApp, *, state: HubState) -> None:
        self.app = app
        self.state = state
        metrics = state.metrics
        self._counted = {
            status: metrics.requests.labels(PATH, "GET", str(status)) for status in (200, 304)
        }
        self._latency = metrics.latency.labels(PATH)
        self._answered = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == PATH:
            start = time.perf_counter()
            poll = Poll.read(scope)
            if poll is not None:
                row = self.state.tokens.cached(poll.hashed)
                answer = None
                if row is None:
                    row, answer = await self._answer_checked(poll, scope)
                elif _let_in(row):
                    answer = self._answer(poll) or await self._answer_prepared(poll)
                if answer is not None and row is not None:
                    status, headers, body = answer
                    await send(
                        {"type": "http.response.start", "status": status, "headers": headers}
                    )
                    await send({"type": "http.response.body", "body": body})
                    self._record(scope, status, time.perf_counter() - start, row.caller.name)
                    return
        await self.app(scope, receive, send)

    def _answer(self, poll: Poll) -> Answer | None:
        """The answer from memory for a caller already known to be let in: a 304, or a page
        prepared for the current head; ``None`` when the page is still to be prepared."""
        head = self.state.broadcaster.head
        if poll.since >= head and poll.if_none_match == b'"c%d"' % poll.since:
            return 304, [(b"etag", poll.if_none_match)], b""
        page = self.state.pages.get(poll.since, poll.limit, head)
        return None if page is None else _page_answer(page, poll.gzip_ok)

    async def _answer_checked(
        self, poll: Poll, scope: Scope
    ) -> tuple[TokenRow | None, Answer | None]:
        """The caller and the answer for a token not verified yet (a desktop's first request,
        or the first after a token changed), after the shared lookup.  Whatever would be a
        refusal or an error is handed on (``None``), for the gate and the route to answer in
        their words: a token unknown, revoked or expired, a sender the rate limits hold
        back, a database that fails."""
        client = scope.get("client")
        if self.state.limiter.auth_blocked(str(client[0]) if client else "", poll.hashed):
            return None, None
        try:
            row = await self.state.tokens.find(poll.hashed)
        except HubStoreError:
            return None, None
        if row is None or not _let_in(row):
            return None, None
        return row, self._answer(poll) or await self._answer_prepared(poll)

    async def _answer_prepared(self, poll: Poll) -> Answer | None:
        """The page for the current head once prepared (the shared preparation of
        ``snapshots.py``); ``None`` if that failed."""
        head = self.state.broadcaster.head
        try:
            page = await self.state.pages.page(poll.since, poll.limit, head)
        except Exception:  # the route reads it again and reports the failure in its words
            log.debug("fast path: page after %d not prepared", poll.since, exc_info=True)
            return None
        return _page_answer(page, poll.gzip_ok)

    def _record(self, scope: Scope, status: int, seconds: float, caller: str) -> None:
        self._counted[status].inc()
        self._latency.observe(seconds)
        self._answered += 1
        if self._answered % ACCESS_SAMPLE == 1 and ACCESS_LOG.isEnabledFor(logging.INFO):
            client = scope.get("client") or ("", 0)
            ACCESS_LOG.info(
                json.dumps(
                    {
                        "ts": time.time(),
                        "method": "GET",
                        "path": PATH,
                        "route": PATH,
                        "status": status,
                        "ms": round(seconds * 1000, 2),
                        "client": client[0],
                        "caller": caller,
                        "fast": True,
                        "sampled": ACCESS_SAMPLE,
                    }
                )
            )


def _let_in(row: TokenRow) -> bool:
    """Whether the gate would let this token poll: any role may (the route's least role is
    the lowest), if the token has not expired."""
    return not row.expired(dt.datetime.now(dt.UTC))


def _page_answer(page: Page, gzip_ok: bool) -> Answer:
    body, packed = page.encoded(gzip_ok)
    headers = [
        (b"content-length", b"%d" % len(body)),
        (b"content-type", b"application/json"),
        (b"etag", page.etag.encode("ascii")),
        (b"vary", b"Accept-Encoding"),
    ]
    if packed:
        headers.append((b"content-encoding", b"gzip"))
    return 200, headers, body
