"""Time to first byte of each console page at 10,000 sessions: ``python -m benchmarks.console``.

A real hub (uvicorn on loopback, SQLite, a throwaway data dir) gets the console tests' two SOPs
published through the client and ``--sessions`` simulated sessions written straight through
the hub's ingest layer (``store_events``: the same rows an upload stores, without 10,000 HTTP
requests).  Then a lead signs in through the form and every console page is fetched
``--runs`` times; the table gives the median and the slowest time until the response's first
byte (headers), and the page size.  Pages are rendered whole before they are sent, so the
first byte is also nearly the last.  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from tests.browser.seed import AGENTS, PLANS, PUBLISHES, pack_payload, team_events
from tests.integration.hubserver import HubServer, RunningHub

PAGES = (
    ("overview, 30 days", "/console?range=30", "lead"),
    ("overview, 90 days", "/console?range=90", "lead"),
    ("SOP list", "/console/sops?days=90", "lead"),
    ("SOP page, all time", "/console/sops/card-refund?days=all", "lead"),
    ("SOP page, 90 days", "/console/sops/card-refund?days=90", "lead"),
    ("gaps inbox, 90 days", "/console/gaps?days=90", "lead"),
    ("usage", "/console/usage", "lead"),
    ("reviews", "/console/reviews", "lead"),
    ("tokens", "/console/tokens", "admin"),
    ("API overview", "/v1/reports/overview?days=30", "api"),
    ("API SOP report", "/v1/reports/sops?since=90d", "api"),
    ("API compare", "/v1/reports/compare?sop_id=card-refund&a=1&b=2", "api"),
    ("API gaps", "/v1/gaps", "api"),
)
GAP_WORDS = [
    "refund",
    "card",
    "password",
    "reset",
    "invoice",
    "shipping",
    "address",
    "delivery",
    "late",
    "broken",
    "login",
    "account",
    "locked",
    "email",
    "change",
    "plan",
    "cancel",
    "upgrade",
    "billing",
    "charged",
    "twice",
    "receipt",
]


def gap_events(now: dt.datetime, count: int, seed: int = 7) -> list[dict[str, object]]:
    """``count`` "nothing fits" reports and abandoned searches over 80 days, from about
    800 distinct queries (a few frequent, many rare), for the gaps inbox and its tile."""
    rng = random.Random(seed)
    queries = [" ".join(rng.sample(GAP_WORDS, rng.randint(2, 5))) for _ in range(800)]
    return [
        {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "type": rng.choice(("no_match_reported", "search_abandoned")),
            "wall": (now - dt.timedelta(days=rng.uniform(0, 80))).isoformat(
                timespec="microseconds"
            ),
            "mono": 0.0,
            "run_id": "gaps",
            "agent_id": rng.choice(AGENTS),
            "session_id": "",
            "query": rng.choice(queries[: rng.randint(1, len(queries))]),
        }
        for _ in range(count)
    ]


def seed(hub: RunningHub, sessions: int) -> int:
    """Publish through HTTP, store events through the ingest layer (with one gap event per
    two sessions); returns events stored."""
    from agent_assist.hub.db import Database
    from agent_assist.hub.ingest import store_events

    for files, note in PUBLISHES:
        hub.http.post(
            "/v1/publish", json=pack_payload(files, note), headers=hub.auth("lead")
        ).raise_for_status()
    per_scale = sum(p.sessions for p in PLANS)
    scale = max(1, round(sessions / per_scale))
    db = Database.open(hub.database_url, hub.data_dir)
    stored = 0
    try:
        batch: list[dict[str, object]] = []
        for event in team_events(dt.datetime.now(dt.UTC), scale):
            batch.append(event)
            if len(batch) == 2000:
                stored += store_events(db, batch)[0]
                batch = []
        stored += store_events(db, batch)[0]
        stored += store_events(db, gap_events(dt.datetime.now(dt.UTC), sessions // 2))[0]
    finally:
        db.close()
    return stored


def signed_in(hub: RunningHub, role: str) -> httpx.Client:
    client = httpx.Client(base_url=hub.url, timeout=120)
    form = client.get("/console/sign-in").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None
    answer = client.post(
        "/console/sign-in", data={"csrf": csrf.group(1), "token": hub.tokens[role]}
    )
    if answer.status_code != 303:  # signed in: See Other, to the console
        raise RuntimeError(f"sign-in as {role} failed ({answer.status_code})")
    return client


def ttfb(client: httpx.Client, path: str) -> tuple[float, int]:
    start = time.perf_counter()
    with client.stream("GET", path) as response:
        first = time.perf_counter() - start
        response.raise_for_status()
        size = len(response.read())
    return first, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, HubServer(Path(tmp), access_log=False) as hub:
        for name in AGENTS:
            if name != hub.names["agent"]:
                hub.create_token(name, "agent")
        began = time.perf_counter()
        events = seed(hub, args.sessions)
        print(
            f"seeded {events:,} events (~{args.sessions:,} sessions) in "
            f"{time.perf_counter() - began:.1f} s; {args.runs} runs per page\n"
        )
        clients = {role: signed_in(hub, role) for role in ("lead", "admin")}
        clients["api"] = httpx.Client(base_url=hub.url, timeout=120, headers=hub.auth("lead"))
        print("| page | path | median TTFB | slowest | size |")
        print("|---|---|---:|---:|---:|")
        for label, path, role in PAGES:
            ttfb(clients[role], path)  # warm-up: imports, template compilation
            times, size = [], 0
            for _ in range(args.runs):
                first, size = ttfb(clients[role], path)
                times.append(first)
            print(
                f"| {label} | `{path}` | {statistics.median(times) * 1000:,.0f} ms "
                f"| {max(times) * 1000:,.0f} ms | {size / 1024:,.0f} KiB |"
            )
        for client in clients.values():
            client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
