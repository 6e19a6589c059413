"""Load on a real hub over loopback: ``python -m benchmarks.hub_load --help``.

N simulated clients (default 1,000) on plain sockets (``RawHttp``; ``--client httpx`` for the
desktop's own HTTP stack, which then limits the run); each one, in a loop, waits a
random think time (mean ``--interval`` seconds) and then does what a desktop client does:
an idle delta poll with ``If-None-Match`` (usually 304), a change pull when a publish moved the
feed (a lead publishes every ``--publish-every`` seconds), or an event upload (one ticket's
events, ``--upload-share`` of the requests).  Reported per database: requests/s, p50/p99
latency and errors (5xx, unexpected 4xx, connection failures), over the whole run and again
without its first ``--warmup`` seconds (when every client does its first full pull at once).
Then ``--sse-clients`` Server-Sent-Events clients connect (on PostgreSQL spread over
``--replicas`` hub servers on the one database), a lead publishes through the first, and
the time until every client has seen the notice is measured.  With ``--ceiling``, idle polls in a
closed loop are measured against the hub and against a bare ASGI app on the same server
settings, in the same run, and the hub's share of that ceiling is printed
(``benchmarks/hub_ceiling.py``).

PostgreSQL runs need ``--postgres-url`` or ``AGENT_ASSIST_TEST_POSTGRES_URL`` (for example
from ``eval "$(scripts/postgres-test-cluster start)"``).  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import random
import resource
import ssl
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from agent_assist.hub.auth import Role, create_token
from agent_assist.hub.db import Database
from benchmarks import hub_ceiling
from tests.conftest import TINY_PACK
from tests.integration.hubserver import HubServer, RunningHub, publish_body, session_events


@dataclass
class Results:
    records: list[tuple[float, float, str]] = field(default_factory=list)
    """(seconds since the load started, latency in seconds, kind) per request."""
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    t0: float = 0.0

    def row(self, name: str, clients: int, after: float = 0.0) -> str:
        """A table row over the requests started ``after`` seconds into the run or later."""
        kept = [(lat, kind) for t, lat, kind in self.records if t >= after]
        lat = sorted(x for x, _ in kept)
        by_kind: dict[str, list[float]] = {}
        for x, kind in kept:
            by_kind.setdefault(kind, []).append(x)
        p50 = lat[len(lat) // 2] * 1000 if lat else float("nan")
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else float("nan")
        span = self.seconds - after
        rate = len(lat) / span if span > 0 else 0.0
        mix = ", ".join(
            f"{k} {len(v)} (p50 {_pct(v, 50):.0f} / p99 {_pct(v, 99):.0f})"
            for k, v in sorted(by_kind.items())
        )
        errors = sum(self.errors.values())
        detail = f" ({dict(self.errors)})" if errors else ""
        label = f"{name}, after {after:.0f} s" if after else name
        return (
            f"| {label} | {clients} | {span:.0f} | {len(lat)} | {rate:,.0f} | "
            f"{p50:.1f} | {p99:.1f} | {errors}{detail} | {mix} |"
        )


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))] * 1000 if ordered else 0.0


def _publisher_files(n: int) -> dict[str, str]:
    files = dict(TINY_PACK)
    files["sops/coin-refund.md"] = TINY_PACK["sops/coin-refund.md"] + f"\nRevision {n}.\n"
    return files


class RawHttp:
    """A minimal keep-alive HTTP/1.1 client on asyncio streams (``--client raw``, the
    default).

    httpx costs about 2 ms of CPU per request on this class of machine, so on two cores the
    load generator, not the hub, becomes the bottleneck; this client costs a fraction of that
    and measures the hub instead.  It understands exactly what the hub sends
    (``Content-Length`` bodies, gzip-encoded or not, 304 without a body); like httpx, it
    accepts gzip."""

    def __init__(self, url: str) -> None:
        parsed = httpx.URL(url)
        self.host, self.port = parsed.host, parsed.port or 80
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: Any = None
    ) -> tuple[int, dict[str, str], Any]:
        for attempt in (1, 2):  # a kept-alive connection the hub closed: reconnect once
            fresh = self.writer is None
            try:
                return await self._request(method, path, headers, body)
            except (ConnectionError, asyncio.IncompleteReadError, httpx.RemoteProtocolError):
                await self.close()
                if fresh or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _request(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], Any]:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        data = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head.append("Accept-Encoding: gzip")
        head += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:  # like httpx: a bodiless GET carries no Content-Length
            head += [f"Content-Length: {len(data)}", "Content-Type: application/json"]
        head += ["", ""]
        self.writer.write("\r\n".join(head).encode() + data)
        status_line = await self.reader.readline()
        if not status_line:
            raise httpx.RemoteProtocolError("connection closed")
        status = int(status_line.split()[1])
        response_headers = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            response_headers[name.strip().lower()] = value.strip()
        length = int(response_headers.get("content-length", "0"))
        content = await self.reader.readexactly(length) if length else b""
        if response_headers.get("content-encoding") == "gzip":
            content = gzip.decompress(content)
        return status, response_headers, json.loads(content) if content else None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class HttpxHttp:
    """The same interface on httpx (``--client httpx``: the desktop's own HTTP stack, to
    check the raw client's figures against)."""

    def __init__(self, url: str) -> None:
        self.client = httpx.AsyncClient(base_url=url, verify=SSL, timeout=30.0)

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: Any = None
    ) -> tuple[int, dict[str, str], Any]:
        r = await self.client.request(method, path, headers=headers, json=body)
        return r.status_code, dict(r.headers), r.json() if r.content else None

    async def close(self) -> None:
        await self.client.aclose()


