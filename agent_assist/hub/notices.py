"""Change notices between replicas: when the feed moves and when a token changes.

On PostgreSQL each replica keeps one connection that ``LISTEN``s on :data:`db.CHANNEL`; every
feed or token writer sends ``NOTIFY`` in its transaction (``knowledge.next_seqs``,
``auth._changed``), so a publish through any replica wakes the SSE clients of every replica
as soon as it commits, and a token change clears every replica's token cache.  The same
connection reads the counters every ``poll_seconds`` (a heartbeat that also proves it is
alive).  When it drops, the replica falls back to what SQLite replicas always do: it polls
the feed counter every ``poll_seconds`` and checks the token counter on every request, while
it reconnects; once it listens again it re-reads the counters, so nothing between is missed.

Token caches trust notices only while they are known to arrive (:meth:`Notices.tokens_key`):
within ``TRUST_POLLS`` poll intervals of the last notice or heartbeat.  A revocation reaches a
listening replica when its ``NOTIFY`` does (milliseconds after the commit); a connection that
silently stalls stops being trusted after at most ``TRUST_POLLS * poll_seconds``, and from
then on every request reads the counter again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import anyio
import psycopg

from agent_assist.hub.db import CHANNEL, Database, PostgresDatabase, SqliteDatabase
from agent_assist.hub.knowledge import head
from agent_assist.hub.sse import Broadcaster

log = logging.getLogger(__name__)

TRUST_POLLS = 3
"""Poll intervals after the last sign of life during which notices are trusted."""
CONNECT_TIMEOUT = 5
LISTENER_NAME = "agent-assist-hub-listen"
"""``application_name`` of the listening connection (``/PID`` appended): what an operator
sees in ``pg_stat_activity``."""


class Notices:
    """This replica's view of changes made anywhere (see the module docstring)."""

    def __init__(self, db: Database, broadcaster: Broadcaster, poll_seconds: float) -> None:
        self.db = db
        self.broadcaster = broadcaster
        self.poll_seconds = poll_seconds
        self.listening = False
        """True while the LISTEN connection is up (PostgreSQL)."""
        self.tokens_epoch = 0
        """Moves on every token notice and whenever notices may have been missed."""
        self.connects = 0
        self._tokens_seen: int | None = None
        self._alive_at = 0.0

    @property
    def mode(self) -> str:
        """``listen`` (notices arrive) or ``poll`` (counters are polled): for ``/healthz``."""
        return "listen" if self.listening else "poll"

    def tokens_key(self) -> Hashable | None:
        """A value that changes whenever any token may have changed, known without a
        database read; ``None`` when notices are not known to arrive right now."""
        grace = TRUST_POLLS * self.poll_seconds
        if self.listening and time.monotonic() - self._alive_at <= grace:
            return ("notice", self.connects, self.tokens_epoch)
        return None

    async def run(self) -> None:
        """Follow changes until cancelled (the app's lifespan runs this as a task)."""
        if not isinstance(self.db, PostgresDatabase):
            await self.broadcaster.watch(lambda: head(self.db), self.poll_seconds)
            return
        while True:
            attempt = time.monotonic()
            try:
                await self._listen(self.db.url)
            except Exception as exc:  # the server, the network, a stalled heartbeat
                if self.listening:
                    log.warning("hub change notices: connection lost (%s); polling", exc)
            finally:
                self.listening = False
            # Until the connection is back: the counter poll, as SQLite replicas do.
            with contextlib.suppress(Exception):  # a database blip must not stop the watcher
                self.broadcaster.advance(await anyio.to_thread.run_sync(head, self.db))
            # Reconnect at once after a connection that lived; at most once per interval
            # while the server does not answer.
            await asyncio.sleep(max(0.0, attempt + self.poll_seconds - time.monotonic()))

    async def _listen(self, url: str) -> None:
        conn = await psycopg.AsyncConnection.connect(
            url,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT,
            application_name=f"{LISTENER_NAME}/{os.getpid()}",
        )
        async with conn:
            await conn.execute(f"LISTEN {CHANNEL}")
            self.connects += 1  # notices may have been missed while not listening
            await self._heartbeat(conn)  # after LISTEN: nothing between is lost
            self.listening = True
            log.info("hub change notices: listening (PostgreSQL LISTEN %s)", CHANNEL)
            while True:
                async for notice in conn.notifies(timeout=self.poll_seconds):
                    self._on_notice(notice.payload)
                await asyncio.wait_for(self._heartbeat(conn), TRUST_POLLS * self.poll_seconds)

    async def _heartbeat(self, conn: psycopg.AsyncConnection[Any]) -> None:
        cursor = await conn.execute(
            "SELECT name, value FROM counters WHERE name IN ('feed', 'tokens')"
        )
        values = {str(name): int(value) for name, value in await cursor.fetchall()}
        if values.get("tokens") != self._tokens_seen:
            self._tokens_seen = values.get("tokens")
            self.tokens_epoch += 1
        self._alive_at = time.monotonic()
        self.broadcaster.advance(values.get("feed", 0))

    def _on_notice(self, payload: str) -> None:
        self._alive_at = time.monotonic()
        what, _, value = payload.partition(":")
        if what == "feed" and value.isdigit():
            self.broadcaster.advance(int(value))
        elif what == "tokens":
            self.tokens_epoch += 1


class SqliteTokenCounter:
    """The ``tokens`` counter read on the event loop's own SQLite connection.

    A one-row read by primary key in WAL mode takes microseconds and never waits for a
    writer, so it costs less than handing the read to a worker thread; it does not wait for
    a lock either (``busy_timeout`` 0): if SQLite is busy the caller falls back to the
    threaded read.

    One read serves every request the loop handles in the same pass over its ready
    callbacks: those requests had all arrived before the pass began, so the value is still
    at least as new as each of them (the next pass reads again).  A thousand desktops
    starting at once then cost a read per pass, not one each; each read also lets the
    worker threads take the interpreter lock, which the loop may wait milliseconds to get
    back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._value: int | None = None
        """The value read in the loop's current pass, if any."""

    def __call__(self) -> int | None:
        if self._value is not None:
            return self._value
        value = self._read()
        if value is not None:
            try:
                asyncio.get_running_loop().call_soon(self._forget)
            except RuntimeError:  # no loop (a test, a tool): nothing to share with
                return value
            self._value = value
        return value

    def _forget(self) -> None:
        self._value = None

    def _read(self) -> int | None:
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False
                )
                self._conn.execute("PRAGMA busy_timeout = 0")
            row = self._conn.execute("SELECT value FROM counters WHERE name = 'tokens'").fetchone()
            return int(row[0])
        except sqlite3.Error:
            return None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def token_peek(db: Database, notices: Notices) -> Callable[[], Hashable | None]:
    """How this replica learns, without waiting, whether its token cache is still current."""
    if isinstance(db, SqliteDatabase):
        return SqliteTokenCounter(db.path)
    return notices.tokens_key
