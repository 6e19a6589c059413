"""The path a keystroke really takes, as the app runs it, against the length of the history.

``python -m benchmarks keystroke`` types queries one key at a time into the application
layer's search (:meth:`agent_assist.app.search.Search.rows`: ranking plus every row's badges,
then :meth:`~agent_assist.app.search.Search.detail` of the top row, as the window shows it) on
the bundled demo pack and on a generated catalogue of 10,000 SOPs, with 0, 10,000 and 100,000
events already in the agent's handle-time log.  Each configuration opens a fresh
:class:`~agent_assist.app.context.AppContext`, so nothing read before is cached.

The ``full log read`` column times what the keystroke path used to do (read every event of the
agent, twice per keystroke): the cost this benchmark exists to keep out of it.

Target (issue 10): at 10,000 SOPs, p95 <= 5 ms per keystroke with 0 and with 100,000 events,
and the two within 1 ms of each other.  The last line printed is one JSON object:
``{"p95_ms": {"0": x, "10000": y, "100000": z}, "sops": 10000}``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from agent_assist.app import packs
from agent_assist.app.context import AppContext
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.worklog.clock import SystemClock
from agent_assist.core.worklog.events import Event, EventLog, EventType
from agent_assist.resources import demo_pack
from benchmarks import synth
from benchmarks.speed import import_catalogue, keystrokes
from benchmarks.tables import table

AGENT = "bench-agent"
DEMO_QUERIES = (
    "someone hacked my account and changed my email",
    "i was charged twice for my subscription",
    "my video got removed for copyright but it is my own music",
    "how do i get verified",
    "i want to delete my account and all my data",
    "my payout has not arrived",
    "the live stream keeps freezing",
    "someone is impersonating me",
    "i cannot log in the code never arrives",
    "refund for coins i bought by mistake",
)
SYNTH_QUERIES = 30
WARMUP_QUERIES = 1


def history(count: int, start: int, sop_ids: list[str]) -> Iterator[Event]:
    """``count`` events of one agent, like a working day's: tickets of 20 steps each, an
    acknowledgement now and then."""
    at = SystemClock().now()
    for n in range(start, start + count):
        session = f"s-{n // 20}"
        sop = sop_ids[(n // 20) % len(sop_ids)]
        if n % 500 == 499:
            yield Event(EventType.ACK_GIVEN, at, AGENT, sop_id=sop, sop_version=1)
        elif n % 20 == 0:
            yield Event(EventType.TICKET_STARTED, at, AGENT, ticket=f"T{n}", session_id=session)
        elif n % 20 == 19:
            yield Event(EventType.TICKET_ENDED, at, AGENT, ticket=f"T{n}", session_id=session)
        else:
            yield Event(
                EventType.STEP_ENTERED,
                at,
                AGENT,
                ticket=f"T{n}",
                session_id=session,
                sop_id=sop,
                sop_version=1,
                step_id=f"step-{n % 20}",
            )


def grow_log(data_dir: Path, have: int, want: int, sop_ids: list[str]) -> None:
    with EventLog.in_dir(data_dir) as log:
        batch: list[Event] = []
        for event in history(want - have, have, sop_ids):
            batch.append(event)
            if len(batch) == 5000:
                log.append(*batch)
                batch = []
        if batch:
            log.append(*batch)


def type_queries(data_dir: Path, queries: list[str]) -> dict[str, float]:
    """Type every query into a fresh context's search; per-keystroke times in ms."""
    with AppContext(data_dir, agent=AGENT) as ctx:
        search = ctx.search
        search.prepare()  # the index is loaded at start, before the agent types
        times = []
        for n, query in enumerate(queries):
            for typed in keystrokes(query):
                t = time.perf_counter()
                rows = search.rows(typed)
                if rows:
                    search.detail(rows[0].kind, rows[0].id)
                if n >= WARMUP_QUERIES:
                    times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        ctx.events.events(AGENT)
        full_read = (time.perf_counter() - t) * 1000
    ms = np.array(times)
    return {
        "keystrokes": len(times),
        "p50": float(np.percentile(ms, 50)),
        "p95": float(np.percentile(ms, 95)),
        "max": float(ms.max()),
        "full_read": full_read,
    }


def run(sops: int, event_counts: list[int]) -> tuple[str, dict[str, float]]:
    rows: list[list[object]] = []
    p95_at_size: dict[str, float] = {}
    cat = synth.catalogue(sops)
    synth_queries = [q for q, _ in synth.queries(cat, SYNTH_QUERIES)]
    with tempfile.TemporaryDirectory(prefix="aa-keystroke-") as tmp:
        for name in ("demo", "synthetic"):
            data_dir = Path(tmp) / name
            data_dir.mkdir()
            with AppContext(data_dir, agent=AGENT) as ctx:
                if name == "demo":
                    packs.load(ctx, packs.validate(demo_pack()))
                    queries = list(DEMO_QUERIES)
                    label = f"demo pack ({ctx.store.counts()['sop']} SOPs)"
                else:
                    import_catalogue(sops, data_dir)
                    queries = synth_queries
                    label = f"{sops:,} SOPs"
                ctx.search.prepare()  # build and save the index once, as a first start does
                sop_ids = [i.id for i in ctx.store.items(Kind.SOP)][:50]
            have = 0
            for count in event_counts:
                grow_log(data_dir, have, count, sop_ids)
                have = count
                r = type_queries(data_dir, queries)
                rows.append(
                    [
                        label,
                        f"{count:,}",
                        r["keystrokes"],
                        f"{r['p50']:.2f}",
                        f"{r['p95']:.2f}",
                        f"{r['max']:.1f}",
                        f"{r['full_read']:.1f}",
                    ]
                )
                if name == "synthetic":
                    p95_at_size[str(count)] = round(r["p95"], 3)
                print(f"  {label}, {count:,} events: p95 {r['p95']:.2f} ms", flush=True)
    text = table(
        [
            "catalogue",
            "events logged",
            "keystrokes",
            "p50 ms",
            "p95 ms",
            "max ms",
            "full log read ms (old path, per read)",
        ],
        rows,
    )
    return text, p95_at_size


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks keystroke", description=__doc__)
    p.add_argument("--sops", type=int, default=10_000, help="generated catalogue size")
    p.add_argument("--events", default="0,10000,100000", help="event counts (comma-separated)")
    args = p.parse_args(argv)
    counts = sorted(int(c) for c in args.events.split(","))
    text, p95 = run(args.sops, counts)
    print(text)
    print(json.dumps({"p95_ms": p95, "sops": args.sops}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
