"""Desktop app startup: one readable sequence, each shutdown registered beside its init."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from PySide6.QtCore import (
    QLibraryInfo,
    QLocale,
    QMessageLogContext,
    QSettings,
    QtMsgType,
    QTranslator,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMessageBox

from agent_assist import __version__
from agent_assist.commands import Context
from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge.packs import import_demo_if_empty
from agent_assist.core.settings import Settings
from agent_assist.core.worklog.clock import SystemClock
from agent_assist.core.worklog.events import EventLog
from agent_assist.core.worklog.retention import purge_expired
from agent_assist.resources import demo_pack
from agent_assist.ui import icons, theme
from agent_assist.ui.headless import HeadlessRun
from agent_assist.ui.knowledge import Knowledge
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.sync_status import hub_round
from agent_assist.ui.tasks import TaskManager
from agent_assist.ui.work_log import WorkLog

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


def make_application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("agent-assist")
    app.setApplicationDisplayName("Agent Assist")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Agent Assist")
    app.setDesktopFileName("agent-assist")
    app.setStyle("Fusion")
    app.setWindowIcon(icons.app_icon())
    theme.apply(app, "light", DEFAULT_FONT_SIZE)
    install_qt_translations(app)
    return app


def install_qt_translations(app: QApplication) -> None:
    """Qt's own strings (standard buttons, context menus of text fields) in the system's
    language, from the qtbase catalogues Qt ships (the bundle keeps exactly those)."""
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale.system(), "qtbase", "_", folder):
        app.installTranslator(translator)


def report_startup_error(exc: AgentAssistError, headless: bool, ctx: Context) -> int:
    if headless:
        ctx.err(f"agent-assist: {exc}")
    else:
        QMessageBox.critical(None, "Agent Assist cannot start", str(exc))
    return 1


def run_app(args: argparse.Namespace, ctx: Context) -> int:
    headless = bool(args.smoke or args.screenshot or getattr(args, "demo_state", None))
    qInstallMessageHandler(on_qt_message)
    app = make_application()
    log.info("Qt application ready (%s platform)", app.platformName())
    try:
        store = ctx.store  # closed by the CLI when run_app returns
        log.info("knowledge cache open at %s", store.path)
        report = import_demo_if_empty(store, demo_pack())
        if report is not None:
            log.info("first start: %s", report.summary())
        settings = Settings(ctx.data_dir)
        for problem in settings.problems:
            log.warning("settings: %s", problem)
        clock = SystemClock()
        events = EventLog.in_dir(ctx.data_dir)
        purge_expired(events, clock.now().wall, int(settings.get("retention_days")))
        log.info("event log open at %s", events.path)
    except AgentAssistError as exc:
        return report_startup_error(exc, headless, ctx)
    tasks = TaskManager()
    log.info("background tasks ready")
    work = WorkLog(store, events, ctx.data_dir, clock)
    window = MainWindow(
        Knowledge(
            store,
            acked=work.acknowledged,
            locale=lambda: str(settings.get("content_locale") or ""),
        ),
        tasks,
        window_settings(ctx.data_dir),
        icons.kind_icons(),
        work,
        settings,
        sync_round=hub_round(ctx.data_dir),
        credentials=process_credentials,
    )
    # quit order: the window saves the agent's place, the worker finishes writing, then the
    # event log closes (the knowledge cache is closed by the CLI once run_app returns)
    app.aboutToQuit.connect(window.close)
    app.aboutToQuit.connect(window.global_hotkey.unregister)
    app.aboutToQuit.connect(tasks.shutdown)
    app.aboutToQuit.connect(events.close)
    if args.query:
        window.set_query(args.query)
    window.show()
    window.activateWindow()  # gets focus even where no window manager does it (Xvfb, kiosks)
    log.info("main window shown")
    if headless:
        screenshot = Path(args.screenshot) if args.screenshot else None
        demo = getattr(args, "demo_state", None)
        if demo:
            from agent_assist.ui.demo_states import DemoRun

            run = DemoRun(window, tasks, demo)
            run.demoFinished.connect(lambda: HeadlessRun(window, tasks, screenshot, ctx.stderr))
        else:
            HeadlessRun(window, tasks, screenshot, ctx.stderr, ctx.stdout)
    return app.exec()


def process_credentials() -> object:
    """The hub token store, loaded only when sign-in is opened (keyring is slow to load)."""
    from agent_assist.sync.credentials import process_credentials as load

    return load()
