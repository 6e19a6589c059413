"""The fatal-error file: written by faulthandler when the process dies, reported once by the
next start, removed by a clean exit; and the report of an unexpected exception."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent_assist import __version__
from agent_assist.app.crash import (
    REPORTED_DIR,
    CrashFile,
    bug_report,
    error_summary,
    report_previous_crash,
)

CRASHING_RUN = textwrap.dedent(
    """
    import faulthandler, sys
    from pathlib import Path
    from agent_assist.app.crash import CrashFile

    crash = CrashFile.enable(Path(sys.argv[1]))
    print(crash.path, flush=True)
    faulthandler._sigsegv()
    """
)


def crash_in_child(data_dir: Path) -> Path:
    """Run a Python process with crash handling on that segfaults; return its crash file."""
    result = subprocess.run(
        [sys.executable, "-c", CRASHING_RUN, str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    return Path(result.stdout.strip())


def test_a_segfault_is_reported_once_by_the_next_start(data_dir: Path) -> None:
    written = crash_in_child(data_dir)
    assert written.parent == data_dir
    assert written.read_text(encoding="utf-8").startswith("Fatal Python error: Segmentation")

    report = report_previous_crash(data_dir)

    moved = data_dir / REPORTED_DIR / written.name
    assert report is not None
    assert report.startswith("Agent Assist stopped unexpectedly at ")
    assert report.endswith(f"(Segmentation fault); details saved in {moved}")
    assert moved.is_file() and not written.exists()
    assert report_previous_crash(data_dir) is None


def test_several_crashes_report_the_latest_and_keep_all(data_dir: Path) -> None:
    first, second = crash_in_child(data_dir), crash_in_child(data_dir)
    report = report_previous_crash(data_dir)
    assert report is not None
    assert f"details saved in {data_dir / REPORTED_DIR / second.name}" in report
    assert "(1 earlier crash(es) saved beside it)" in report
    assert sorted(p.name for p in (data_dir / REPORTED_DIR).iterdir()) == sorted(
        [first.name, second.name]
    )


def test_a_clean_exit_leaves_nothing_to_report(data_dir: Path) -> None:
    # in a child: closing turns faulthandler off, which pytest's own use of it needs on
    clean_run = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from agent_assist.app.crash import CrashFile

        crash = CrashFile.enable(Path(sys.argv[1]))
        assert crash.path.is_file()
        crash.close()
        """
    )
    subprocess.run([sys.executable, "-c", clean_run, str(data_dir)], timeout=60, check=True)
    assert list(data_dir.iterdir()) == []
    assert report_previous_crash(data_dir) is None


def test_an_empty_file_of_a_killed_run_is_removed(data_dir: Path) -> None:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    leftover = data_dir / f"crash-20240101-120000-{child.stdout.strip()}.log"
    leftover.touch()
    assert report_previous_crash(data_dir) is None
    assert not leftover.exists()


@pytest.mark.skipif(os.name == "nt", reason="Windows keeps the file open instead")
def test_an_empty_file_of_a_running_instance_stays(data_dir: Path) -> None:
    running = data_dir / f"crash-20240101-120000-{os.getpid()}.log"
    running.touch()
    assert report_previous_crash(data_dir) is None
    assert running.exists()


def test_no_crash_file_when_the_data_dir_refuses_it(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    assert CrashFile.enable(not_a_dir / "data") is None


def failing() -> None:
    raise ValueError("bad value\nsecond line")


def test_a_bug_report_has_versions_platform_and_traceback() -> None:
    try:
        failing()
    except ValueError as exc:
        report = bug_report(exc, extra=["Qt 6.x"])
        summary = error_summary(exc)
    lines = report.splitlines()
    assert lines[0] == f"Agent Assist {__version__}"
    assert lines[1].startswith(f"Python {sys.version.split()[0]} on ")
    assert lines[2] == "Qt 6.x"
    assert "Traceback (most recent call last):" in report
    assert 'in failing\n    raise ValueError("bad value\\nsecond line")' in report
    assert summary == "ValueError: bad value"
    assert error_summary(KeyError()) == "KeyError"
