"""A sync killed (SIGKILL) at several points leaves the cache consistent, and the next sync
finishes the job: every page lands whole with its cursor, every event arrives exactly once.

The client runs as ``agent-assist sync`` in a subprocess; ``AGENT_ASSIST_SYNC_KILL_AT`` (see
``agent_assist/sync/killpoints.py``) makes it SIGKILL itself at the named point, and
``AGENT_ASSIST_SYNC_PAGE_LIMIT=2`` turns six published items into three feed pages.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from agent_assist.core.cache.store import DB_NAME
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.events import Event, EventLog, EventType
from agent_assist.hub.db import Database
from agent_assist.sync.credentials import TOKEN_ENV
from tests.conftest import TINY_PACK
from tests.integration import hubserver
from tests.integration.hubserver import RunningHub

hub = hubserver.hub
pytestmark = pytest.mark.slow
EXTRA = {
    f"macros/extra-{n}.md": f"---\nid: extra-{n}\ntitle: Extra reply {n}\n---\nHello {n}.\n"
    for n in (1, 2)
}
EVENTS = 600  # two push batches (500 + 100)


def run_sync(
    hub: RunningHub, data_dir: Path, kill_at: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        TOKEN_ENV: hub.tokens["agent"],
        "AGENT_ASSIST_SYNC_PAGE_LIMIT": "2",
        "AGENT_ASSIST_SYNC_KILL_AT": kill_at,
        "AGENT_ASSIST_SYSTEM_CONFIG": str(data_dir / "no-system.toml"),
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "agent_assist",
            "--data-dir",
            str(data_dir),
            "sync",
            "--hub",
            hub.url,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def cache(data_dir: Path) -> tuple[int, list[tuple[object, ...]]]:
    """The hub cursor and the items as (kind, id, version, hash, pack), after checking the
    file and its full-text index are intact."""
    conn = sqlite3.connect(data_dir / DB_NAME)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.execute("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')")
        row = conn.execute("SELECT cursor FROM hub_state").fetchone()
        items = conn.execute(
            "SELECT kind, item_id, version, content_hash, pack FROM items ORDER BY 1, 2"
        ).fetchall()
        return (0 if row is None else int(row[0])), items
    finally:
        conn.close()


def feed_items(hub: RunningHub, until: int) -> list[tuple[object, ...]]:
    """What the cache must hold once it applied the feed up to ``until``."""
    changes = httpx.get(
        f"{hub.url}/v1/changes", params={"since": 0, "limit": until}, headers=hub.auth("agent")
    ).json()["changes"]
    return sorted((c["kind"], c["id"], c["version"], c["content_hash"], c["pack"]) for c in changes)


def hub_events(hub: RunningHub) -> list[str]:
    db = Database.open(hub.database_url, hub.data_dir)
    try:
        with db.read() as tx:
            return sorted(str(r[0]) for r in tx.execute("SELECT id FROM events").fetchall())
    finally:
        db.close()


@pytest.mark.parametrize(
    ("kill_at", "cursor", "hub_has"),
    [
        ("before-commit-page-1", 0, 0),
        ("after-page-1", 2, 0),
        ("before-commit-page-2", 2, 0),
        ("after-page-3", 6, 0),
        ("before-mark-push-1", 6, 500),
        ("after-push-1", 6, 500),
        ("before-mark-push-2", 6, EVENTS),
    ],
)
def test_killed_sync_leaves_the_cache_consistent(
    hub: RunningHub, data_dir: Path, kill_at: str, cursor: int, hub_has: int
) -> None:
    body = hubserver.publish_body({**TINY_PACK, **EXTRA})
    assert httpx.post(f"{hub.url}/v1/publish", json=body, headers=hub.auth("lead")).is_success
    clock, ids = FakeClock(), []
    with EventLog.in_dir(data_dir) as log:
        for n in range(EVENTS):
            clock.advance(1)
            event = Event(
                EventType.SOP_OPENED,
                clock.now(),
                "me",
                ticket=f"T{n}",
                session_id=f"s{n}",
                sop_id="coin-refund",
                sop_version=1,
            )
            log.append(event)
            ids.append(event.id)

    killed = run_sync(hub, data_dir, kill_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert cache(data_dir) == (cursor, feed_items(hub, cursor) if cursor else [])
    assert len(hub_events(hub)) == hub_has

    done = run_sync(hub, data_dir)
    assert done.returncode == 0, done.stderr
    assert cache(data_dir) == (6, feed_items(hub, 6))
    assert hub_events(hub) == sorted(ids)  # every event, exactly once
    with EventLog.in_dir(data_dir) as log:
        assert log.unpushed_count() == 0
