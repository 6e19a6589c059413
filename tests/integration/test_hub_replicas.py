"""Two hub replicas (two uvicorn processes) on one PostgreSQL: change notices between them,
and the token checks that rely on them (also on the idle poll's fast path, both databases).

A publish through replica A must reach an SSE client of replica B within 1 s through
PostgreSQL ``LISTEN/NOTIFY``, and still within 2 s right after B's notice connection was
killed (``pg_terminate_backend``): B falls back to the counter poll and listens again.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.conftest import TINY_PACK
from tests.integration import hubserver
from tests.integration.hubserver import HubServer, RunningHub, publish_body

LISTENER = "agent-assist-hub-listen"
EXPIRY = dt.timedelta(seconds=3)


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[tuple[RunningHub, RunningHub]]:
    if hubserver.postgres_url() is None:
        pytest.skip(f"{hubserver.POSTGRES_ENV} is not set")
    with HubServer(tmp_path / "hub", "postgresql", access_log=False) as a:
        b = RunningHub(a.data_dir, a.database_url, a.kind, access_log=False, tokens=a.tokens)
        b.start()
        try:
            yield a, b
        finally:
            b.stop()


class Stream:
    """An SSE client of one replica, recording (arrival time, cursor) of each notice."""

    def __init__(self, hub: RunningHub) -> None:
        self.hub = hub
        self.notices: queue.Queue[tuple[float, int]] = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        url = f"{self.hub.url}/v1/stream"
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(30, read=60)) as client,
                client.stream("GET", url, headers=self.hub.auth("agent")) as response,
            ):
                for line in response.iter_lines():
                    if self.stop.is_set():
                        return
                    if line.startswith("data: "):
                        cursor = json.loads(line.removeprefix("data: "))["cursor"]
                        self.notices.put((time.perf_counter(), cursor))
        except httpx.HTTPError:
            return  # the hub stopping at teardown ends the stream

    def next_cursor(self, timeout: float) -> tuple[float, int]:
        return self.notices.get(timeout=timeout)


def _publish(hub: RunningHub, n: int) -> tuple[float, int]:
    """Publish revision ``n``: (time just before the request, the new cursor)."""
    files = dict(TINY_PACK)
    files["sops/coin-refund.md"] = TINY_PACK["sops/coin-refund.md"] + f"\nRevision {n}.\n"
    started = time.perf_counter()
    response = hub.http.post("/v1/publish", json=publish_body(files), headers=hub.auth("lead"))
    assert response.status_code == 200, response.text
    return started, int(response.json()["cursor"])


def _seen_within(stream: Stream, started: float, cursor: int, seconds: float) -> float:
    """Seconds from ``started`` until ``stream`` reported ``cursor`` (fails past ``seconds``)."""
    deadline = started + seconds
    while True:
        left = deadline - time.perf_counter()
        try:
            at, seen = stream.next_cursor(max(left, 0.01))
        except queue.Empty:
            raise AssertionError(f"cursor {cursor} not notified within {seconds} s") from None
        if seen >= cursor:
            assert at - started <= seconds, f"notified after {at - started:.2f} s"
            return at - started


def _listeners(admin_url: str, hub: RunningHub) -> list[int]:
    """Backend pids of ``hub``'s notice connection(s), from ``pg_stat_activity``."""
    assert hub.process is not None
    with psycopg.connect(admin_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
            (f"{LISTENER}/{hub.process.pid}",),
        ).fetchall()
    return [int(r[0]) for r in rows]


def _wait_listening(hub: RunningHub, timeout: float = 10.0) -> None:
    gave_up = time.monotonic() + timeout
    while hub.http.get("/healthz").json().get("notices") != "listen":
        assert time.monotonic() < gave_up, "the replica does not listen for notices"
        time.sleep(0.05)


def test_a_publish_on_one_replica_reaches_sse_clients_of_the_other(
    replicas: tuple[RunningHub, RunningHub],
) -> None:
    a, b = replicas
    admin_url = hubserver.postgres_url()
    assert admin_url is not None
    _wait_listening(b)
    assert len(_listeners(admin_url, b)) == 1
    stream = Stream(b)
    assert stream.next_cursor(10)[1] == 0  # on connect: the current cursor

    # Through LISTEN/NOTIFY: within 1 s, every time.
    delays = []
    for n in range(1, 4):
        started, cursor = _publish(a, n)
        delays.append(_seen_within(stream, started, cursor, 1.0))

    # Kill B's notice connection, publish at once: the counter poll (then the reconnected
    # listener) still brings it within 2 s.
    with psycopg.connect(admin_url, autocommit=True) as conn:
        (old,) = _listeners(admin_url, b)
        conn.execute("SELECT pg_terminate_backend(%s)", (old,))
    started, cursor = _publish(a, 10)
    delays.append(_seen_within(stream, started, cursor, 2.0))

    # B listens again on a new connection, and notices are quick again.
    _wait_listening(b)
    (new,) = _listeners(admin_url, b)
    assert new != old
    started, cursor = _publish(a, 11)
    delays.append(_seen_within(stream, started, cursor, 1.0))
    stream.stop.set()
    print("notice delays (s):", [round(d, 3) for d in delays])


def test_a_token_revoked_on_one_replica_is_refused_by_the_other_at_once(
    replicas: tuple[RunningHub, RunningHub],
) -> None:
    """The other replica trusts its token cache only through notices: a revocation through
    A's API is refused by B on the very next poll, also on its idle-poll fast path."""
    a, b = replicas
    _wait_listening(b)
    token = a.create_token("replica-agent", "agent")
    idle = {**b.auth(token), "If-None-Match": '"c0"'}
    for _ in range(3):  # verified and cached by B: answered on the fast path
        assert b.http.get("/v1/changes", params={"since": 0}, headers=idle).status_code == 304
    revoked = a.http.delete("/v1/tokens/replica-agent", headers=a.auth("admin"))
    assert revoked.status_code in (200, 204), revoked.text
    refused = b.http.get("/v1/changes", params={"since": 0}, headers=idle)
    assert refused.status_code == 401, refused.text


hub = hubserver.hub


def test_the_idle_poll_fast_path_refuses_revoked_and_expired_tokens(hub: RunningHub) -> None:
    """Once a token is cached, its idle polls skip the framework (the sampled access-log line
    says ``"fast"``); a revocation by the CLI and an expiry still end them at once."""
    from agent_assist.hub.auth import Role, create_token
    from agent_assist.hub.db import Database

    db = Database.open(hub.database_url, hub.data_dir)
    try:
        soon = create_token(db, "short-lived", Role.AGENT, dt.datetime.now(dt.UTC) + EXPIRY)
    finally:
        db.close()
    token = hub.create_token("to-revoke", "agent")
    for bearer in (token, soon):
        polls = [
            hub.http.get("/v1/changes", headers={**hub.auth(bearer), "If-None-Match": '"c0"'})
            for _ in range(3)
        ]
        assert [p.status_code for p in polls] == [304] * 3
    line = hub.wait_for_log(lambda ln: ln.startswith("{") and '"fast": true' in ln)
    assert json.loads(line)["status"] == 304

    subprocess.run(hub.command("token", "revoke", "to-revoke"), check=True)
    refused = hub.http.get("/v1/changes", headers={**hub.auth(token), "If-None-Match": '"c0"'})
    assert refused.status_code == 401

    time.sleep(EXPIRY.total_seconds() + 0.5)
    expired = hub.http.get("/v1/changes", headers={**hub.auth(soon), "If-None-Match": '"c0"'})
    assert expired.status_code == 401 and "expired" in expired.json()["message"]
