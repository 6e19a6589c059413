"""The results model is a well-behaved Qt model and says how good each match is."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QIcon
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from agent_assist.app.search import ResultRow
from agent_assist.core.knowledge.models import Kind
from agent_assist.ui.icons import kind_icons
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.results_model import ResultsModel, Role
from agent_assist.ui.tasks import TaskManager

ROWS = [
    ResultRow(Kind.SOP, "coin-refund", "Coin refund", 0.91, True),
    ResultRow(Kind.MACRO, "refund-approved", "Refund approved", 0.31, False),
    ResultRow(Kind.SOP, "hacked-account", "Hacked account"),
]


def test_model_passes_qtmodeltester(qtbot: QtBot, qtmodeltester: Any) -> None:
    model = ResultsModel(kind_icons())
    qtmodeltester.check(model)
    model.set_rows(ROWS)
    qtmodeltester.check(model)
    model.set_rows([])
    qtmodeltester.check(model)


def test_rows_show_kind_title_and_strength(qtbot: QtBot) -> None:
    model = ResultsModel(kind_icons())
    model.set_rows(ROWS)
    strong, weak, listed = (model.index(n) for n in range(3))
    assert model.data(strong) == "Coin refund"
    assert isinstance(model.data(strong, Qt.ItemDataRole.DecorationRole), QIcon)
    assert [model.data(i, Role.STRENGTH) for i in (strong, weak, listed)] == ["strong", "weak", ""]
    assert model.data(weak, Qt.ItemDataRole.ToolTipRole) == "<qt>Macro · weak match</qt>"
    assert model.data(listed, Qt.ItemDataRole.ToolTipRole) == "<qt>SOP</qt>"
    assert model.data(weak, Qt.ItemDataRole.AccessibleDescriptionRole) == "Macro · weak match"
    assert model.data(strong, Role.KIND) == "sop"
    assert model.data(strong, Role.ID) == "coin-refund"
    assert model.data(model.index(3)) is None
    assert model.rowCount(strong) == 0
    assert model.row_at(QModelIndex()) is None


def test_live_window_model_passes_qtmodeltester(
    qtbot: QtBot, qtmodeltester: Any, window: MainWindow, tasks: TaskManager
) -> None:
    qtmodeltester.check(window.model)  # checks again on every change from here on
    QTest.keyClicks(window.search, "refund")
    qtbot.waitUntil(lambda: tasks.is_idle)
    assert window.model.rowCount() > 0
