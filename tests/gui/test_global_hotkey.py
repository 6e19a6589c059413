"""The system-wide summon shortcut: a real grab under Xvfb, and the in-app fallback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from agent_assist.ui.global_hotkey import GlobalHotkey, HotkeyUnavailableError, parse
from agent_assist.ui.main_window import MainWindow
from tests.gui.test_screenshot_xvfb import x11_env
from tests.gui.xvfb import Xvfb

PROBE = Path(__file__).with_name("hotkey_probe.py")


def probe(xvfb: Xvfb, tmp_path: Path, *keys: str) -> subprocess.CompletedProcess[str]:
    env = x11_env(xvfb.display, tmp_path / "runtime")
    return subprocess.run(
        [sys.executable, str(PROBE), *keys],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )


def test_the_shortcut_fires_while_another_client_has_the_keyboard(
    xvfb: Xvfb, tmp_path: Path
) -> None:
    result = probe(xvfb, tmp_path, "Control_L", "Shift_L", "space")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "activated" in result.stdout
    # A second grab of a taken combination is refused with a reason, not silently ignored.
    assert "second grab: False (Ctrl+Shift+Space is already taken" in result.stdout


def test_other_keys_do_not_fire_it(xvfb: Xvfb, tmp_path: Path) -> None:
    result = probe(xvfb, tmp_path, "Control_L", "space")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "timed out" in result.stdout


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("Ctrl+Shift+Space", ({"ctrl", "shift"}, "space")),
        ("Alt+F9", ({"alt"}, "f9")),
        ("Meta+K", ({"cmd"}, "k")),
        ("ctrl + alt + a", ({"ctrl", "alt"}, "a")),
    ],
)
def test_parse(keys: str, expected: tuple[set[str], str]) -> None:
    mods, key = parse(keys)
    assert (set(mods), key) == expected


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("Space", "needs Ctrl, Alt, Shift or Meta"),
        ("Hyper+Space", "unknown modifier 'Hyper'"),
        ("Ctrl+", "is not a key combination"),
        ("", "is not a key combination"),
    ],
)
def test_parse_names_what_is_wrong(keys: str, message: str) -> None:
    with pytest.raises(HotkeyUnavailableError, match=message):
        parse(keys)


def test_offscreen_says_why_it_is_not_global(qtbot: QtBot) -> None:
    hotkey = GlobalHotkey()
    assert not hotkey.register("Ctrl+Shift+Space")
    assert "offscreen" in hotkey.problem


@pytest.mark.qt_log_ignore("^This plugin does not support raise")  # offscreen has no stacking
def test_the_window_answers_the_global_shortcut(qtbot: QtBot, window: MainWindow) -> None:
    QGuiApplication.clipboard().setText("card payment declined")
    window.hide()
    window.global_hotkey.activated.emit()
    assert window.isVisible()
    assert window.search.text() == "card payment declined"
