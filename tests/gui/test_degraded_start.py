"""Starting on a bad data dir: read-only, a damaged or zero-byte knowledge cache.

The window opens anyway, searches from what could be opened, and says in a banner what works,
what does not and why; a damaged cache gets a "Rebuild knowledge cache" button.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from agent_assist.app.context import AppContext
from agent_assist.core.cache.store import DB_NAME, Store
from agent_assist.core.errors import EventLogError
from agent_assist.core.settings import Settings
from agent_assist.ui.app import make_window, open_data
from agent_assist.ui.headless import EXPOSED_LINE
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.tasks import TaskManager
from tests.readonly import read_only

if TYPE_CHECKING:
    from agent_assist.app.startup import StartReport

NOT_A_DATABASE = b"this is not an SQLite database, whatever its name says\n" * 200


@pytest.fixture
def contexts(tasks: TaskManager) -> Iterator[list[AppContext]]:
    """Contexts the test opened, closed once the worker is done with them: a window's close
    queues work (pausing the ticket) that must not run on a connection being closed."""
    opened: list[AppContext] = []
    yield opened
    tasks.shutdown()
    for ctx in opened:
        ctx.close()


def context(data_dir: Path, opened: list[AppContext]) -> AppContext:
    settings = Settings(data_dir, system_file=data_dir / "no-system.toml")
    ctx = AppContext(data_dir, agent="tester", settings=settings)
    opened.append(ctx)
    return ctx


def show_window(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager, started: StartReport
) -> MainWindow:
    """The window as ``run_app`` builds it after ``open_data``."""
    from agent_assist.app import startup  # here: the module is what these tests are about

    window = make_window(ctx, tasks)
    window.banner.show_report(started, partial(startup.rebuild_cache, ctx))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: tasks.is_idle, timeout=60_000)
    return window


def result_ids(qtbot: QtBot, window: MainWindow, tasks: TaskManager, query: str) -> list[str]:
    with qtbot.waitSignal(window.resultsChanged, timeout=30_000):
        window.set_query(query)
    qtbot.waitUntil(lambda: tasks.is_idle, timeout=30_000)
    rows = (window.model.row_at(window.model.index(n)) for n in range(window.model.rowCount()))
    return [row.id for row in rows if row is not None]


def test_read_only_data_dir_with_a_cache_opens_for_search(
    qtbot: QtBot,
    tasks: TaskManager,
    _tiny_cache: Path,
    data_dir: Path,
    contexts: list[AppContext],
) -> None:
    shutil.copytree(_tiny_cache, data_dir, dirs_exist_ok=True)
    with read_only(data_dir):
        ctx = context(data_dir, contexts)
        started = open_data(ctx)  # it used to refuse: "attempt to write a readonly database"
        assert (started.cache, started.damaged) == ("copy", False)
        assert started.events_problem
        window = show_window(qtbot, ctx, tasks, started)
        banner = window.banner
        assert banner.isVisible()
        assert "read-only copy" in banner.works.text()
        assert "handle time cannot be recorded" in banner.lacks.text().lower()
        assert "writable" in banner.advice.text()
        assert not banner.rebuild_button.isVisible()
        assert "coin-refund" in result_ids(qtbot, window, tasks, "coins never received")
        with pytest.raises(EventLogError, match="handle time cannot be recorded"):
            ctx.work.start("12345")
        window.close()
        qtbot.waitUntil(lambda: tasks.is_idle, timeout=30_000)
        ctx.close()


def test_damaged_cache_opens_with_a_rebuild_button(
    qtbot: QtBot, tasks: TaskManager, data_dir: Path, contexts: list[AppContext]
) -> None:
    (data_dir / DB_NAME).write_bytes(NOT_A_DATABASE)
    ctx = context(data_dir, contexts)
    started = open_data(ctx)  # it used to stop: "move it aside and start again", no button
    assert (started.cache, started.damaged) == ("rebuilt", True)
    assert started.events_problem == ""
    window = show_window(qtbot, ctx, tasks, started)
    banner = window.banner
    assert banner.isVisible() and banner.rebuild_button.isVisible()
    assert "damaged" in banner.title.text()
    assert "coin-refund-app-store" in result_ids(qtbot, window, tasks, "refund for coins")

    with qtbot.waitSignal(banner.cacheRebuilt, timeout=60_000):
        QTest.mouseClick(banner.rebuild_button, Qt.MouseButton.LeftButton)

    assert not banner.isVisible()
    (aside,) = data_dir.glob(f"{DB_NAME}.damaged-*")
    assert aside.read_bytes() == NOT_A_DATABASE  # kept, for whoever wants to look at it
    assert ctx.store.path == data_dir / DB_NAME
    with Store(data_dir / DB_NAME) as rebuilt:
        assert sum(rebuilt.counts().values()) > 100  # the demo pack, in the real file now
    qtbot.waitUntil(lambda: tasks.is_idle, timeout=60_000)
    assert "coin-refund-app-store" in result_ids(qtbot, window, tasks, "refund for my coins")


def test_zero_byte_cache_is_damaged_not_a_first_start(
    qtbot: QtBot, tasks: TaskManager, data_dir: Path, contexts: list[AppContext]
) -> None:
    (data_dir / DB_NAME).touch()
    ctx = context(data_dir, contexts)
    started = open_data(ctx)
    assert (data_dir / DB_NAME).stat().st_size == 0  # not silently re-seeded with the demo
    assert (started.cache, started.damaged) == ("rebuilt", True)
    assert "0 bytes" in started.cache_problem
    window = show_window(qtbot, ctx, tasks, started)
    assert window.banner.isVisible() and window.banner.rebuild_button.isVisible()


def test_rebuild_in_a_read_only_dir_says_why_it_cannot(
    qtbot: QtBot, tasks: TaskManager, data_dir: Path, contexts: list[AppContext]
) -> None:
    (data_dir / DB_NAME).write_bytes(NOT_A_DATABASE)
    with read_only(data_dir):
        ctx = context(data_dir, contexts)
        started = open_data(ctx)
        assert started.damaged and started.events_problem
        window = show_window(qtbot, ctx, tasks, started)
        banner = window.banner
        QTest.mouseClick(banner.rebuild_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: banner.rebuild_button.isEnabled(), timeout=30_000)
        assert banner.problem.isVisible()
        assert "cannot rebuild the knowledge cache" in banner.problem.text()
        assert (data_dir / DB_NAME).read_bytes() == NOT_A_DATABASE
        window.close()
        qtbot.waitUntil(lambda: tasks.is_idle, timeout=30_000)
        ctx.close()


@pytest.mark.slow
def test_read_only_empty_data_dir_opens_the_window(tmp_path: Path) -> None:
    """It used to print "cannot create the knowledge cache" and open no window at all."""
    data = tmp_path / "data"
    with read_only(data):
        result = subprocess.run(
            [sys.executable, "-m", "agent_assist", "--data-dir", str(data), "--smoke"],
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert EXPOSED_LINE in result.stdout, result.stderr
    assert "Traceback" not in result.stderr
    assert "limited start: cannot create the knowledge cache" in result.stderr
    # the window ran without an event log: the first attempt to read the ticket says so
    assert "handle time cannot be recorded" in result.stderr