async def _client(
    hub: RunningHub,
    token: str,
    name: str,
    deadline: float,
    args: argparse.Namespace,
    out: Results,
) -> None:
    http = RawHttp(hub.url) if args.client == "raw" else HttpxHttp(hub.url)
    try:
        await _client_loop(http, token, name, deadline, args, out)
    finally:
        await http.close()


async def _client_loop(
    http: RawHttp | HttpxHttp,
    token: str,
    name: str,
    deadline: float,
    args: argparse.Namespace,
    out: Results,
) -> None:
    rng = random.Random(name)
    cursor, etag = 0, None
    headers = {"Authorization": f"Bearer {token}"}
    await asyncio.sleep(rng.uniform(0, args.interval))  # spread the start
    while time.monotonic() < deadline:
        kind = "upload" if rng.random() < args.upload_share else "poll"
        if kind == "upload":  # a desktop's outbox holds its events ready: not timed
            events = session_events(name, "coin-refund", 1, rng.uniform(60, 900))
        start = time.perf_counter()
        try:
            if kind == "upload":
                status, _, _ = await http.request("POST", "/v1/events", headers, {"events": events})
                ok = status == 200
            else:
                more = True
                while more:
                    h = {**headers, **({"If-None-Match": etag} if etag else {})}
                    status, rh, body = await http.request("GET", f"/v1/changes?since={cursor}", h)
                    ok = status in (200, 304)
                    if status == 200:
                        cursor, etag, more = body["cursor"], rh["etag"], body["more"]
                        kind = "pull" if body["changes"] else "poll-200"
                    else:
                        more = False
            out.records.append((start - out.t0, time.perf_counter() - start, kind))
            if not ok:
                out.errors[str(status)] += 1
        except (httpx.HTTPError, OSError, asyncio.IncompleteReadError) as exc:
            out.errors[type(exc).__name__] += 1
        await asyncio.sleep(min(rng.expovariate(1 / args.interval), deadline - time.monotonic()))


async def _publisher(
    http: httpx.AsyncClient, hub: RunningHub, deadline: float, every: float
) -> None:
    n = 0
    while time.monotonic() + every < deadline:
        await asyncio.sleep(every)
        n += 1
        body = publish_body(_publisher_files(n), note=f"load {n}")
        r = await http.post("/v1/publish", json=body, headers=hub.auth("lead"))
        r.raise_for_status()


SSL = ssl.create_default_context()
"""One TLS context for every simulated client (loopback is plain HTTP; building a context
per client would dominate start-up)."""


def _limits(n: int) -> httpx.Limits:
    return httpx.Limits(max_connections=n + 10, max_keepalive_connections=n + 10)


