"""The idle poll's fast path: ``GET /v1/changes`` answered before the framework sees it.

The idle delta poll (``If-None-Match`` with the current cursor, answered 304) is the hub's
most frequent request by far: every desktop sends one every few seconds.  Through the full
stack it cost about eleven times what uvicorn itself costs per request (routing, dependency
resolution, response objects, three middleware layers, a JSON access-log line).  This raw ASGI
layer, outermost, answers it from memory when everything it needs is already known:

- the token is one this replica verified since the last token change, and it can tell so
  without waiting (:meth:`TokenCheck.cached`: on SQLite a microsecond read of the counter on
  the loop's own connection, on PostgreSQL the ``LISTEN`` notices, see ``notices.py``), and
  it has not expired;
- the request is plain: ``since`` and ``limit`` as digits in range, no body, headers within
  the gate's bounds.

It then answers 304 when ``since`` is the newest cursor this replica knows of and the ETag
matches, or 200 with a page already prepared for the current head (``snapshots.py``).
Anything else (an unknown token, a refusal to be made, a page not prepared yet) goes on to
the gate and the routes unchanged, so every rule and every error message stays theirs.

Its answers are counted in the same Prometheus metrics; the access log gets one line per
``ACCESS_SAMPLE`` of them (marked ``"sampled"``), since formatting a JSON line per idle
poll was a fifth of its cost.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from agent_assist.hub.auth import token_hash
from agent_assist.hub.gate import MAX_HEADER_BYTES, MAX_HEADERS, MAX_TOKEN_CHARS
from agent_assist.hub.http import ACCESS_LOG
from agent_assist.hub.snapshots import accepts_gzip
from agent_assist.hub.state import HubState

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
            answer = self._answer(scope)
            if answer is not None:
                status, headers, body = answer
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                self._record(scope, status, time.perf_counter() - start)
                return
        await self.app(scope, receive, send)

    def _answer(self, scope: Scope) -> Answer | None:
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
        row = self.state.tokens.cached(token_hash(token.decode("latin-1")))
        if row is None or row.expired(dt.datetime.now(dt.UTC)):
            return None
        since, limit = query
        head = self.state.broadcaster.head
        if since >= head and if_none_match == b'"c%d"' % since:
            return 304, [(b"etag", if_none_match)], b""
        page = self.state.pages.get(since, limit, head)
        if page is None:
            return None
        gzip_ok = bool(accept_encoding) and accepts_gzip(accept_encoding.decode("latin-1"))
        body, packed = page.encoded(gzip_ok)
        out = [
            (b"content-length", b"%d" % len(body)),
            (b"content-type", b"application/json"),
            (b"etag", page.etag.encode("ascii")),
            (b"vary", b"Accept-Encoding"),
        ]
        if packed:
            out.append((b"content-encoding", b"gzip"))
        return 200, out, body

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
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
                        "fast": True,
                        "sampled": ACCESS_SAMPLE,
                    }
                )
            )
