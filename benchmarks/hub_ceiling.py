"""The idle poll's ceiling: the hub against a bare ASGI app on the same server settings.

``python -m benchmarks.hub_load --ceiling`` runs this after each database's load: a closed
loop of ``--ceiling-connections`` kept-alive connections sends idle delta polls
(``If-None-Match`` with the current cursor, a 304 each) as fast as they are answered, first
to the hub, then to a bare ASGI app that answers the same 304 without looking at anything,
served by uvicorn with the hub's own options (its bounded HTTP protocol, keep-alive, no
access log).  The rounds alternate (hub, bare, hub, bare) so that a neighbour's load on a
shared machine hits both alike.  The hub's share of the bare app's requests per second is
what the hub's own work costs on its cheapest request.

The load generator is a bare asyncio protocol per connection (a request is one prepared
``write``, a response is complete at its empty line: a 304 has no body), so it costs a small
part of what either server costs per request.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.integration.hubserver import RunningHub, free_port

ROUNDS = 2


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers every request with the hub's idle-poll 304, echoing ``If-None-Match``."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    etag = next((v for k, v in scope["headers"] if k == b"if-none-match"), b'"c0"')
    await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", etag)]})
    await send({"type": "http.response.body", "body": b""})


def serve_bare(port: int) -> None:
    """uvicorn with the options ``agent-assist-hub serve`` uses (``hub/serve.py``)."""
    import uvicorn

    from agent_assist.hub.serve import _protocol

    uvicorn.run(
        bare_app,
        host="127.0.0.1",
        port=port,
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=3,
        timeout_keep_alive=65,
        http=_protocol(),
        h11_max_incomplete_event_size=32 * 1024,
    )


@dataclass
class Loop:
    """What one closed-loop round measured."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))] * 1000 if ordered else 0


class _Poller(asyncio.Protocol):
    """One kept-alive connection sending the same idle poll again as soon as it is answered."""

    def __init__(self, request: bytes, out: Loop, stop: asyncio.Event) -> None:
        self.request = request
        self.out = out
        self.stop = stop
        self.buffer = b""
        self.sent = 0.0
        self.closed = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        self.sent = time.perf_counter()
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.buffer.endswith(b"\r\n\r\n"):
            return
        ok = self.buffer.startswith(b"HTTP/1.1 304")
        self.buffer = b""
        if not ok:
            self.out.errors += 1
        self.out.latencies.append(time.perf_counter() - self.sent)
        if self.stop.is_set() or not ok:
            assert self.transport is not None
            self.transport.close()
        else:
            self._send()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


async def closed_loop(port: int, headers: dict[str, str], connections: int, seconds: float) -> Loop:
    """Idle polls over ``connections`` connections for ``seconds`` (after a 1 s warm-up)."""
    lines = [f"GET /v1/changes?since={_since(headers)} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    loop = asyncio.get_running_loop()
    warm, out, stop = Loop(), Loop(), asyncio.Event()
    pollers = []
    for _ in range(connections):
        _, poller = await loop.create_connection(
            lambda: _Poller(request, warm, stop), "127.0.0.1", port
        )
        pollers.append(poller)
    await asyncio.sleep(1.0)
    for poller in pollers:
        poller.out = out
    start = time.perf_counter()
    await asyncio.sleep(seconds)
    out.seconds = time.perf_counter() - start
    stop.set()
    await asyncio.wait_for(asyncio.gather(*(p.closed for p in pollers)), 30)
    return out


def _since(headers: dict[str, str]) -> str:
    return headers["If-None-Match"].strip('"').removeprefix("c")


def _merge(loops: list[Loop]) -> Loop:
    merged = Loop()
    for one in loops:
        merged.latencies += one.latencies
        merged.seconds += one.seconds
        merged.errors += one.errors
    return merged


def _wait_up(port: int, process: subprocess.Popen[bytes]) -> None:
    gave_up = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
            return
        except httpx.TransportError:
            if time.monotonic() > gave_up or process.poll() is not None:
                raise RuntimeError("the bare ASGI server did not start") from None
            time.sleep(0.05)


def ceiling(hub: RunningHub, connections: int, seconds: float) -> tuple[Loop, Loop]:
    """(hub, bare) closed-loop idle polls, ``ROUNDS`` alternating rounds of ``seconds``."""
    cursor = hub.http.get("/v1/changes", params={"since": 0}, headers=hub.auth("agent"))
    etag = cursor.headers["etag"]
    headers = {**hub.auth("agent"), "If-None-Match": etag}
    port = free_port()
    bare = subprocess.Popen(
        [sys.executable, "-c", f"from benchmarks.hub_ceiling import serve_bare; serve_bare({port})"]
    )
    try:
        _wait_up(port, bare)
        hub_rounds, bare_rounds = [], []
        for _ in range(ROUNDS):
            hub_rounds.append(asyncio.run(closed_loop(hub.port, headers, connections, seconds)))
            bare_rounds.append(asyncio.run(closed_loop(port, headers, connections, seconds)))
    finally:
        bare.terminate()
        bare.wait(10)
    return _merge(hub_rounds), _merge(bare_rounds)


def row(database: str, hub: Loop, bare: Loop) -> str:
    share = hub.rate / bare.rate if bare.rate else float("nan")
    return (
        f"| {database} | {hub.rate:,.0f} | {hub.pct(50):.1f} | {hub.pct(99):.1f} | "
        f"{bare.rate:,.0f} | {bare.pct(50):.1f} | {bare.pct(99):.1f} | {share:.2f} | "
        f"{hub.errors + bare.errors} |"
    )


HEADER = (
    "| database | hub req/s | hub p50 ms | hub p99 ms | bare ASGI req/s | bare p50 ms "
    "| bare p99 ms | hub share | errors |\n|---|---|---|---|---|---|---|---|---|"
)