async def load(hub: RunningHub, args: argparse.Namespace) -> Results:
    db = Database.open(hub.database_url, hub.data_dir)
    try:
        tokens = [create_token(db, f"load-{i}", Role.AGENT) for i in range(args.clients)]
    finally:
        db.close()
    out = Results()
    timeout = httpx.Timeout(30.0)
    async with httpx.AsyncClient(
        base_url=hub.url, limits=_limits(args.clients), timeout=timeout
    ) as http:
        await http.post("/v1/publish", json=publish_body(TINY_PACK), headers=hub.auth("lead"))
        start = time.monotonic()
        out.t0 = time.perf_counter()
        deadline = start + args.duration
        await asyncio.gather(
            _publisher(http, hub, deadline, args.publish_every),
            *(_client(hub, t, f"load-{i}", deadline, args, out) for i, t in enumerate(tokens)),
        )
        out.seconds = min(time.monotonic() - start, args.duration)
    return out


async def raw_lines(url: str, path: str, headers: dict[str, str]) -> AsyncIterator[str]:
    """The lines of a streamed GET response on a plain socket (``--client raw``).

    The hub streams Server-Sent Events chunked, one event per chunk, so the chunk-size lines
    come out here between the events' own lines; callers look only at ``data:`` lines."""
    parsed = httpx.URL(url)
    reader, writer = await asyncio.open_connection(parsed.host, parsed.port or 80)
    try:
        head = [f"GET {path} HTTP/1.1", f"Host: {parsed.host}:{parsed.port}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        writer.write("\r\n".join([*head, "", ""]).encode())
        status_line = await reader.readline()
        if b" 200 " not in status_line:
            raise httpx.RemoteProtocolError(f"stream refused: {status_line!r}")
        while (line := await reader.readline()) not in (b"\r\n", b""):
            pass
        while line := await reader.readline():
            yield line.decode().rstrip("\r\n")
    finally:
        writer.close()


async def sse_fanout(
    hubs: list[RunningHub], n: int, client: str = "httpx"
) -> tuple[float, float, int, int]:
    """(ms until every connected client saw the publish, median ms, clients that saw it,
    clients connected).  The clients are spread evenly over the replicas ``hubs``; the lead
    publishes through the first.  Clients still not connected after 120 s (a machine too
    busy to open them all) are left out rather than failing the run."""
    hub = hubs[0]
    token = hub.tokens["agent"]
    connected = 0
    expected = n
    all_connected = asyncio.Event()
    seen: list[float] = []
    published_at = 0.0
    target = asyncio.Event()
    limits = _limits(n)
    timeout = httpx.Timeout(60.0, read=120.0)

    async def listen(http: httpx.AsyncClient, replica: RunningHub) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        if client == "raw":
            await read(raw_lines(replica.url, "/v1/stream", headers))
            return
        url = f"{replica.url}/v1/stream"
        async with http.stream("GET", url, headers=headers) as response:
            await read(response.aiter_lines())

    async def read(lines: AsyncIterator[str]) -> None:
        nonlocal connected
        first = None
        async for line in lines:
            if not line.startswith("data: "):
                continue
            cursor = json.loads(line[6:])["cursor"]
            if first is None:
                first = cursor
                connected += 1
                if connected == n:
                    all_connected.set()
            elif cursor > first:
                seen.append(time.perf_counter() - published_at)
                if len(seen) >= expected:
                    target.set()
                return

    async with httpx.AsyncClient(base_url=hub.url, limits=limits, timeout=timeout) as http:
        tasks = [asyncio.create_task(listen(http, hubs[i % len(hubs)])) for i in range(n)]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_connected.wait(), 120)
        expected = connected
        published_at = time.perf_counter()
        body = publish_body(_publisher_files(10**6), note="sse fan-out")
        (await http.post("/v1/publish", json=body, headers=hub.auth("lead"))).raise_for_status()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(target.wait(), 60)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if not seen:
        return float("nan"), float("nan"), 0, expected
    return max(seen) * 1000, statistics.median(seen) * 1000, len(seen), expected


