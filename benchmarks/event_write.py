"""Event-log write latency: ``python -m benchmarks.event_write [--count N] [--dir DIR]``.

Times one durable ``EventLog.append`` (one event, one transaction) N times for each
``synchronous`` setting, and the full session API call the UI makes per checklist step
(read the open sessions, fold their events, append).  Prints a Markdown table of median,
p99 and max in microseconds.  Use ``--dir`` to measure on the disk the app really uses
(the default is a temporary folder).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from agent_assist.core.worklog.clock import SystemClock
from agent_assist.core.worklog.events import Event, EventLog, EventType, Outcome
from agent_assist.core.worklog.reports import percentile
from agent_assist.core.worklog.sessions import SessionService


def _timed(count: int, call: Callable[[int], None]) -> list[float]:
    samples = []
    for n in range(count):
        start = time.perf_counter()
        call(n)
        samples.append((time.perf_counter() - start) * 1e6)
    return samples


def bench_append(folder: Path, count: int, sync: Literal["NORMAL", "FULL"]) -> list[float]:
    clock = SystemClock()
    with EventLog(folder / f"append-{sync}.sqlite3", synchronous=sync) as log:
        return _timed(
            count,
            lambda n: log.append(
                Event(
                    EventType.STEP_ENTERED,
                    clock.now(),
                    "agent-1",
                    ticket="T-1",
                    session_id="s",
                    step_id=f"step-{n}",
                )
            ),
        )


def bench_session_step(folder: Path, count: int) -> list[float]:
    """A realistic session: a new ticket every 20 steps, with another ticket open too."""
    clock = SystemClock()
    with EventLog(folder / "session.sqlite3") as log:
        service = SessionService(log, clock, "agent-1")
        service.start("other-open-ticket")

        def step(n: int) -> None:
            ticket = f"T-{n - n % 20}"
            if n % 20 == 0:
                if n:
                    service.end(Outcome.RESOLVED, ticket=f"T-{n - 20}")
                service.start(ticket)
            service.step(f"step-{n % 20}", ticket=ticket)

        return _timed(count, step)


def table(rows: list[tuple[str, list[float]]]) -> str:
    lines = ["| what | events | median µs | p99 µs | max µs |", "|---|---:|---:|---:|---:|"]
    for name, samples in rows:
        lines.append(
            f"| {name} | {len(samples)} | {percentile(samples, 50):.0f} | "
            f"{percentile(samples, 99):.0f} | {max(samples):.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.event_write", description=__doc__)
    p.add_argument("--count", type=int, default=10_000, help="events per row (10000)")
    p.add_argument("--dir", type=Path, help="measure here instead of a temporary folder")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        rows = [
            (
                "append, WAL + synchronous=NORMAL (default)",
                bench_append(folder, args.count, "NORMAL"),
            ),
            ("append, WAL + synchronous=FULL", bench_append(folder, args.count, "FULL")),
            ("SessionService.step (read state + append)", bench_session_step(folder, args.count)),
        ]
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
