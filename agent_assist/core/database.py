"""The base of the two local SQLite files (knowledge cache, event log): opening a file with the
pragmas it needs, faults of the world reported as one sentence that says where and what to do,
write transactions that take the write lock up front, and the one schema migration runner.

Any number of processes may open the same fresh file at once (the app, the CLI, a sync run
started by the scheduler): the runner takes the write lock *before* it reads the schema version
and applies only the steps still missing, so exactly one process creates the schema and the
others find it done (``tests/integration/test_concurrent_open.py``).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Self

from agent_assist.core.errors import AgentAssistError

if TYPE_CHECKING:  # imported only when a migration runs: see schema_editor
    import sqlite_utils

GENERIC_HINT = "check the file's permissions and free disk space"
BUSY_TIMEOUT_MS = 5000
"""How long a writer waits for another process's write lock before the user is told."""

Migration = Callable[[sqlite3.Connection], None]
"""One schema step, run inside the write transaction that also bumps ``user_version``."""


def hint_for(exc: sqlite3.DatabaseError, damaged: str) -> str:
    """What the user can do about ``exc``; ``damaged`` is the advice for a damaged file."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "another program is writing it; try again in a moment"
    if "full" in text:
        return "the disk is full; free some space and try again"
    if "not a database" in text or "malformed" in text:
        return damaged
    return GENERIC_HINT


@contextlib.contextmanager
def reported(
    error: Callable[[str], Exception], label: str, what: str, damaged: str
) -> Iterator[None]:
    """Re-raise SQLite errors as ``error("<label>: cannot <what>: <reason> (<hint>)")``."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise error(f"{label}: cannot {what}: {exc} ({hint_for(exc, damaged)})") from exc


@contextlib.contextmanager
def write_transaction(
    conn: sqlite3.Connection, errors: contextlib.AbstractContextManager[None]
) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any exception, SQLite faults
    translated by ``errors``.  Immediate: a writer waits for the lock at the start instead of
    failing half-way through."""
    with errors:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def schema_editor(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils over a migrating connection, for steps that create or change tables.

    Imported here, not at the top: it costs about 0.4 s of start-up that a file already at
    the latest schema never needs.  No recursive triggers and no plugins, so the connection
    behaves the same after a migration as on any later start.
    """
    import sqlite_utils

    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)


class SQLiteFile:
    """One local SQLite file, opened (created or migrated) by the constructor.

    A subclass says what the file is in its class attributes; ``pragmas`` are what its
    connection needs besides the busy timeout and WAL journaling every file gets (WAL: readers
    never block the writer).  The connection is in autocommit mode; writes go through
    :meth:`_transaction`, and every SQLite fault through :meth:`_errors`.
    """

    LABEL: ClassVar[str]
    """What the file is to the user ("knowledge cache"): starts every error message."""
    ERROR: ClassVar[type[AgentAssistError]]
    DAMAGED_HINT: ClassVar[str]
    """What to do when the file is damaged: each file has its own way back."""
    MIGRATIONS: ClassVar[Sequence[Migration]]
    """Step ``n`` (from 1) brings ``user_version`` from ``n - 1`` to ``n``.  Append a step to
    change the schema; never edit a shipped one: users' files ran it already."""

    def __init__(self, path: Path, pragmas: Sequence[str] = ()) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except OSError as exc:
            raise self._cannot_create(exc.strerror or str(exc)) from exc
        except sqlite3.Error as exc:
            raise self._cannot_create(str(exc)) from exc
        try:
            with self._errors("open"):
                self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                for pragma in pragmas:
                    self.conn.execute(f"PRAGMA {pragma}")
                self._use_wal()
                self._migrate()
        except BaseException:
            self.conn.close()
            raise

    def _use_wal(self) -> None:
        """Switch the file to WAL (a no-op once it is: the mode is stored in the file).

        Switching a fresh file upgrades a read lock to the write lock, and SQLite fails that
        at once, without its busy handler, while another process holds the write lock (two
        upgraders waiting for each other would deadlock): measured, 9 of 480 racing opens.
        So wait here as the handler would, as long as it would: the other process finishes,
        and the retry finds the file in WAL already.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
                if not busy or time.monotonic() > deadline:
                    raise
            time.sleep(0.005)

    def _cannot_create(self, reason: str) -> AgentAssistError:
        return self.ERROR(f"cannot create the {self.LABEL} at {self.path}: {reason}")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _errors(self, what: str) -> contextlib.AbstractContextManager[None]:
        """Turn SQLite's faults of the world into ``ERROR`` saying where and what to do."""
        return reported(self.ERROR, f"{self.LABEL} {self.path}", what, self.DAMAGED_HINT)

    def _transaction(self, what: str) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return write_transaction(self.conn, self._errors(what))

    def _migrate(self) -> None:
        """Bring the file to the latest schema, whoever else is opening it meanwhile.

        The version is read once without the lock, so starting on a migrated file costs one
        read and no lock.  Otherwise it is read again *inside* the write transaction: another
        process may have applied some or all steps while this one waited for the lock.  The
        missing steps and their version bumps commit together, so a killed process leaves
        the file as it was or at the latest schema.
        """
        if self._check_version(self.schema_version):
            return
        with self._transaction("upgrade the schema") as conn:
            current = self.schema_version
            if self._check_version(current):
                return
            for version in range(current + 1, len(self.MIGRATIONS) + 1):
                with self._errors(f"upgrade the schema to version {version}"):
                    self.MIGRATIONS[version - 1](conn)
                    conn.execute(f"PRAGMA user_version = {version}")

    def _check_version(self, current: int) -> bool:
        """True when the file is at the latest schema; refuse one newer than this app."""
        latest = len(self.MIGRATIONS)
        if current > latest:
            raise self.ERROR(
                f"{self.LABEL} {self.path} has schema version {current}, newer "
                f"than this Agent Assist understands ({latest}); update the app"
            )
        return current == latest
