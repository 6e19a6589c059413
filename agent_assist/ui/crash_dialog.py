"""The app's crash handling (STYLE.md rule 9): a bug shows what happened and where the log is,
and the app keeps running.

:class:`CrashHandler` is ``sys.excepthook`` while the app runs.  A bug (an exception that is not
a known :class:`~agent_assist.core.errors.AgentAssistError`) reaches it from a slot, including
the ones :class:`~agent_assist.ui.tasks.TaskManager` re-raises from background work.  It logs
the report, then shows a :class:`CrashDialog` (not modal: the agent can go on working) or, in a
headless run, prints one line on stderr and makes the run fail.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from PySide6.QtCore import QObject, Qt, Signal, Slot, qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from agent_assist.app.crash import bug_report, error_summary
from agent_assist.app.logs import FILE_ONLY, Logs

log = logging.getLogger(__name__)
ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
ThreadHook = Callable[[threading.ExceptHookArgs], object]


class CrashDialog(QDialog):
    """What went wrong, the details to send to whoever supports Agent Assist, a way to copy
    them.  Further bugs while it is open are counted here rather than opening more dialogs.

    Signals:
        detailsCopied(): the report is on the clipboard.
    """

    detailsCopied = Signal()

    def __init__(self, summary: str, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Agent Assist ran into a bug")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # even over a hidden panel
        self.report = report
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.more = QLabel()
        self.more.setObjectName("muted")
        self.more.hide()
        self.details = QPlainTextEdit(report)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Error details")
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setToolTip("Put the details on the clipboard, to paste into a report")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.more)
        layout.addWidget(buttons)
        self.copy_button.clicked.connect(self.on_copyButton_clicked)
        buttons.rejected.connect(self.reject)
        self.resize(560, 360)

    def count_another(self, count: int) -> None:
        self.more.setText(f"{count} more error(s) since; the log has each of them.")
        self.more.show()

    @Slot()
    def on_copyButton_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.report)
        self.detailsCopied.emit()


class CrashHandler(QObject):
    """``sys.excepthook`` (and ``threading.excepthook``: a bug in a plain Python thread is
    shown on the main thread) for the app's lifetime: :meth:`install`, then :meth:`uninstall`.

    ``failed`` tells a headless run that a bug happened (its exit code becomes 1).

    Signals:
        bugReported(str): a bug was logged and shown; the one-line summary.
    """

    bugReported = Signal(str)
    _threadFailed = Signal(object)

    def __init__(
        self,
        logs: Logs | None,
        headless: bool,
        stderr: TextIO | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._logs, self._headless, self._stderr = logs, headless, stderr
        self._previous: ExceptHook | None = None
        self._previous_thread: ThreadHook | None = None
        self.dialog: CrashDialog | None = None
        self.failed = False
        self._more = 0
        self._threadFailed.connect(self.on_self_threadFailed)  # queued to the main thread

    def install(self) -> None:
        self._previous, sys.excepthook = sys.excepthook, self.handle
        self._previous_thread, threading.excepthook = threading.excepthook, self._thread_hook

    def uninstall(self) -> None:
        if self._previous is not None and sys.excepthook == self.handle:
            sys.excepthook = self._previous
        if self._previous_thread is not None and threading.excepthook == self._thread_hook:
            threading.excepthook = self._previous_thread
        self._previous = self._previous_thread = None

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None and not issubclass(args.exc_type, SystemExit):
            self._threadFailed.emit(args.exc_value)

    @Slot(object)
    def on_self_threadFailed(self, exc: BaseException) -> None:
        self.handle(type(exc), exc, exc.__traceback__)

    def handle(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):  # Ctrl+C without our handler: just quit
            QGuiApplication.quit()
            return
        self.failed = True
        report = bug_report(exc, tb, [f"Qt {qVersion()}, {QGuiApplication.platformName()}"])
        log.critical("unexpected error\n%s", report, extra=FILE_ONLY)
        path = self._logs.path if self._logs is not None else None
        where = f"details in {path}" if path is not None else "no log file"
        summary = error_summary(exc)
        try:
            if self._headless:
                if self._stderr is not None:
                    line = f"agent-assist: unexpected error: {summary}; {where}"
                    print(line, file=self._stderr, flush=True)
            else:
                self._show(summary, report, where)
        except Exception:  # the handler must not fail in turn: the log has the report
            log.exception("cannot show the error %s", summary)
        self.bugReported.emit(summary)

    def _show(self, summary: str, report: str, where: str) -> None:
        if self.dialog is not None:
            self._more += 1
            self.dialog.count_another(self._more)
            return
        self.dialog = CrashDialog(
            f"Agent Assist ran into a bug and keeps running; if something looks wrong, "
            f"restart it.\n\n{summary}\n({where})",
            report,
        )
        self.dialog.finished.connect(self.on_dialog_finished)
        self.dialog.show()

    @Slot(int)
    def on_dialog_finished(self, _: int) -> None:
        self.dialog, self._more = None, 0


def show_previous_crash(text: str, parent: QWidget | None) -> QMessageBox:
    """Tell the agent, without blocking the start, that the last run died and where its
    details are."""
    box = QMessageBox(
        QMessageBox.Icon.Information, "Agent Assist", text, QMessageBox.StandardButton.Ok, parent
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.show()
    return box
