"""Desktop app startup: one readable sequence, each shutdown registered beside its init."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import FrameType
from typing import TextIO

from PySide6.QtCore import (
    QLibraryInfo,
    QLocale,
    QMessageLogContext,
    QObject,
    QSettings,
    QSocketNotifier,
    QTimer,
    QtMsgType,
    QTranslator,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMessageBox

from agent_assist import __version__
from agent_assist.app import packs, startup
from agent_assist.app.context import AppContext
from agent_assist.app.crash import CrashFile, report_previous_crash
from agent_assist.app.live import LiveSync
from agent_assist.app.logs import Logs
from agent_assist.app.semantic import SemanticSearch
from agent_assist.app.sync import process_credentials
from agent_assist.core.errors import AgentAssistError
from agent_assist.ui import icons, theme
from agent_assist.ui.crash_dialog import CrashHandler, show_previous_crash
from agent_assist.ui.headless import HeadlessRun
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.tasks import TaskManager

log = logging.getLogger(__name__)
DEFAULT_FONT_SIZE = 10


def window_settings(data_dir: Path) -> QSettings:
    """Window state lives beside the data, so ``--data-dir`` isolates it too."""
    return QSettings(str(data_dir / "window.ini"), QSettings.Format.IniFormat)


KNOWN_QT_NOISE = (
    "This plugin does not support propagateSizeHints()",
    "This plugin does not support raise()",
)
"""Qt messages that say a headless platform lacks a feature we do not need."""


def on_qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Forward Qt's messages to stderr, minus known noise, so a clean start prints nothing."""
    if message in KNOWN_QT_NOISE:
        return
    label = {
        QtMsgType.QtDebugMsg: "debug",
        QtMsgType.QtInfoMsg: "info",
        QtMsgType.QtWarningMsg: "warning",
        QtMsgType.QtCriticalMsg: "critical",
        QtMsgType.QtFatalMsg: "fatal",
    }.get(kind, "message")
    print(f"Qt {label}: {message}", file=sys.stderr, flush=True)


