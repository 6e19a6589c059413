"""A real hub for integration tests: uvicorn on 127.0.0.1, a free port, its own data dir.

Usage in a test module (pytest finds fixtures bound to module names)::

    from tests.integration import hubserver
    from tests.integration.hubserver import RunningHub

    hub = hubserver.hub                # per test; parametrized [sqlite, postgresql]
    shared_hub = hubserver.shared_hub  # one per module and database, for read-mostly tests

    def test_whoami(hub: RunningHub) -> None:
        r = httpx.get(f"{hub.url}/v1/whoami", headers=hub.auth("agent"))
        assert r.json() == {"name": hub.names["agent"], "role": "agent"}

``hub.tokens`` / ``hub.names`` hold an ``admin``, ``lead`` and ``agent`` token (names
``admin-root``, ``lead-anna``, ``agent-bob``); ``hub.create_token(name, role)`` makes more.
``hub.stop()`` then ``hub.start()`` restarts the same hub on the same port and data (an outage);
``hub.kill()`` is SIGKILL.  Without pytest: ``with HubServer(tmp_dir) as hub: ...``.

The server is a subprocess (``python -m agent_assist.hub.cli serve``), so tests talk to it
exactly as a client would.  Readiness is uvicorn's "running on" log line, then ``/healthz``.
The ``postgresql`` parameter needs ``AGENT_ASSIST_TEST_POSTGRES_URL`` (``scripts/test`` starts
a throwaway cluster and sets it); each hub gets a fresh database, dropped afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

POSTGRES_ENV = "AGENT_ASSIST_TEST_POSTGRES_URL"
DATABASES = ("sqlite", "postgresql")
ROLE_NAMES = {"admin": "admin-root", "lead": "lead-anna", "agent": "agent-bob"}
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def _with_dbname(url: str, name: str) -> str:
    """``url`` pointing at database ``name`` (works for URLs with a query string)."""
    base, _, query = url.partition("?")
    prefix = base.rsplit("/", 1)[0]
    return f"{prefix}/{name}" + (f"?{query}" if query else "")


def create_postgres_database(url: str) -> str:
    import psycopg

    name = f"hubtest_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return _with_dbname(url, name)


def drop_postgres_database(admin_url: str, url: str) -> None:
    import psycopg

    name = url.partition("?")[0].rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class RunningHub:
    """A hub subprocess; ``url`` stays the same across ``stop``/``start``."""

    data_dir: Path
    database_url: str | None
    kind: str
    port: int = field(default_factory=free_port)
    keepalive: float = 15.0
    access_log: bool = True
    workers: int = 1
    extra_args: list[str] = field(default_factory=list)
    """More ``serve`` options (``--limit-writes 0``, ``--docs``, ...)."""
    tokens: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=lambda: dict(ROLE_NAMES))
    process: subprocess.Popen[str] | None = None
    log: list[str] = field(default_factory=list)
    _drainer: threading.Thread | None = None
    _http: httpx.Client | None = None
    _logged: threading.Condition = field(default_factory=threading.Condition)

    @property
    def http(self) -> httpx.Client:
        """A keep-alive client on ``url`` (cheaper than ``httpx.get`` per request)."""
        if self._http is None:
            self._http = httpx.Client(base_url=self.url, timeout=30)
        return self._http

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def auth(self, role_or_token: str) -> dict[str, str]:
        """Headers for a role's token (``"agent"``) or for a raw token."""
        token = self.tokens.get(role_or_token, role_or_token)
        return {"Authorization": f"Bearer {token}"}

    def command(self, *args: str) -> list[str]:
        """An ``agent-assist-hub`` command line pointing at this hub's store."""
        cmd = [
            sys.executable,
            "-m",
            "agent_assist.hub.cli",
            *args,
            "--data-dir",
            str(self.data_dir),
        ]
        return cmd + (["--database", self.database_url] if self.database_url else [])

    def create_token(self, name: str, role: str) -> str:
        from agent_assist.hub.auth import Role, create_token
        from agent_assist.hub.db import Database

        db = Database.open(self.database_url, self.data_dir)
        try:
            token = create_token(db, name, Role.parse(role))
        finally:
            db.close()
        self.tokens[name] = token
        return token

    def start(self) -> None:
        args = ["serve", "--port", str(self.port), "--sse-keepalive", str(self.keepalive)]
        args += [] if self.access_log else ["--no-access-log"]
        args += ["--workers", str(self.workers)] if self.workers > 1 else []
        args += self.extra_args
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            self.command(*args),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        ready = threading.Event()
        assert self.process.stderr is not None
        self._drainer = threading.Thread(
            target=self._drain, args=(self.process.stderr, ready), daemon=True
        )
        self._drainer.start()
        if not ready.wait(START_TIMEOUT) or self.process.poll() is not None:
            self.stop()
            raise RuntimeError("the hub did not start:\n" + "".join(self.log[-40:]))
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        """Poll ``/healthz`` until it answers (with ``--workers`` the supervisor logs that it
        runs before its workers accept connections)."""
        gave_up = time.monotonic() + START_TIMEOUT
        while True:
            try:
                httpx.get(f"{self.url}/healthz", timeout=10).raise_for_status()
                return
            except httpx.ConnectError:
                if time.monotonic() > gave_up or (self.process and self.process.poll()):
                    raise
                threading.Event().wait(0.05)

    def _drain(self, stream: IO[str], ready: threading.Event) -> None:
        for line in stream:
            with self._logged:
                self.log.append(line)
                self._logged.notify_all()
            if "Uvicorn running on" in line:
                ready.set()
        ready.set()  # the process ended: start() looks at poll()

    def wait_for_log(self, predicate: Callable[[str], bool], timeout: float = 10.0) -> str:
        """The first stderr line of the hub matching ``predicate``, waiting for it to be
        written (access-log lines are JSON: ``json.loads(line)``)."""
        with self._logged:
            found: list[str] = []

            def seen() -> bool:
                found[:] = [line for line in self.log if predicate(line)][:1]
                return bool(found)

            if not self._logged.wait_for(seen, timeout):
                raise AssertionError("no such hub log line:\n" + "".join(self.log[-20:]))
            return found[0]

    def stop(self) -> None:
        """Graceful stop (SIGTERM), then SIGKILL if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._release()

    def _release(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
        if self._drainer is not None:
            self._drainer.join(10)
            self._drainer = None
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self._release()

    def __enter__(self) -> RunningHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def HubServer(data_dir: Path, database: str = "sqlite", **options: Any) -> Iterator[RunningHub]:
    """Start a hub on a fresh store with the three role tokens; stop and clean up after."""
    admin_url = postgres_url()
    url = None
    if database == "postgresql":
        if admin_url is None:
            raise RuntimeError(f"{POSTGRES_ENV} is not set")
        url = create_postgres_database(admin_url)
    hub = RunningHub(data_dir, url, database, **options)
    try:
        for role, name in ROLE_NAMES.items():
            hub.tokens[role] = hub.create_token(name, role)
        hub.start()
        yield hub
    finally:
        hub.stop()
        if url is not None and admin_url is not None:
            drop_postgres_database(admin_url, url)


def _skip_unavailable(database: str) -> None:
    if database == "postgresql" and postgres_url() is None:
        pytest.skip(f"{POSTGRES_ENV} is not set (scripts/test starts a throwaway PostgreSQL)")


@pytest.fixture(params=DATABASES)
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningHub]:
    """A fresh hub per test, once per database."""
    _skip_unavailable(request.param)
    with HubServer(tmp_path / "hub", request.param) as running:
        yield running


@pytest.fixture(scope="module", params=DATABASES)
def shared_hub(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningHub]:
    """One hub per test module and database: tests must not assume an empty hub."""
    _skip_unavailable(request.param)
    with HubServer(tmp_path_factory.mktemp("hub"), request.param) as running:
        yield running


def publish_body(files: dict[str, str], note: str = "", prune: bool = False) -> dict[str, Any]:
    """A ``POST /v1/publish`` body for a pack given as {relative path: text}."""
    import yaml

    pack_yaml = files.get("pack.yaml", "name: test-pack\n")
    info = yaml.safe_load(pack_yaml) or {}
    return {
        "pack": {
            "name": str(info.get("name", "")),
            "version": str(info.get("version", "")),
            "locale": str(info.get("locale", "en")),
            "publisher": str(info.get("publisher", "")),
            "pack_yaml": pack_yaml,
        },
        "files": [{"path": p, "text": t} for p, t in files.items() if p != "pack.yaml"],
        "note": note,
        "prune": prune,
    }


def session_events(
    agent: str,
    sop_id: str,
    version: int,
    seconds: float,
    *,
    start: Any = None,
    outcome: str = "resolved",
    secret: bytes = b"team-secret".ljust(32, b"-"),
) -> list[dict[str, Any]]:
    """The shareable events of one ended ticket of ``agent`` spending ``seconds`` in SOP
    ``sop_id`` version ``version`` (a started, opened, one step, ended session)."""
    import datetime as dt

    from agent_assist.core.privacy import TeamKey
    from agent_assist.core.worklog.clock import Instant
    from agent_assist.core.worklog.events import Event, EventType, Outcome

    wall = start or dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    run, session, ticket = uuid.uuid4().hex, uuid.uuid4().hex, f"T-{uuid.uuid4().hex[:8]}"

    def at(offset: float) -> Instant:
        return Instant(wall + dt.timedelta(seconds=offset), offset, run)

    common: dict[str, Any] = {"agent_id": agent, "ticket": ticket, "session_id": session}
    events = [
        Event(EventType.TICKET_STARTED, at(0), **common),
        Event(EventType.SOP_OPENED, at(0), sop_id=sop_id, sop_version=version, **common),
        Event(EventType.STEP_ENTERED, at(0), step_id="check", **common),
        Event(EventType.STEP_COMPLETED, at(seconds / 2), step_id="check", **common),
        Event(EventType.TICKET_ENDED, at(seconds), outcome=Outcome(outcome), **common),
    ]
    return [e.to_shareable(TeamKey("test", secret)) for e in events]
