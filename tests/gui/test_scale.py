"""The side panel on a 1366×768 screen at 1.5× and 2× scale and at font size 16.

The scale factor must be set before Qt starts, so each case runs ``scale_probe.py`` in a
subprocess on the offscreen platform, given a 1366×768 screen, and reads back where the widgets
that matter ended up (logical pixels): on screen, fully shown, or at least reachable by scrolling.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.checks import validate_pack
from agent_assist.core.knowledge.models import Sop
from agent_assist.core.worklog.checklist import ChecklistRun
from agent_assist.ui.checklist_view import ChecklistView
from agent_assist.ui.tasks import TaskManager
from tests.gui.conftest import make_work
from tests.packs import write_pack

PROBE = Path(__file__).with_name("scale_probe.py")
SCREEN = {
    "synchronousWindowSystemEvents": True,
    "windowFrameMargins": False,
    "screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96}],
}
GAP_MESSAGE = "Thanks: the gap is recorded for your leads"
PINNED = {"checklist": ("finish", "close"), "macro": ("copy_reply", "back")}

Report = dict[str, Any]


def probe(
    tmp_path: Path, demo_cache: Path, scale: float, font_size: int, *states: str
) -> dict[str, Report]:
    data = tmp_path / "data"
    shutil.copytree(demo_cache, data)
    config = tmp_path / "screen.json"
    config.write_text(json.dumps(SCREEN), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(QT_QPA_PLATFORM=f"offscreen:configfile={config}", QT_SCALE_FACTOR=str(scale))
    result = subprocess.run(
        [sys.executable, str(PROBE), str(data), str(font_size), "light", *states],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["state"] for r in reports] == list(states)
    return {r["state"]: r for r in reports}


def shown(report: Report) -> dict[str, Report]:
    return {name: w for name, w in report["widgets"].items() if w["visible"]}


def not_fully_shown(report: Report) -> list[str]:
    return [name for name, w in shown(report).items() if not w["fully_shown"]]


@pytest.mark.slow
def test_everything_fits_at_one_and_a_half(tmp_path: Path, _demo_cache: Path) -> None:
    """At 1.5× the window was 1080 px tall on a 768 px screen: Finish/Close off it."""
    reports = probe(tmp_path, _demo_cache, 1.5, 10, "sop", "ack", "checklist", "macro", "gap")
    for state, report in reports.items():
        assert report["window_on_screen"], (state, report["window"], report["screen"])
        assert not_fully_shown(report) == [], state
        assert not report["status_overlap"], state
    assert {"finish", "close"} <= set(shown(reports["checklist"]))
    assert {"copy_reply", "back"} <= set(shown(reports["macro"]))
    assert {"detail", "start_checklist"} <= set(shown(reports["sop"]))


@pytest.mark.slow
def test_everything_reachable_at_two(tmp_path: Path, _demo_cache: Path) -> None:
    """At 2× the detail pane and the status bar were below the screen's edge."""
    reports = probe(tmp_path, _demo_cache, 2, 10, "sop", "ack", "checklist", "macro")
    for state, report in reports.items():
        assert report["window_on_screen"], (state, report["window"], report["screen"])
        widgets = shown(report)
        assert widgets["status_bar"]["fully_shown"], state
        for name in PINNED.get(state, ()):
            assert widgets[name]["fully_shown"], (state, name)  # no scrolling to finish
        assert [n for n in widgets if not report["reachable"][n]] == [], state
    assert reports["sop"]["widgets"]["detail"]["visible"]


@pytest.mark.slow
def test_font_size_16_clips_nothing(tmp_path: Path, _demo_cache: Path) -> None:
    """At 16 pt the window grew past the screen's right edge (Start, Copy reply cut) and
    the two status texts were drawn over each other."""
    reports = probe(tmp_path, _demo_cache, 1, 16, "sop", "checklist", "macro", "gap")
    for state, report in reports.items():
        assert report["window_on_screen"], (state, report["window"], report["screen"])
        assert not_fully_shown(report) == [], state
        assert not report["status_overlap"], state
        for name, widget in shown(report).items():
            if "hint_width" in widget and name not in ("counts", "sync_status"):
                assert widget["width"] >= widget["hint_width"], (state, name, widget)
        message = report["message"]
        if message and not report["message_fits"]:
            assert message in report["message_tooltip"], state
    assert {"copy_reply", "back"} <= set(shown(reports["macro"]))


@pytest.fixture(scope="module")
def default_size(tmp_path_factory: pytest.TempPathFactory, _demo_cache: Path) -> dict[str, Report]:
    return probe(tmp_path_factory.mktemp("default"), _demo_cache, 1, 10, "ack", "gap")


@pytest.mark.slow
def test_acknowledging_keeps_the_reading_pane(default_size: dict[str, Report]) -> None:
    """The SOP is read before it is acknowledged: the ack rows took its room."""
    ack = shown(default_size["ack"])
    assert ack["ack_button"]["fully_shown"]
    assert ack["detail"]["height"] >= 200


@pytest.mark.slow
def test_gap_recorded_message_is_shown_whole(default_size: dict[str, Report]) -> None:
    gap = default_size["gap"]
    assert gap["message"] == GAP_MESSAGE
    assert gap["message_fits"]


LONG_CHOICE = "The customer paid with a gift card bought in a shop, not with the card on file"
DECISION_PACK = {
    "sops/decide.md": f"""\
        ---
        id: decide
        title: Decide first
        steps:
          - id: how
            text: How did the customer pay?
            choices:
              - {{label: "{LONG_CHOICE}", next: end}}
              - {{label: Card on file, next: end}}
        ---
        """,
}


def painted(button: QPushButton) -> str:
    """The label as the button paints it."""
    shown_text = getattr(button, "shown_text", None)
    return shown_text() if shown_text is not None else button.text()


def test_a_long_decision_label_is_elided_with_the_whole_label_in_its_tooltip(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path, tmp_path: Path
) -> None:
    """It was cut at the button's edge, mid-word, with nothing to say so."""
    pack = validate_pack(write_pack(tmp_path / "pack", DECISION_PACK))
    sop = pack.items[0].content
    assert isinstance(sop, Sop)
    work = make_work(tiny_store, data_dir)
    view = ChecklistView(tasks, work)
    qtbot.addWidget(view)
    view.resize(360, 560)
    view.show()
    qtbot.waitExposed(view)
    view.show_run(ChecklistRun.start(sop, 1, work.clock, "12345"))
    first = view.choice_buttons[0]
    qtbot.waitUntil(lambda: first.isVisible() and first.width() > 0)
    room = first.contentsRect().width()
    text = painted(first)
    assert first.fontMetrics().horizontalAdvance(text.replace("&", "")) <= room
    assert text.endswith("…")
    assert LONG_CHOICE in first.toolTip()
    short = view.choice_buttons[1]
    assert painted(short) == short.text()  # what fits is left whole
