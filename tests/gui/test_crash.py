"""A bug in background work: the crash dialog shows it, the log has it, the app keeps running.

The handler is installed as ``run_app`` installs it; pytest-qt's own capture of exceptions in
slots is off for these tests (it would fail them before our excepthook sees anything).
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from agent_assist.app.logs import LOG_NAME, Logs, setup_logging
from agent_assist.ui.crash_dialog import CrashDialog, CrashHandler, show_previous_crash
from agent_assist.ui.tasks import TaskManager

pytestmark = pytest.mark.qt_no_exception_capture


@pytest.fixture
def logs(data_dir: Path) -> Iterator[Logs]:
    installed = setup_logging(data_dir)
    yield installed
    installed.close()


@pytest.fixture
def crashes(qtbot: QtBot, logs: Logs) -> Iterator[CrashHandler]:
    original, original_thread_hook = sys.excepthook, threading.excepthook
    handler = CrashHandler(logs, headless=False)
    handler.install()
    yield handler
    handler.uninstall()
    assert sys.excepthook is original
    assert threading.excepthook is original_thread_hook
    if handler.dialog is not None:
        handler.dialog.close()


def bug() -> None:
    raise RuntimeError("the index fell over")


def shown_dialog(qtbot: QtBot, crashes: CrashHandler) -> CrashDialog:
    qtbot.waitUntil(lambda: crashes.dialog is not None and crashes.dialog.isVisible())
    assert crashes.dialog is not None
    return crashes.dialog


def test_a_bug_in_a_task_shows_the_dialog_and_the_app_keeps_running(
    qtbot: QtBot, tasks: TaskManager, crashes: CrashHandler, data_dir: Path
) -> None:
    with qtbot.waitSignal(crashes.bugReported) as reported:
        tasks.run(bug, lambda _: None)
    assert reported.args == ["RuntimeError: the index fell over"]
    dialog = shown_dialog(qtbot, crashes)
    assert not dialog.isModal()
    assert "RuntimeError: the index fell over" in dialog.summary.text()
    assert f"details in {data_dir / LOG_NAME}" in dialog.summary.text()
    assert "Traceback (most recent call last):" in dialog.details.toPlainText()

    with qtbot.waitSignal(dialog.detailsCopied):
        QTest.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert copied == dialog.report
    assert 'raise RuntimeError("the index fell over")' in copied

    log_text = (data_dir / LOG_NAME).read_text(encoding="utf-8")
    assert "CRITICAL agent_assist.ui.crash_dialog: unexpected error" in log_text
    assert 'raise RuntimeError("the index fell over")' in log_text

    results: list[int] = []
    with qtbot.waitSignal(tasks.idleChanged, check_params_cb=lambda idle: idle):
        tasks.run(lambda: 42, results.append)
    assert results == [42]  # the worker and the event loop still run

    QTest.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: crashes.dialog is None)


def test_further_bugs_are_counted_in_the_open_dialog(
    qtbot: QtBot, tasks: TaskManager, crashes: CrashHandler
) -> None:
    with qtbot.waitSignal(crashes.bugReported):
        tasks.run(bug, lambda _: None)
    dialog = shown_dialog(qtbot, crashes)
    with qtbot.waitSignal(crashes.bugReported):
        tasks.run(bug, lambda _: None)
    assert crashes.dialog is dialog
    assert dialog.more.text() == "1 more error(s) since; the log has each of them."


def test_a_bug_in_a_python_thread_is_shown_on_the_main_thread(
    qtbot: QtBot, crashes: CrashHandler
) -> None:
    thread = threading.Thread(target=bug)
    with qtbot.waitSignal(crashes.bugReported) as reported:
        thread.start()
    thread.join()
    assert reported.args == ["RuntimeError: the index fell over"]
    assert "the index fell over" in shown_dialog(qtbot, crashes).summary.text()


def test_a_known_error_is_not_a_crash(
    qtbot: QtBot, tasks: TaskManager, crashes: CrashHandler
) -> None:
    from agent_assist.core.errors import AgentAssistError

    def known() -> None:
        raise AgentAssistError("the hub is down")

    with qtbot.waitSignal(tasks.taskFailed) as failed:
        tasks.run(known, lambda _: None)
    assert failed.args == ["the hub is down"]
    assert crashes.dialog is None and not crashes.failed


def test_headless_runs_print_one_line_instead(
    qtbot: QtBot, tasks: TaskManager, logs: Logs, data_dir: Path
) -> None:
    stderr = io.StringIO()
    handler = CrashHandler(logs, headless=True, stderr=stderr)
    handler.install()
    try:
        with qtbot.waitSignal(handler.bugReported):
            tasks.run(bug, lambda _: None)
    finally:
        handler.uninstall()
    assert stderr.getvalue() == (
        "agent-assist: unexpected error: RuntimeError: the index fell over; "
        f"details in {data_dir / LOG_NAME}\n"
    )
    assert handler.failed and handler.dialog is None


def test_the_previous_crash_is_told_without_blocking(qtbot: QtBot) -> None:
    text = "Agent Assist stopped unexpectedly at 2024-05-01 10:32 (Segmentation fault); ..."
    box = show_previous_crash(text, None)
    qtbot.addWidget(box)
    qtbot.waitExposed(box)
    assert box.text() == text
    assert not box.isModal()
