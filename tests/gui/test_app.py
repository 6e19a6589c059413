"""The desktop app as started from the command line (offscreen): startup sequence, first-start
demo import, headless smoke and screenshot runs, and known startup errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from agent_assist.core.cache.store import Store


def run_app(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "agent_assist", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def stderr_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return result.stderr.splitlines()


@pytest.mark.slow
def test_first_start_imports_the_demo_pack(data_dir: Path) -> None:
    result = run_app("--data-dir", str(data_dir), "--smoke")
    assert result.returncode == 0, result.stderr
    assert stderr_lines(result) == []
    with Store.in_dir(data_dir) as store:
        assert sum(store.counts().values()) > 0
    assert (data_dir / "window.ini").is_file()


def test_existing_knowledge_is_kept(tiny_store: Store, data_dir: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    result = run_app("--data-dir", str(data_dir), "--query", "coins", "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    assert stderr_lines(result) == []
    assert tiny_store.counts() == {"sop": 2, "macro": 2}  # no demo pack over real knowledge
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (420, 720)


def test_startup_problems_go_to_stderr_in_headless_runs(tmp_path: Path) -> None:
    """A data dir that cannot be created gives a limited start (see test_degraded_start.py),
    each problem one line on stderr; the run fails, as nothing can be recorded."""
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    result = run_app("--data-dir", str(not_a_dir / "data"), "--smoke")
    assert result.returncode == 1
    lines = stderr_lines(result)
    assert lines[0].startswith("limited start: cannot create the knowledge cache at ")
    assert lines[1].startswith("limited start: cannot create the event log at ")
    assert all(line.startswith(("limited start: ", "agent-assist: ")) for line in lines)
    assert "Traceback" not in result.stderr
