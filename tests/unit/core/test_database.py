"""The SQLite base: the migration runner re-reads the schema version under the write lock, a
migrated file opens without the lock and without sqlite-utils, switching a fresh file to WAL
waits for another process switching it, and a failed step leaves the file as it was."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from agent_assist.core.cache.store import Store
from agent_assist.core.database import SQLiteFile
from agent_assist.core.errors import EventLogError, StoreError
from agent_assist.core.worklog.events import EventLog


def _v1(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE a (x)")


def _v2(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE b (y)")


class Demo(SQLiteFile):
    LABEL = "demo file"
    ERROR = StoreError
    DAMAGED_HINT = "move it aside"
    MIGRATIONS = (_v1, _v2)


def tables(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master ORDER BY name")]
    conn.close()
    return names


@pytest.fixture
def other(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """Another process's connection to ``demo.sqlite3``, not yet migrated."""
    conn = sqlite3.connect(tmp_path / "demo.sqlite3", isolation_level=None, check_same_thread=False)
    yield conn
    conn.close()


@pytest.mark.parametrize("done_elsewhere", [1, 2])
def test_steps_another_process_applied_while_this_one_waited_are_not_run_again(
    tmp_path: Path, other: sqlite3.Connection, done_elsewhere: int
) -> None:
    other.execute("PRAGMA journal_mode = WAL")
    other.execute("BEGIN IMMEDIATE")  # the other process starts migrating first
    read_outside_the_lock = threading.Event()

    class Opener(Demo):
        @property
        def schema_version(self) -> int:
            version = super().schema_version
            read_outside_the_lock.set()
            return version

    with ThreadPoolExecutor(1) as pool:
        opening = pool.submit(Opener, tmp_path / "demo.sqlite3")
        assert read_outside_the_lock.wait(timeout=10)  # it saw version 0, and now waits
        for step in Demo.MIGRATIONS[:done_elsewhere]:
            step(other)
        other.execute(f"PRAGMA user_version = {done_elsewhere}")
        other.execute("COMMIT")
        opening.result(timeout=10).close()  # raises what the opener raised
    assert tables(tmp_path / "demo.sqlite3") == ["a", "b"]
    assert other.execute("PRAGMA user_version").fetchone()[0] == 2


def test_a_migrated_file_opens_while_another_process_holds_the_write_lock(
    tmp_path: Path, other: sqlite3.Connection
) -> None:
    Demo(tmp_path / "demo.sqlite3").close()
    other.execute("BEGIN IMMEDIATE")
    with Demo(tmp_path / "demo.sqlite3") as demo:  # would wait 5 s, then fail, if it locked
        assert demo.schema_version == 2
    other.execute("ROLLBACK")


def test_switching_to_wal_waits_for_another_process_switching(
    tmp_path: Path, other: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite fails this switch at once, without its busy handler, while another connection
    holds the write lock of a fresh file; the wait between retries is where the other process
    finishes (here: the fake sleep ends its transaction)."""
    other.execute("BEGIN IMMEDIATE")
    waits: list[float] = []

    def other_finishes(seconds: float) -> None:
        waits.append(seconds)
        if other.in_transaction:
            other.execute("COMMIT")

    monkeypatch.setattr(time, "sleep", other_finishes)
    with Demo(tmp_path / "demo.sqlite3") as demo:
        assert demo.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert len(waits) == 1


def test_a_failed_step_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE a (again)")

    class Broken(Demo):
        MIGRATIONS = (_v1, broken)

    path = tmp_path / "demo.sqlite3"
    with pytest.raises(StoreError, match=r"demo file .*: cannot upgrade the schema to version 2"):
        Broken(path)
    assert tables(path) == []
    with Demo(path) as demo:
        assert demo.schema_version == 2


@pytest.mark.parametrize(
    ("kind", "error", "label"),
    [(Store, StoreError, "knowledge cache"), (EventLog, EventLogError, "event log")],
)
def test_a_file_that_cannot_be_created_says_where(
    tmp_path: Path, kind: type[SQLiteFile], error: type[Exception], label: str
) -> None:
    (tmp_path / "not-a-dir").write_text("")
    with pytest.raises(error, match=f"cannot create the {label} at .*not-a-dir"):
        kind(tmp_path / "not-a-dir" / "file.sqlite3")


def test_opening_migrated_files_does_not_import_sqlite_utils(tmp_path: Path) -> None:
    """sqlite-utils costs ~0.4 s of start-up; only a migration needs it."""
    Store.in_dir(tmp_path).close()
    EventLog.in_dir(tmp_path).close()
    code = (
        "import sys; from pathlib import Path\n"
        "from agent_assist.core.cache.store import Store\n"
        "from agent_assist.core.worklog.events import EventLog\n"
        "Store.in_dir(Path(sys.argv[1])).close(); EventLog.in_dir(Path(sys.argv[1])).close()\n"
        "print('sqlite_utils' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert out.stdout == "False\n"
