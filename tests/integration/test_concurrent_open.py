"""Any number of processes may open a fresh data dir at once: the first open of the knowledge
cache and of the event log creates their schema exactly once, and every process gets a working
file and keeps the event it logs.

Eight worker processes are started once and import everything first; each round the parent
names a fresh data dir on every worker's stdin in one quick loop, which releases the workers
(blocked on that line) together, so their opens really race.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_assist.core.cache.migrations import LATEST as CACHE_LATEST
from agent_assist.core.cache.store import Store
from agent_assist.core.worklog.events import LATEST as LOG_LATEST
from agent_assist.core.worklog.events import EventLog

WORKERS = 8
ROUNDS = 5

WORKER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from agent_assist.core.cache.store import Store
    from agent_assist.core.worklog.clock import SystemClock
    from agent_assist.core.worklog.events import Event, EventLog, EventType

    worker = sys.argv[1]
    clock = SystemClock()
    print("ready", flush=True)
    for line in sys.stdin:  # one fresh data dir per round; the line is the starting gun
        data_dir = Path(line.strip())
        try:
            Store.in_dir(data_dir).close()
            with EventLog.in_dir(data_dir) as log:
                log.append(Event(EventType.TICKET_STARTED, clock.now(), "agent", ticket=worker))
        except Exception as exc:  # a bug or a fault of the world: either fails the round
            print(f"error: {type(exc).__name__}: {exc}".replace("\\n", " "), flush=True)
        else:
            print("ok", flush=True)
""")


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[str]]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, f"T-{n}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(WORKERS)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline() == "ready\n"
        yield procs
    finally:
        for proc in procs:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.close()  # end of input: the worker's loop ends
            proc.wait(timeout=30)
            proc.stdout.close()


def _race(procs: list[subprocess.Popen[str]], data_dir: Path) -> list[str]:
    """Release every worker on ``data_dir`` and collect what each one answered."""
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(f"{data_dir}\n")
    for proc in procs:  # flushed separately, so the writes above cost microseconds each
        assert proc.stdin is not None
        proc.stdin.flush()
    answers = []
    for proc in procs:
        assert proc.stdout is not None
        answers.append(proc.stdout.readline().strip())
    return answers


def test_processes_opening_a_fresh_data_dir_at_once_all_succeed(
    workers: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    for round_ in range(ROUNDS):
        data_dir = tmp_path / f"round-{round_}" / "data"
        answers = _race(workers, data_dir)
        assert answers == ["ok"] * WORKERS, f"round {round_}"
        with EventLog.in_dir(data_dir) as log:
            assert sorted(e.ticket for e in log.events()) == [f"T-{n}" for n in range(WORKERS)]
            assert log.schema_version == LOG_LATEST
        with Store.in_dir(data_dir) as store:
            assert store.schema_version == CACHE_LATEST
