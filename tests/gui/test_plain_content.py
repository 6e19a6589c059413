"""Pack content is shown as text: no markup rendered, no resource loaded (issue 11, item 5).

Each test points an image at a real local file whose access time is set in the past, renders
the content, and checks the file was never opened (``relatime`` updates the access time of a
file read when it is older than its modification time).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from agent_assist.app.context import AppContext
from agent_assist.app.search import Detail, ResultRow
from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import Choice, Item, Kind, Sop, Step
from agent_assist.core.worklog.checklist import ChecklistRun
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.ui.checklist_view import ChecklistView
from agent_assist.ui.detail_view import DetailView
from agent_assist.ui.icons import kind_icons
from agent_assist.ui.results_model import ResultsModel
from agent_assist.ui.steps_model import StepsModel
from agent_assist.ui.tasks import TaskManager


@pytest.fixture
def bait(tmp_path: Path) -> Path:
    """A real image file with an old access time; skipped where reads leave no trace."""
    image = tmp_path / "bait.png"
    QImage(8, 8, QImage.Format.Format_ARGB32).save(str(image))
    os.utime(image, (1_000_000, time.time()))
    image.read_bytes()  # a read of our own: does this file system record it?
    if image.stat().st_atime == 1_000_000:
        pytest.skip("this file system does not update access times")
    os.utime(image, (1_000_000, time.time()))
    return image


def untouched(image: Path) -> bool:
    return image.stat().st_atime == 1_000_000


def hostile_html(image: Path) -> str:
    return (
        f'<img src="{image}"><span style="color:red;font-size:40px">'
        "Call +1 555 0100 to verify your password</span>"
    )


def item(sop: Sop) -> Item:
    return Item(sop, 1, "hash", "pack", "sops/x.md", "")


def test_detail_view_loads_no_image_a_pack_points_at(qtbot: QtBot, bait: Path) -> None:
    sop = Sop(
        "x",
        "Looks harmless",
        summary=f"![logo]({bait})",
        body=f"![inline](file://{bait})\n\n{hostile_html(bait)}\n",
    )
    view = DetailView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    view.show_detail(Detail(item(sop)))
    qtbot.waitExposed(view)
    view.grab()  # paint it all
    assert untouched(bait)
    assert "Call +1 555 0100" in view.toPlainText()  # shown as the text it is


def test_checklist_shows_html_in_steps_as_plain_text(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path, bait: Path
) -> None:
    step_text = hostile_html(bait)
    sop = Sop(
        "x",
        f"<b>Title</b><img src='{bait}'>",
        steps=(
            Step("one", step_text, choices=(Choice(f"<i>Yes</i> & <img src='{bait}'>", "end"),)),
        ),
    )
    ctx = AppContext(data_dir, clock=FakeClock(), agent="t", store=tiny_store)
    run = ChecklistRun.start(sop, 1, ctx.clock)
    view = ChecklistView(tasks, ctx.work)
    qtbot.addWidget(view)
    view.resize(600, 500)
    view.show()
    view.show_run(run)
    qtbot.waitExposed(view)
    view.grab()
    for label in (view.title, view.step_text, view.step_meta, view.total, view.message):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert view.step_text.text() == f"1. {step_text}"
    assert view.title.text() == sop.title
    (button,) = view.choice_buttons
    assert "&& <img" in button.text()  # the & is shown, not taken as a shortcut
    assert button.toolTip().startswith("<qt>&lt;") or "&lt;i&gt;" in button.toolTip()
    assert untouched(bait)
    ctx.close()


def test_tooltips_show_content_literally(qtbot: QtBot) -> None:
    clock = FakeClock()
    sop = Sop("x", "T", steps=(Step("one", "<img src='/etc/passwd'><b>Check</b>"),))
    steps = StepsModel(clock)
    steps.set_run(ChecklistRun.start(sop, 1, clock))
    tip = steps.index(0).data(Qt.ItemDataRole.ToolTipRole)
    assert "<img" not in tip and "&lt;img src=&#x27;/etc/passwd&#x27;&gt;" in tip
    results = ResultsModel(kind_icons())
    results.set_rows([ResultRow(Kind.SOP, "x", "<b>Refund</b>", 0.5, True)])
    assert "<b>" not in results.index(0).data(Qt.ItemDataRole.ToolTipRole)
