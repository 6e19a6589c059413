"""An event is durable when ``append`` returns: a writer killed with SIGKILL straight after
logging loses nothing, and the log opens cleanly afterwards (WAL recovery)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent_assist.core.worklog.events import EventLog

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

WRITER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from agent_assist.core.worklog.clock import SystemClock
    from agent_assist.core.worklog.events import EventLog
    from agent_assist.core.worklog.sessions import SessionService

    log = EventLog.in_dir(Path(sys.argv[1]))
    service = SessionService(log, SystemClock(), "agent-1")
    for n in range(int(sys.argv[2])):
        session_id = service.start(f"T-{n}")
        print(session_id, flush=True)
    if sys.argv[3] == "self":
        os.kill(os.getpid(), signal.SIGKILL)  # no close, no checkpoint, no atexit
    sys.stdin.readline()  # wait to be killed
""")


def _writer(data: Path, events: int, how: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data), str(events), how],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_event_survives_writer_killing_itself_right_after_logging(tmp_path: Path) -> None:
    proc = _writer(tmp_path, 1, "self")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    [session_id] = out.split()
    with EventLog.in_dir(tmp_path) as log:
        assert [e.ticket for e in log.session(session_id)] == ["T-0"]


def test_events_survive_writer_killed_from_outside(tmp_path: Path) -> None:
    proc = _writer(tmp_path, 25, "parent")
    assert proc.stdout is not None
    logged = [proc.stdout.readline().strip() for _ in range(25)]  # each printed after commit
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    proc.stdout.close()
    assert proc.stdin is not None
    proc.stdin.close()
    with EventLog.in_dir(tmp_path) as log:
        assert log.open_sessions("agent-1") == list(reversed(logged))
        assert log.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
