"""The log file both front-ends write (``agent-assist.log`` in the data dir), and what the
CLI prints for a bug: one line that says where the details are."""

from __future__ import annotations

import argparse
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_assist.app import logs as logs_module
from agent_assist.app.logs import FILE_ONLY, LOG_NAME, Logs, setup_logging
from agent_assist.cli import main
from agent_assist.commands import Context
from agent_assist.commands import settings as settings_command

log = logging.getLogger("agent_assist.tests")


@pytest.fixture
def stderr() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def logs(data_dir: Path, stderr: io.StringIO) -> Iterator[Logs]:
    installed = setup_logging(data_dir, stderr=stderr)
    yield installed
    installed.close()


def test_info_goes_to_the_file_and_warnings_also_to_stderr(
    logs: Logs, data_dir: Path, stderr: io.StringIO
) -> None:
    log.debug("query: my card was charged twice")
    log.info("sync done")
    log.warning("hub slow")
    lines = (data_dir / LOG_NAME).read_text(encoding="utf-8").splitlines()
    assert [line.split(" ", 2)[2] for line in lines] == [
        "INFO     agent_assist.tests: sync done",
        "WARNING  agent_assist.tests: hub slow",
    ]
    assert stderr.getvalue() == "hub slow\n"  # as Python printed warnings before
    assert logs.path == data_dir / LOG_NAME


def test_nothing_is_created_until_something_is_logged(tmp_path: Path) -> None:
    installed = setup_logging(tmp_path / "data")
    try:
        log.debug("below the level")
    finally:
        installed.close()
    assert not (tmp_path / "data").exists()


def test_debug_logs_everything_to_the_file_and_stderr(data_dir: Path, stderr: io.StringIO) -> None:
    installed = setup_logging(data_dir, debug=True, stderr=stderr)
    try:
        log.debug("details")
        log.error("report", extra=FILE_ONLY)  # --debug shows even what is for the file
    finally:
        installed.close()
    text = (data_dir / LOG_NAME).read_text(encoding="utf-8")
    assert "DEBUG    agent_assist.tests: details" in text
    assert "DEBUG    agent_assist.tests: details" in stderr.getvalue()
    assert "ERROR    agent_assist.tests: report" in stderr.getvalue()


def test_file_only_records_stay_off_stderr(logs: Logs, data_dir: Path, stderr: io.StringIO) -> None:
    log.critical("a long traceback", extra=FILE_ONLY)
    assert "a long traceback" in (data_dir / LOG_NAME).read_text(encoding="utf-8")
    assert stderr.getvalue() == ""


def test_the_file_is_rotated(monkeypatch: pytest.MonkeyPatch, logs: Logs, data_dir: Path) -> None:
    monkeypatch.setattr(logs_module, "MAX_BYTES", 200)
    for n in range(60):
        log.info("line %d", n)
    names = sorted(p.name for p in data_dir.iterdir())
    assert names == [LOG_NAME, f"{LOG_NAME}.1", f"{LOG_NAME}.2", f"{LOG_NAME}.3"]
    assert all(p.stat().st_size < 400 for p in data_dir.iterdir())
    assert "line 59" in (data_dir / LOG_NAME).read_text(encoding="utf-8")


def test_an_unwritable_log_file_is_said_once_and_nothing_fails(
    data_dir: Path, stderr: io.StringIO
) -> None:
    (data_dir / LOG_NAME).mkdir()  # as good as read-only, even for root
    installed = setup_logging(data_dir, stderr=stderr)
    try:
        log.info("starting")
        log.warning("hub slow")
        log.info("more")
    finally:
        installed.close()
    notice, warning = stderr.getvalue().splitlines()
    assert notice.startswith(f"agent-assist: cannot write the log file {data_dir / LOG_NAME} (")
    assert notice.endswith("); warnings go to stderr only")
    assert warning == "hub slow"
    assert installed.path is None


def test_a_data_dir_that_cannot_exist_is_left_to_whoever_needs_it(
    tmp_path: Path, stderr: io.StringIO
) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    installed = setup_logging(not_a_dir / "data", stderr=stderr)
    try:
        log.info("starting")
    finally:
        installed.close()
    assert stderr.getvalue() == ""  # the knowledge cache says what is wrong, once


def test_close_puts_logging_back_as_it_was(data_dir: Path) -> None:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    first = setup_logging(data_dir, debug=True)
    second = setup_logging(data_dir)  # replaces the first
    assert len(root.handlers) == len(handlers) + 1
    second.close()
    first.close()
    assert (root.level, root.handlers) == (level, handlers)


# -- the CLI -----------------------------------------------------------------------------------


def broken_command(args: argparse.Namespace, ctx: Context) -> int:
    raise ValueError("the settings went sideways\nand more")


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings_command, "cmd_settings", broken_command)


@pytest.mark.usefixtures("broken")
def test_a_bug_in_a_command_is_one_line_and_the_traceback_is_in_the_log(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--data-dir", str(data_dir), "settings"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err == (
        "agent-assist: unexpected error: ValueError: the settings went sideways; "
        f"details in {data_dir / LOG_NAME}\n"
    )
    text = (data_dir / LOG_NAME).read_text(encoding="utf-8")
    assert "CRITICAL agent_assist.cli: unexpected error\nAgent Assist " in text
    assert 'raise ValueError("the settings went sideways\\nand more")' in text


@pytest.mark.usefixtures("broken")
def test_without_a_log_file_the_details_go_to_stderr(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (data_dir / LOG_NAME).mkdir()
    code = main(["--data-dir", str(data_dir), "settings"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback (most recent call last):" in err
    assert err.splitlines()[-1] == (
        "agent-assist: unexpected error: ValueError: the settings went sideways"
    )


@pytest.mark.usefixtures("broken")
def test_debug_shows_the_details_on_stderr_too(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--debug", "--data-dir", str(data_dir), "settings"])
    err = capsys.readouterr().err
    assert code == 1
    assert "CRITICAL agent_assist.cli: unexpected error" in err
    assert "Traceback (most recent call last):" in err
    assert err.splitlines()[-1].startswith("agent-assist: unexpected error: ValueError: ")
