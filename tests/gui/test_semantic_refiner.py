"""The semantic stage in the window: lexical rows per keystroke, then the fused ranking in
place after a pause, keeping the row the agent moved to."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from agent_assist.app.semantic import SemanticSearch
from agent_assist.core.cache.store import Store
from agent_assist.ui.app import window_settings
from agent_assist.ui.icons import kind_icons
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.tasks import TaskManager
from tests.gui.conftest import make_work

QUERY = "a stranger is in my profile"


def open_semantic_window(
    qtbot: QtBot, store: Store, tasks: TaskManager, data_dir: Path
) -> tuple[MainWindow, SemanticSearch]:
    work = make_work(store, data_dir)
    ctx = work.context
    semantic = SemanticSearch(ctx.search)
    window = MainWindow(
        ctx.search,
        tasks,
        window_settings(data_dir),
        kind_icons(),
        work,
        ctx.settings,
        semantic=semantic,
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: tasks.is_idle and semantic.ready(), timeout=120_000)
    return window, semantic


def ids(window: MainWindow) -> list[str]:
    return [r.id for r in window.model.rows]


def test_refinement_keeps_the_row_the_agent_moved_to(
    qtbot: QtBot, tiny_store: Store, tasks: TaskManager, data_dir: Path
) -> None:
    window, semantic = open_semantic_window(qtbot, tiny_store, tasks, data_dir)
    assert window.refiner is not None
    window.refiner.timer.setInterval(60_000)  # the test says when the pause is over
    QTest.keyClicks(window.search, QUERY)
    lexical = window._knowledge.rows(QUERY)
    qtbot.waitUntil(lambda: tasks.is_idle)
    assert ids(window) == [r.id for r in lexical]  # each keystroke: the lexical stage
    fused = semantic.rows(QUERY)
    assert fused is not None and [r.id for r in fused] != [r.id for r in lexical]
    QTest.keyClick(window.search, Qt.Key.Key_Down)
    chosen = window.current_row()
    assert chosen is not None and window.results.currentIndex().row() == 1
    assert window.refiner is not None
    with qtbot.waitSignal(window.refiner.rowsRefined, timeout=30_000):
        window.refiner.timer.timeout.emit()  # the typing pause ends
    assert ids(window) == [r.id for r in fused]
    now = window.current_row()
    assert now is not None and (now.kind, now.id) == (chosen.kind, chosen.id)


def test_refinement_moves_the_automatic_selection_to_the_new_first_row(
    qtbot: QtBot, tiny_store: Store, tasks: TaskManager, data_dir: Path
) -> None:
    window, semantic = open_semantic_window(qtbot, tiny_store, tasks, data_dir)
    assert window.refiner is not None
    with qtbot.waitSignal(window.refiner.rowsRefined, timeout=30_000):
        window.search.setText(QUERY)  # pasted: no pause to wait for
    fused = semantic.rows(QUERY)
    assert fused is not None and ids(window) == [r.id for r in fused]
    assert window.results.currentIndex().row() == 0
