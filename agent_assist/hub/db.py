"""The hub's database: one thin adapter over SQLite (stdlib) and PostgreSQL (psycopg 3).

Why a thin adapter and not SQLAlchemy Core: the hub needs a dozen statements, all in the
common subset of both dialects (``INSERT ... ON CONFLICT DO NOTHING``, ``UPDATE ... RETURNING``,
``BIGINT``/``TEXT``/``DOUBLE PRECISION``), so the only real differences are the placeholder
style, how a connection is opened, and how a migration is serialized.  Those fit in one
small module, keep a dependency and its learning curve out of the hub, and leave every query
readable as plain SQL.  Statements are written with ``?`` placeholders; the PostgreSQL side
rewrites them to ``%s`` (hub SQL never contains a literal ``%``).

SQLite connections are per thread (FastAPI runs plain ``def`` endpoints in a thread pool), so
no connection is ever shared between two requests at the same time.  PostgreSQL connections
come from a psycopg-pool pool sized per process (``pool_size``, see :func:`pool_size_for`), so
``serve --workers N`` holds a bounded number of server connections whatever the thread count.

Change notices: on PostgreSQL every feed or token change also sends ``NOTIFY`` on
:data:`CHANNEL` inside its transaction (delivered when it commits); each replica listens
(``notices.py``).  SQLite has no such thing; its replicas poll the counters.

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
from psycopg_pool import ConnectionPool, PoolTimeout

from agent_assist.core.errors import AgentAssistError
from agent_assist.hub.schema import MIGRATIONS

SQLITE_FILE = "hub.sqlite3"
CHANNEL = "agent_assist_hub"
"""The PostgreSQL ``NOTIFY`` channel of change notices (payload ``feed:N`` or ``tokens``)."""
POOL_BUDGET = 64
"""PostgreSQL connections one hub may hold over all its worker processes (the server's
default ``max_connections`` is 100: the rest is left for the listeners, the CLI and admins)."""
POOL_MAX = 16
POOL_TIMEOUT = 10.0
"""Connections per process: on a few cores more connections only add contention."""


def pool_size_for(workers: int) -> int:
    """Connections of one worker process's pool when ``serve --workers`` runs ``workers``."""
    return max(4, min(POOL_MAX, POOL_BUDGET // max(1, workers)))


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
    def open(url: str | None, data_dir: Path, *, pool_size: int = 4) -> Database:
        """The hub database for ``url`` (a PostgreSQL URL, with a pool of at most
        ``pool_size`` connections) or the SQLite file in ``data_dir``; migrated to the latest
        schema before it is returned."""
        db: Database
        if url is None or url.startswith("sqlite"):
            path = Path(url.split("///", 1)[1]) if url else data_dir / SQLITE_FILE
            db = SqliteDatabase(path)
        elif url.startswith(("postgresql://", "postgres://")):
            db = PostgresDatabase(url, pool_size)
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


def notify(tx: Tx, payload: str) -> None:
    """Tell every listening replica about a change when ``tx`` commits (PostgreSQL only)."""
    if isinstance(tx, _PgTx):
        tx.execute("SELECT pg_notify(?, ?)", (CHANNEL, payload))


class _PgTx:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        query = sql.replace("?", "%s")
        return self.conn.execute(query, tuple(params))


class PostgresDatabase(Database):
    """PostgreSQL through psycopg 3: autocommit connections from a pool of ``pool_size``."""

    kind = "postgresql"

    def __init__(self, url: str, pool_size: int = 4) -> None:
        super().__init__()
        self.url = url
        self.pool_size = pool_size
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None

    @property
    def pool(self) -> ConnectionPool[psycopg.Connection[Any]]:
        with self._lock:
            if self._pool is None:
                self._pool = ConnectionPool(
                    self.url,
                    kwargs={"autocommit": True},
                    min_size=1,
                    max_size=self.pool_size,
                    timeout=POOL_TIMEOUT,
                    name="agent-assist-hub",
                    open=True,
                )
            return self._pool

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            with contextlib.suppress(Exception):
                pool.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        try:
            with self.pool.connection() as conn, conn.transaction():
                yield _PgTx(conn)
        except PoolTimeout as exc:
            raise HubStoreError(
                f"hub database: no connection free within {POOL_TIMEOUT:g} s "
                f"(pool of {self.pool_size})"
            ) from exc
        except psycopg.OperationalError as exc:  # server gone: the pool drops the connection
            raise HubStoreError(f"hub database: {exc}") from exc

    def _lock_for_migration(self, tx: Tx) -> None:
        tx.execute("SELECT pg_advisory_xact_lock(7206508)")
