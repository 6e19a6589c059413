"""What the two local SQLite files (knowledge cache, event log) share: faults of the world
(locked, full disk, damaged file) reported as one sentence that says where and what to do,
and write transactions that take the write lock up front."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator

GENERIC_HINT = "check the file's permissions and free disk space"


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
