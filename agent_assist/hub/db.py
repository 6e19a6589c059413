"""The hub's database: one thin adapter over SQLite (stdlib) and PostgreSQL (psycopg 3).

Why a thin adapter and not SQLAlchemy Core: the hub needs a dozen statements, all in the
common subset of both dialects (``INSERT ... ON CONFLICT DO NOTHING``, ``UPDATE ... RETURNING``,
``BIGINT``/``TEXT``/``DOUBLE PRECISION``), so the only real differences are the placeholder
style, how a connection is opened, and how a migration is serialized.  Those fit in one
small module, keep a dependency and its learning curve out of the hub, and leave every query
readable as plain SQL.  Statements are written with ``?`` placeholders; the PostgreSQL side
rewrites them to ``%s`` (hub SQL never contains a literal ``%``).

Connections are per thread (FastAPI runs plain ``def`` endpoints in a thread pool), so no
connection is ever shared between two requests at the same time.

Ordering guarantee of the change feed: every writer of the feed first increments the
``counters`` row of the feed inside its transaction.  That row lock serializes feed writers
(``BEGIN IMMEDIATE`` does the same on SQLite), so a sequence number becomes visible only
after every smaller one has committed: a reader at cursor N can never miss an entry below N,
even with several hub replicas sharing one PostgreSQL.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import psycopg

from agent_assist.core.errors import AgentAssistError
from agent_assist.hub.schema import MIGRATIONS

SQLITE_FILE = "hub.sqlite3"


class HubStoreError(AgentAssistError):
    """The hub database could not be opened, migrated, read or written."""


class Tx(Protocol):
    """What a transaction offers: run a statement, read rows, count changed rows."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Database:
    """A database URL opened lazily per thread; ``kind`` is ``sqlite`` or ``postgresql``."""

    kind: str

    def __init__(self) -> None:
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    @staticmethod
    def open(url: str | None, data_dir: Path) -> Database:
        """The hub database for ``url`` (a PostgreSQL URL) or the SQLite file in ``data_dir``;
        migrated to the latest schema before it is returned."""
        db: Database
        if url is None or url.startswith("sqlite"):
            path = Path(url.split("///", 1)[1]) if url else data_dir / SQLITE_FILE
            db = SqliteDatabase(path)
        elif url.startswith(("postgresql://", "postgres://")):
            db = PostgresDatabase(url)
        else:
            raise HubStoreError(
                f"unsupported database URL '{url}' (expected postgresql://... or sqlite:///PATH)"
            )
        db.migrate()
        return db

    def _connect(self) -> Any:
        raise NotImplementedError

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                with contextlib.suppress(Exception):
                    conn.close()
            self._all.clear()
        self._local = threading.local()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction: committed when the block ends, rolled back on any error."""
        raise NotImplementedError
        yield  # pragma: no cover

    @contextlib.contextmanager
    def read(self) -> Iterator[Tx]:
        """A consistent read (one snapshot) for queries that span several statements."""
        with self.transaction() as tx:
            yield tx

    def migrate(self) -> None:
        with self.transaction() as tx:
            self._lock_for_migration(tx)
            tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
            row = tx.execute("SELECT max(version) FROM schema_version").fetchone()
            current = int(row[0] or 0)
            if current > len(MIGRATIONS):
                raise HubStoreError(
                    f"the hub database has schema version {current}, newer than this hub "
                    f"understands ({len(MIGRATIONS)}); update the hub"
                )
            for version in range(current + 1, len(MIGRATIONS) + 1):
                for statement in MIGRATIONS[version - 1]:
                    tx.execute(statement)
                tx.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    def _lock_for_migration(self, tx: Tx) -> None:
        """Two replicas starting together must not both run a migration."""


class _SqliteTx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self.conn.execute(sql, tuple(params))


class SqliteDatabase(Database):
    """One file in WAL mode; writers serialize with ``BEGIN IMMEDIATE``."""

    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._writer = threading.RLock()  # re-entrant: a nested write errors, not hangs
        """Writers of this process queue here: a thread waiting on SQLite's own lock sleeps in
        its busy handler (1, 2, 5 ... 100 ms steps) and wakes late, which under load cost
        uploads a second each; a lock hands over the moment the previous writer commits.
        Other processes (replicas, the CLI) still meet SQLite's lock and busy timeout."""

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        except (OSError, sqlite3.Error) as exc:
            raise HubStoreError(f"cannot open the hub database {self.path}: {exc}") from exc
        return conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._writer, self._write() as tx:
            yield tx

    @contextlib.contextmanager
    def _write(self) -> Iterator[Tx]:
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise HubStoreError(f"hub database {self.path}: cannot start a write: {exc}") from exc
        try:
            yield _SqliteTx(conn)
        except sqlite3.OperationalError as exc:  # locked, disk full, I/O error
            conn.execute("ROLLBACK")
            raise HubStoreError(f"hub database {self.path}: {exc}") from exc
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK")
            raise HubStoreError(f"hub database {self.path}: cannot commit: {exc}") from exc

    @contextlib.contextmanager
    def read(self) -> Iterator[Tx]:
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield _SqliteTx(conn)
        finally:
            conn.execute("COMMIT")


class _PgTx:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        query = sql.replace("?", "%s")
        return self.conn.execute(query, tuple(params))


class PostgresDatabase(Database):
    """PostgreSQL through psycopg 3, one autocommit connection per thread."""

    kind = "postgresql"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self.url, autocommit=True)
        except psycopg.Error as exc:
            raise HubStoreError(f"cannot connect to the hub database: {exc}") from exc

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        conn = self._conn()
        if conn.closed or conn.broken:
            self._local.conn = None
            conn = self._conn()
        try:
            with conn.transaction():
                yield _PgTx(conn)
        except psycopg.OperationalError as exc:  # server gone, connection lost
            self._local.conn = None
            raise HubStoreError(f"hub database: {exc}") from exc

    def _lock_for_migration(self, tx: Tx) -> None:
        tx.execute("SELECT pg_advisory_xact_lock(7206508)")
