"""Offline is a normal state: the hub goes away, the agent keeps working and logging, the hub
comes back and every event arrives exactly once.  Real hub, real client, no mocks."""

from __future__ import annotations

import queue
import sqlite3
import threading
from pathlib import Path

import httpx

from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.settings import Settings
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.events import DB_NAME, Event, EventLog, EventType
from agent_assist.hub.db import Database
from agent_assist.sync.backoff import Backoff
from agent_assist.sync.credentials import TOKEN_ENV, Credentials
from agent_assist.sync.service import (
    SyncReport,
    SyncState,
    listen_for_changes,
    run_sync,
    sync_once,
)
from tests.conftest import TINY_PACK
from tests.integration import hubserver
from tests.integration.hubserver import RunningHub

hub = hubserver.hub


def settings(data_dir: Path, hub: RunningHub) -> Settings:
    s = Settings(data_dir, system_file=data_dir / "none.toml")
    s.set("hub_url", hub.url)
    return s


def work(log: EventLog, clock: FakeClock, n: int, prefix: str) -> list[str]:
    """What an agent does while working: ``n`` short tickets, all logged locally."""
    ids = []
    for i in range(n):
        for kind in (EventType.TICKET_STARTED, EventType.SOP_OPENED, EventType.TICKET_ENDED):
            clock.advance(5)
            event = Event(
                kind,
                clock.now(),
                "local-name",
                ticket=f"{prefix}-{i}",
                session_id=f"{prefix}-s{i}",
                sop_id="coin-refund",
                sop_version=1,
                note="stays here",
            )
            log.append(event)
            ids.append(event.id)
    return ids


def hub_event_ids(hub: RunningHub) -> list[str]:
    db = Database.open(hub.database_url, hub.data_dir)
    try:
        with db.read() as tx:
            return [str(r[0]) for r in tx.execute("SELECT id FROM events ORDER BY id").fetchall()]
    finally:
        db.close()


def test_outage_then_every_event_exactly_once(hub: RunningHub, data_dir: Path) -> None:
    creds = Credentials(None, {TOKEN_ENV: hub.tokens["agent"]})
    clock = FakeClock()
    with EventLog.in_dir(data_dir) as log:
        before = work(log, clock, 2, "a")
    report = sync_once(data_dir, settings(data_dir, hub), credentials=creds)
    assert report.state is SyncState.ONLINE and report.pushed == 6

    hub.stop()
    with EventLog.in_dir(data_dir) as log:
        during = work(log, clock, 250, "b")  # 750 events: more than one batch
    for _ in range(3):  # the agent's app keeps trying; each round is a normal offline state
        report = sync_once(data_dir, settings(data_dir, hub), credentials=creds)
        assert report.state is SyncState.OFFLINE and report.pushed == 0
    with Store.in_dir(data_dir) as store:
        assert store.items() == [] or store.counts()  # the cache is usable offline

    hub.start()
    report, details = run_sync(data_dir, settings(data_dir, hub), credentials=creds)
    assert report.state is SyncState.ONLINE, report.error
    assert (report.pushed, details.pending) == (750, 0)
    assert sorted(before + during) == hub_event_ids(hub)

    # a lost acknowledgement of the hub's 2xx: everything is sent again, stored once
    conn = sqlite3.connect(data_dir / DB_NAME)
    conn.execute("DELETE FROM pushed")
    conn.commit()
    conn.close()
    report, details = run_sync(data_dir, settings(data_dir, hub), credentials=creds)
    assert (report.pushed, details.duplicates) == (756, 756)
    assert sorted(before + during) == hub_event_ids(hub)


