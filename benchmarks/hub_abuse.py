"""Idle polls while unauthenticated senders push 8 MiB bodies: ``python -m benchmarks.hub_abuse``.

N agents idle-poll the feed (``If-None-Match``, a 304 each time) over kept-alive connections
on loopback, first alone, then while ``--senders`` processes (default 4) each POST 8 MiB to
``/v1/publish`` without a valid token, as fast as the hub lets them, in one request shape per
row: a ``Content-Length`` body, a chunked body, and ``Expect: 100-continue``.  Reported per
row: the agents' poll p50/p99, the hub process's CPU use (a share of one core: what the
senders cost the hub, apart from what they cost the machine), and the senders' requests and
statuses (``reset`` when the hub closed the connection on the unread body).  A benchmark,
not a test: it prints numbers.

Before the gate (issue 11) the hub read and parsed every such body before the token was
checked: with 4 senders, idle polls went from 44 ms to a median of 4.6 s.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.hub_load import RawHttp
from tests.integration.hubserver import HubServer, RunningHub

MIB = 1024 * 1024
BODY = 8 * MIB
SHAPES = ("content-length", "chunked", "expect-100")


async def _send_one(port: int, shape: str) -> str:
    """One 8 MiB request of ``shape`` with a wrong token; the status, or how it ended."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = ["POST /v1/publish HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    head += ["Authorization: Bearer not-a-token", "Content-Type: application/json"]
    if shape == "chunked":
        head.append("Transfer-Encoding: chunked")
    else:
        head.append(f"Content-Length: {BODY}")
    if shape == "expect-100":
        head.append("Expect: 100-continue")
    try:
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        if shape == "expect-100":  # a well-behaved client waits for the 100 first
            line = await asyncio.wait_for(reader.readline(), 10)
            if not line.startswith(b"HTTP/1.1 100"):
                return line.split()[1].decode() if line else "closed"
        piece = b"x" * 65536
        try:
            for _ in range(BODY // len(piece)):
                writer.write(b"10000\r\n" + piece + b"\r\n" if shape == "chunked" else piece)
                await writer.drain()
            if shape == "chunked":
                writer.write(b"0\r\n\r\n")
        except ConnectionError:  # the hub answered and closed: read what it said, as httpx does
            pass
        line = await asyncio.wait_for(reader.readline(), 30)
        return line.split()[1].decode() if line else "closed"
    except ConnectionError:
        return "reset"
    except TimeoutError:
        return "timeout"
    finally:
        writer.close()


def _sender(port: int, shape: str, seconds: float, out: Any) -> None:
    async def loop() -> tuple[Counter[str], list[float]]:
        statuses: Counter[str] = Counter()
        times: list[float] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            start = time.perf_counter()
            statuses[await _send_one(port, shape)] += 1
            times.append(time.perf_counter() - start)
        return statuses, times

    out.put(asyncio.run(loop()))


async def _agents(hub: RunningHub, n: int, interval: float, seconds: float) -> list[float]:
    latencies: list[float] = []
    headers = hub.auth("agent")
    deadline = time.monotonic() + seconds

    async def agent() -> None:
        http = RawHttp(hub.url)
        try:
            _, head, body = await http.request("GET", "/v1/changes?since=0", headers)
            cursor, etag = body["cursor"], head["etag"]
            while time.monotonic() < deadline:
                start = time.perf_counter()
                status, _, _ = await http.request(
                    "GET", f"/v1/changes?since={cursor}", {**headers, "If-None-Match": etag}
                )
                latencies.append(time.perf_counter() - start)
                assert status == 304, status
                await asyncio.sleep(interval)
        finally:
            await http.close()

    await asyncio.gather(*(agent() for _ in range(n)))
    return latencies


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _row(
    label: str,
    polls: list[float],
    senders: list[tuple[Counter[str], list[float]]],
    cpu: float,
) -> str:
    ordered = sorted(polls)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    statuses: Counter[str] = Counter()
    times: list[float] = []
    for counted, took in senders:
        statuses.update(counted)
        times += took
    sent = sum(statuses.values())
    median = f"{statistics.median(times) * 1000:.0f}" if times else "-"
    shown = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) or "-"
    return (
        f"| {label} | {len(polls)} | {p50:.1f} | {p99:.1f} | {cpu:.0%} | {sent} | {shown} "
        f"| {median} |"
    )


def run(hub: RunningHub, args: argparse.Namespace) -> list[str]:
    assert hub.process is not None
    pid = hub.process.pid
    began, start = _cpu_seconds(pid), time.monotonic()
    polls = asyncio.run(_agents(hub, args.agents, args.interval, 5))
    busy = (_cpu_seconds(pid) - began) / (time.monotonic() - start)
    rows = [_row("no senders", polls, [], busy)]
    context = multiprocessing.get_context("spawn")
    for shape in SHAPES:
        out = context.Queue()
        senders = [
            context.Process(target=_sender, args=(hub.port, shape, args.seconds, out))
            for _ in range(args.senders)
        ]
        began, start = _cpu_seconds(pid), time.monotonic()
        for process in senders:
            process.start()
        polls = asyncio.run(_agents(hub, args.agents, args.interval, args.seconds))
        busy = (_cpu_seconds(pid) - began) / (time.monotonic() - start)
        results = [out.get(timeout=args.seconds + 120) for _ in senders]
        for process in senders:
            process.join(30)
        rows.append(_row(f"{args.senders} senders, {shape}", polls, results, busy))
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.hub_abuse", description=__doc__)
    p.add_argument("--agents", type=int, default=50, help="idle-polling agents")
    p.add_argument("--interval", type=float, default=0.2, help="seconds between polls")
    p.add_argument("--senders", type=int, default=4, help="unauthenticated 8 MiB senders")
    p.add_argument("--seconds", type=float, default=10.0, help="per row (bounded run)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, HubServer(Path(tmp), access_log=False) as hub:
        rows = run(hub, args)
    print(
        f"hub_abuse: {args.agents} agents polling every {args.interval} s; senders POST "
        f"8 MiB to /v1/publish with a wrong token\n"
    )
    print(
        "| row | polls | poll p50 ms | poll p99 ms | hub CPU | sender requests | statuses "
        "| sender ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
