"""A real main window over the tiny pack, shown offscreen, plus its task manager."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from agent_assist.app.context import AppContext
from agent_assist.app.work import WorkLog
from agent_assist.core.cache.store import Store
from agent_assist.core.settings import Settings
from agent_assist.core.worklog.clock import SystemClock
from agent_assist.ui.app import window_settings
from agent_assist.ui.icons import kind_icons
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.sync_status import LiveSyncLike
from agent_assist.ui.tasks import TaskManager
from tests.gui.xvfb import Xvfb, start_xvfb


@pytest.fixture
def tasks(qtbot: QtBot) -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


def make_context(store: Store, data_dir: Path) -> AppContext:
    """An application context over ``store``, agent ``tester``, no system-wide settings."""
    settings = Settings(data_dir, system_file=data_dir / "no-system.toml")
    return AppContext(data_dir, clock=SystemClock(), agent="tester", settings=settings, store=store)


def make_work(store: Store, data_dir: Path) -> WorkLog:
    return make_context(store, data_dir).work


def open_window(
    qtbot: QtBot,
    store: Store,
    tasks: TaskManager,
    data_dir: Path,
    work: WorkLog | None = None,
    live_sync: LiveSyncLike | None = None,
) -> MainWindow:
    work = work or make_work(store, data_dir)
    ctx = work.context
    window = MainWindow(
        ctx.search,
        tasks,
        window_settings(data_dir),
        kind_icons(),
        work,
        ctx.settings,
        live_sync=live_sync,
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: tasks.is_idle, timeout=60_000)  # a first index build takes seconds
    return window


@pytest.fixture
def window(qtbot: QtBot, tiny_store: Store, tasks: TaskManager, data_dir: Path) -> MainWindow:
    return open_window(qtbot, tiny_store, tasks, data_dir)


@pytest.fixture
def xvfb() -> Iterator[Xvfb]:
    """A private Xvfb server for the test (skipped where Xvfb is not installed)."""
    server = start_xvfb()
    if server is None:
        pytest.skip("the Xvfb binary is not installed")
    yield server
    server.stop()
