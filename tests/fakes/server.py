"""What every vendor fake shares: a real uvicorn socket, auth, throttling and a request log.

Each fake (``zendesk_fake``, ``freshdesk_fake``, ``zammad_fake``) is a Starlette app over an
in-memory helpdesk that answers with the vendor's documented JSON.  :func:`serve` runs it under
real uvicorn on 127.0.0.1 and a free port, in a thread, so a connector talks to it through a real
TCP connection exactly as it would talk to the cloud: TLS aside, the bytes on the wire are the
same.  :class:`FakeVendor` holds what the three have in common:

- ``throttle(times, retry_after)``: the next ``times`` requests get ``429`` with ``Retry-After``,
  the way all three vendors document rate limiting;
- ``requests``: every request seen (method, path, query, JSON body), for tests to assert on what
  was written without reaching into the fake's state;
- ``check(request)``: records the request and returns the throttle or auth error response, if any.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

START_TIMEOUT = 15.0


def free_port() -> int:
    """A loopback port nobody listens on right now (also used for 'connection refused')."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Seen:
    """One request as the fake received it."""

    method: str
    path: str
    query: str
    body: Any
    at: float


@dataclass
class FakeVendor:
    """State and behaviour shared by the three fakes; subclasses add the helpdesk data."""

    requests: list[Seen] = field(default_factory=list)
    _throttled: int = 0
    _retry_after: int = 1
    lock: threading.RLock = field(default_factory=threading.RLock)

    def throttle(self, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` requests with 429 and ``Retry-After: retry_after``."""
        with self.lock:
            self._throttled = times
            self._retry_after = retry_after

    def seen(self, method: str, path_prefix: str = "") -> list[Seen]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    def authorized(self, request: Request) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def unauthorized(self) -> Response:  # pragma: no cover - overridden
        raise NotImplementedError

    def too_many(self, retry_after: int) -> Response:
        return PlainTextResponse(
            "Too Many Requests", status_code=429, headers={"Retry-After": str(retry_after)}
        )

    async def check(self, request: Request) -> tuple[Response | None, Any]:
        """Record ``request``; return (the throttle/auth refusal or None, its JSON body)."""
        body: Any = None
        raw = await request.body()
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
        with self.lock:
            self.requests.append(
                Seen(request.method, request.url.path, request.url.query, body, time.monotonic())
            )
            if self._throttled > 0:
                self._throttled -= 1
                return self.too_many(self._retry_after), body
        if not self.authorized(request):
            return self.unauthorized(), body
        return None, body


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(data, status_code=status, headers=headers)


Handler = Callable[[Request, Any], Response]


def guarded(vendor: FakeVendor, handler: Handler) -> Callable[[Request], Any]:
    """A Starlette endpoint running ``handler(request, json_body)`` after throttling and auth,
    under the vendor's lock (uvicorn serves requests concurrently; the state is shared)."""

    async def endpoint(request: Request) -> Response:
        refused, body = await vendor.check(request)
        if refused is not None:
            return refused
        with vendor.lock:
            return handler(request, body)

    return endpoint


@contextlib.contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Run ``app`` under uvicorn on 127.0.0.1; yield its base URL; stop it afterwards."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="none",
        http="h11",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"fake-{port}", daemon=True)
    thread.start()
    gave_up = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > gave_up:
            raise RuntimeError(f"the fake server on port {port} did not start")
        threading.Event().wait(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT)