@contextlib.contextmanager
def _replicas(hub: RunningHub, count: int) -> Iterator[list[RunningHub]]:
    """``hub`` and ``count - 1`` more servers on its database and data dir."""
    hubs = [hub]
    try:
        for _ in range(count - 1):
            hubs.append(
                RunningHub(
                    hub.data_dir,
                    hub.database_url,
                    hub.kind,
                    access_log=False,
                    workers=hub.workers,
                    tokens=hub.tokens,
                )
            )
            hubs[-1].start()
        yield hubs
    finally:
        for extra in hubs[1:]:
            extra.stop()


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.hub_load", description=__doc__)
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--duration", type=float, default=60.0, help="seconds per database")
    p.add_argument("--interval", type=float, default=1.0, help="mean think time per client (s)")
    p.add_argument("--upload-share", type=float, default=0.1)
    p.add_argument("--publish-every", type=float, default=10.0)
    p.add_argument("--sse-clients", type=int, default=1000)
    p.add_argument(
        "--replicas",
        type=int,
        default=2,
        help="PostgreSQL: hub replicas (separate servers on one database) the SSE clients "
        "are spread over; the publish goes through the first (SQLite: always one)",
    )
    p.add_argument("--client", choices=["httpx", "raw"], default="raw", help="see RawHttp")
    p.add_argument("--workers", type=int, default=1, help="hub worker processes")
    p.add_argument(
        "--warmup",
        type=float,
        default=5.0,
        help="also report the requests started after this many seconds (0: no such row): "
        "the first seconds hold every client's first full pull at once",
    )
    p.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument(
        "--ceiling",
        action="store_true",
        help="also measure closed-loop idle polls against the hub and a bare ASGI app",
    )
    p.add_argument("--ceiling-connections", type=int, default=64)
    p.add_argument("--ceiling-seconds", type=float, default=5.0, help="per round (2 each)")
    p.add_argument("--postgres-url", default=os.environ.get("AGENT_ASSIST_TEST_POSTGRES_URL"))
    args = p.parse_args(argv)
    if args.postgres_url:
        os.environ["AGENT_ASSIST_TEST_POSTGRES_URL"] = args.postgres_url
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in databases and not args.postgres_url:
        p.error("PostgreSQL needs --postgres-url or AGENT_ASSIST_TEST_POSTGRES_URL")
    _raise_fd_limit()
    rows, sse_rows, ceiling_rows = [], [], []
    for database in databases:
        with (
            tempfile.TemporaryDirectory() as tmp,
            HubServer(Path(tmp), database, access_log=False, workers=args.workers) as hub,
        ):
            results = asyncio.run(load(hub, args))
            rows.append(results.row(database, args.clients))
            if args.warmup:
                rows.append(results.row(database, args.clients, after=args.warmup))
            if args.sse_clients:
                replicas = args.replicas if database == "postgresql" else 1
                with _replicas(hub, replicas) as hubs:
                    worst, median, count, up = asyncio.run(
                        sse_fanout(hubs, args.sse_clients, args.client)
                    )
                sse_rows.append(
                    f"| {database} | {replicas} | {args.sse_clients} | {up} | {count} "
                    f"| {median:.0f} | {worst:.0f} |"
                )
            if args.ceiling:
                mine, bare = hub_ceiling.ceiling(
                    hub, args.ceiling_connections, args.ceiling_seconds
                )
                ceiling_rows.append(hub_ceiling.row(database, mine, bare))
    print(
        f"hub_load: {args.workers} worker(s), think time {args.interval} s, uploads "
        f"{args.upload_share:.0%}, a publish every {args.publish_every} s\n"
    )
    print(
        "| database | clients | seconds | requests | req/s | p50 ms | p99 ms | errors "
        "| mix (p50 / p99 ms) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    if sse_rows:
        print(
            "\n| database | replicas | SSE clients | connected | notified | median ms "
            "| all notified ms |"
        )
        print("|---|---|---|---|---|---|---|")
        print("\n".join(sse_rows))
    if ceiling_rows:
        print(
            f"\nidle polls, closed loop of {args.ceiling_connections} connections, "
            f"{hub_ceiling.ROUNDS} x {args.ceiling_seconds:g} s each:\n"
        )
        print(hub_ceiling.HEADER)
        print("\n".join(ceiling_rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