def make_application(theme_name: str = "light", font_size: int = DEFAULT_FONT_SIZE) -> QApplication:
    """The QApplication, styled with the agent's theme before any widget exists (styling it
    again once the window is built would re-polish every widget)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("agent-assist")
    app.setApplicationDisplayName("Agent Assist")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Agent Assist")
    app.setDesktopFileName("agent-assist")
    app.setStyle("Fusion")
    app.setWindowIcon(icons.app_icon())
    theme.apply(app, theme_name, font_size)
    install_qt_translations(app)
    return app


def first_look(ctx: AppContext) -> tuple[str, int]:
    """The theme and font size to style the application with before the data is open
    (the defaults when the settings cannot be read: :func:`open_data` says why)."""
    try:
        return ctx.settings.theme, ctx.settings.font_size
    except AgentAssistError:
        return "light", DEFAULT_FONT_SIZE


def install_qt_translations(app: QApplication) -> None:
    """Qt's own strings (standard buttons, context menus of text fields) in the system's
    language, from the qtbase catalogues Qt ships (the bundle keeps exactly those)."""
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale.system(), "qtbase", "_", folder):
        app.installTranslator(translator)


def report_startup_error(exc: AgentAssistError, headless: bool, stderr: TextIO) -> int:
    if headless:
        print(f"agent-assist: {exc}", file=stderr, flush=True)
    else:
        QMessageBox.critical(None, "Agent Assist cannot start", str(exc))
    return 1


class ShutdownSignals(QObject):
    """SIGINT and SIGTERM quit through ``quit`` (the Quit action, so the window saves the
    agent's place and pauses the timer); a second one ends the process at once.

    Python runs its signal handlers only between bytecodes, which an event loop waiting in C++
    never reaches: the C-level handler also writes the signal to a socket
    (``signal.set_wakeup_fd``), whose notifier wakes the loop and so the interpreter.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, quit: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._quit, self._quitting = quit, False
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self.on_notifier_activated)
        self._previous = {sig: signal.signal(sig, self._on_signal) for sig in self.SIGNALS}

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._quitting:
            os._exit(128 + signum)  # asked twice: the clean way is stuck
        self._quitting = True
        QTimer.singleShot(0, partial(self._begin_quit, signal.Signals(signum).name))

    def _begin_quit(self, name: str) -> None:
        log.info("%s: quitting", name)
        self._quit()

    @Slot()
    def on_notifier_activated(self) -> None:
        with contextlib.suppress(OSError):  # the Python handler has run by now
            self._reader.recv(64)

    def uninstall(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()


def run_app(
    args: argparse.Namespace,
    ctx: AppContext,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
    logs: Logs | None = None,
) -> int:
    """Start the window over ``ctx`` (the caller closes the context once this returns)."""
    headless = bool(args.smoke or args.screenshot or getattr(args, "demo_state", None))
    log.info("Agent Assist %s starting (data dir %s)", __version__, ctx.data_dir)
    with contextlib.ExitStack() as shutdown:
        previous_crash = report_previous_crash(ctx.data_dir)
        crash_file = CrashFile.enable(ctx.data_dir)
        if crash_file is not None:
            shutdown.callback(crash_file.close)
            log.info("fatal errors go to %s", crash_file.path)
        qInstallMessageHandler(on_qt_message)
        app = make_application(*first_look(ctx))
        log.info("Qt application ready (%s platform)", app.platformName())
        crashes = CrashHandler(logs, headless, stderr)
        crashes.install()
        shutdown.callback(crashes.uninstall)
        log.info("bugs are logged and shown (log file %s)", logs.path if logs else None)
        try:
            started = open_data(ctx)
        except AgentAssistError as exc:
            return report_startup_error(exc, headless, stderr)
        tasks = TaskManager()
        log.info("background tasks ready")
        window = make_window(ctx, tasks, semantic=not headless)
        window.banner.show_report(started, partial(startup.rebuild_cache, ctx))
        # quit order: the window saves the agent's place, the worker finishes writing; the
        # context (event log, knowledge cache) is closed by the caller once run_app returns
        app.aboutToQuit.connect(window.close)
        app.aboutToQuit.connect(window.global_hotkey.unregister)
        app.aboutToQuit.connect(tasks.shutdown)
        signals = ShutdownSignals(window.commands.quit.trigger)
        shutdown.callback(signals.uninstall)
        log.info("SIGINT and SIGTERM quit like the Quit action")
        if args.query:
            window.set_query(args.query)
        window.show()
        window.activateWindow()  # gets focus even where no window manager does (Xvfb, kiosks)
        log.info("main window shown")
        if previous_crash is not None:
            tell_previous_crash(previous_crash, headless, window, stderr)
        if headless:
            start_headless(args, window, tasks, stdout, stderr)
        code = app.exec()
        log.info("Agent Assist stopped (exit code %d)", code)
        return code or int(headless and crashes.failed)


def open_data(ctx: AppContext) -> startup.StartReport:
    """Open the knowledge cache (with the demo pack on a first start), settings, event log:
    as much as can be opened (a read-only or damaged data dir gives a limited start)."""
    started = startup.open_data(ctx)
    log.info("knowledge cache open at %s (%s)", ctx.store.path, started.cache)
    for problem in started.problems():
        log.warning("limited start: %s", problem)
    report = packs.import_demo_if_empty(ctx)
    if report is not None:
        log.info("first start: %s", report.summary())
    for problem in ctx.settings.problems:
        log.warning("settings: %s", problem)
    if ctx.events_problem is None:
        log.info("event log open at %s", ctx.events.path)
    return started


def make_window(ctx: AppContext, tasks: TaskManager, *, semantic: bool = True) -> MainWindow:
    """``semantic=False`` leaves the second search stage out: headless runs (smoke tests,
    screenshots) must settle as fast and as deterministically as before it existed."""
    return MainWindow(
        ctx.search,
        tasks,
        window_settings(ctx.data_dir),
        icons.kind_icons(),
        ctx.work,
        ctx.settings,
        live_sync=LiveSync(ctx.data_dir),
        credentials=process_credentials,
        semantic=SemanticSearch(ctx.search) if semantic else None,
    )


def tell_previous_crash(text: str, headless: bool, window: MainWindow, stderr: TextIO) -> None:
    if headless:
        print(f"agent-assist: {text}", file=stderr, flush=True)
    else:
        show_previous_crash(text, window)


def start_headless(
    args: argparse.Namespace,
    window: MainWindow,
    tasks: TaskManager,
    stdout: TextIO,
    stderr: TextIO,
) -> None:
    """``--smoke``, ``--screenshot``, ``--demo-state``: quit once the window has settled."""
    screenshot = Path(args.screenshot) if args.screenshot else None
    demo = getattr(args, "demo_state", None)
    if demo:
        from agent_assist.ui.demo_states import DemoRun

        run = DemoRun(window, tasks, demo)
        run.demoFinished.connect(lambda: HeadlessRun(window, tasks, screenshot, stderr))
    else:
        HeadlessRun(window, tasks, screenshot, stderr, stdout)
