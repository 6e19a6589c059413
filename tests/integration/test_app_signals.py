"""The desktop app as the system ends it: SIGTERM and SIGINT quit through the Quit action
(the running ticket is paused, the process exits 0), and a fatal crash leaves a file that the
next start reports once.

Each test starts the real app (``python -m agent_assist``) on the offscreen platform with
``--debug``, so every log line also reaches stderr: readiness is the "main window shown" line.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_assist.app.crash import REPORTED_DIR
from agent_assist.app.logs import LOG_NAME
from agent_assist.core.cache.store import Store

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
]
READY = "agent_assist.ui.app: main window shown"
TIMEOUT = 60


@pytest.fixture
def env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "AGENT_ASSIST_AGENT_ID": "tester"}


def agent_assist(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent_assist", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.fixture
def running_app(
    tiny_store: Store, data_dir: Path, env: dict[str, str]
) -> Iterator[subprocess.Popen[str]]:
    """The app over the tiny pack, once its window is shown (killed if it is still running
    when the test ends)."""
    app = subprocess.Popen(
        [sys.executable, "-m", "agent_assist", "--debug", "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(TIMEOUT, app.kill)  # a hung start fails instead of hanging
    watchdog.start()
    try:
        assert app.stderr is not None
        for line in app.stderr:
            if READY in line:
                break
        else:
            pytest.fail(f"the app ended before showing its window (exit {app.wait()})")
        yield app
    finally:
        watchdog.cancel()
        if app.poll() is None:
            app.kill()
        app.communicate()


def ticket_status(env: dict[str, str], data_dir: Path) -> list[dict[str, object]]:
    result = agent_assist(env, "--data-dir", str(data_dir), "session", "status", "--json")
    assert result.returncode == 0, result.stderr
    opened: list[dict[str, object]] = json.loads(result.stdout)["open"]
    return opened


@pytest.fixture
def started_ticket(tiny_store: Store, data_dir: Path, env: dict[str, str]) -> None:
    result = agent_assist(env, "--data-dir", str(data_dir), "session", "start", "T1")
    assert result.returncode == 0, result.stderr
    [ticket] = ticket_status(env, data_dir)
    assert (ticket["ticket"], ticket["paused"]) == ("T1", False)


@pytest.mark.usefixtures("started_ticket")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_quits_cleanly_and_pauses_the_ticket(
    running_app: subprocess.Popen[str],
    signum: signal.Signals,
    data_dir: Path,
    env: dict[str, str],
) -> None:
    running_app.send_signal(signum)
    _, rest = running_app.communicate(timeout=TIMEOUT)
    assert running_app.returncode == 0, rest
    assert f"{signum.name}: quitting" in rest
    assert "Traceback" not in rest
    [ticket] = ticket_status(env, data_dir)
    assert (ticket["ticket"], ticket["paused"]) == ("T1", True)
    log = (data_dir / LOG_NAME).read_text(encoding="utf-8")
    assert "Agent Assist stopped (exit code 0)" in log
    assert not list(data_dir.glob("crash-*.log"))  # a clean exit leaves no crash file


def test_a_fatal_crash_is_reported_once_by_the_next_start(
    running_app: subprocess.Popen[str], data_dir: Path, env: dict[str, str]
) -> None:
    running_app.send_signal(signal.SIGSEGV)
    running_app.communicate(timeout=TIMEOUT)
    assert running_app.returncode == -signal.SIGSEGV
    [crash_file] = data_dir.glob("crash-*.log")
    assert crash_file.read_text(encoding="utf-8").startswith("Fatal Python error: Segmentation")

    first = agent_assist(env, "--data-dir", str(data_dir), "--smoke")
    assert first.returncode == 0, first.stderr
    moved = data_dir / REPORTED_DIR / crash_file.name
    [line] = first.stderr.splitlines()
    assert re.fullmatch(
        r"agent-assist: Agent Assist stopped unexpectedly at \d{4}-\d\d-\d\d \d\d:\d\d "
        rf"\(Segmentation fault\); details saved in {re.escape(str(moved))}",
        line,
    ), line
    assert moved.is_file()
    again = agent_assist(env, "--data-dir", str(data_dir), "--smoke")
    assert again.returncode == 0 and again.stderr == ""