def test_agent_id_is_the_token_name_and_private_fields_stay(
    hub: RunningHub, data_dir: Path
) -> None:
    with EventLog.in_dir(data_dir) as log:
        work(log, FakeClock(), 1, "c")
    creds = Credentials(None, {TOKEN_ENV: hub.tokens["agent"]})
    assert sync_once(data_dir, settings(data_dir, hub), credentials=creds).pushed == 3
    db = Database.open(hub.database_url, hub.data_dir)
    try:
        with db.read() as tx:
            rows = [
                (str(r[0]), str(r[1]))
                for r in tx.execute("SELECT agent_id, body FROM events").fetchall()
            ]
    finally:
        db.close()
    assert {agent for agent, _ in rows} == {"agent-bob"}
    assert all("stays here" not in body and '"ticket"' not in body for _, body in rows)


def test_acks_feedback_and_learned_phrasings_flow(hub: RunningHub, data_dir: Path) -> None:
    body = hubserver.publish_body(
        {
            **TINY_PACK,
            "sops/hacked-account.md": TINY_PACK["sops/hacked-account.md"].replace(
                "summary:", "requires_ack: true\nsummary:"
            ),
        }
    )
    assert httpx.post(f"{hub.url}/v1/publish", json=body, headers=hub.auth("lead")).is_success
    r = httpx.put(
        f"{hub.url}/v1/settings/learn_threshold", json={"value": 1}, headers=hub.auth("lead")
    )
    assert r.is_success, r.text
    creds = Credentials(None, {TOKEN_ENV: hub.tokens["agent"]})
    clock = FakeClock()
    with EventLog.in_dir(data_dir) as log:
        log.append(
            Event(
                EventType.ACK_GIVEN,
                clock.now(),
                "me",
                ticket="T",
                session_id="s",
                sop_id="hacked-account",
                sop_version=1,
            )
        )
    with Store.in_dir(data_dir) as store:
        store.record_feedback("my account got hacked", Kind.SOP, "hacked-account")
    report, details = run_sync(data_dir, settings(data_dir, hub), credentials=creds)
    assert report.state is SyncState.ONLINE and not report.error, report.error
    assert (details.acks, details.feedback) == (1, 1)
    coverage = httpx.get(
        f"{hub.url}/v1/acks", params={"sop_id": "hacked-account"}, headers=hub.auth("lead")
    ).json()
    assert "agent-bob" in coverage["acknowledged"]
    _, details = run_sync(data_dir, settings(data_dir, hub), credentials=creds)
    assert (details.acks, details.feedback) == (0, 0)  # each sent once
    with Store.in_dir(data_dir) as store:
        assert ("hacked-account", "my account got hacked") in [
            (sop, text) for sop, text, _ in store.learned_phrasings()
        ]


def test_background_sync_rides_out_an_outage(hub: RunningHub, data_dir: Path) -> None:
    """The app's loop: online, hub gone (offline reports, backoff), hub back (online again,
    the stream resumes and a publish arrives)."""
    reports: queue.Queue[SyncReport] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(
        target=listen_for_changes,
        args=(data_dir, settings(data_dir, hub), stop, reports.put),
        kwargs={
            "credentials": Credentials(None, {TOKEN_ENV: hub.tokens["agent"]}),
            "backoff": Backoff(base=0.05, cap=0.2),  # the outage test need not wait minutes
        },
        daemon=True,
    )
    thread.start()
    try:
        assert reports.get(timeout=10).state is SyncState.ONLINE
        hub.stop()
        assert reports.get(timeout=10).state is SyncState.OFFLINE
        with EventLog.in_dir(data_dir) as log:
            ids = work(log, FakeClock(), 2, "d")
        hub.start()
        report = reports.get(timeout=10)
        while report.state is SyncState.OFFLINE:
            report = reports.get(timeout=10)
        assert report.state is SyncState.ONLINE and report.pushed == len(ids)
        body = hubserver.publish_body(TINY_PACK)
        assert httpx.post(f"{hub.url}/v1/publish", json=body, headers=hub.auth("lead")).is_success
        report = reports.get(timeout=5)
        assert len(report.changed) == 4
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert hub_event_ids(hub) == sorted(ids)
