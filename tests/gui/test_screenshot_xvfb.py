"""The real app under a real X server: start, search, paint, screenshot, quit cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from agent_assist.ui.headless import EXPOSED_LINE, SETTLED_LINE
from tests.gui.xvfb import Xvfb


def x11_env(display: str, runtime_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", XDG_RUNTIME_DIR=str(runtime_dir))
    env.pop("WAYLAND_DISPLAY", None)
    return env


def run_app_x11(xvfb: Xvfb, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m agent_assist --data-dir <tmp>/data ARGS`` on the Xvfb display; it must exit
    0 with nothing on stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "agent_assist", "--data-dir", str(tmp_path / "data"), *args],
        env=x11_env(xvfb.display, tmp_path / "runtime"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
    return result


def dark_pixels(image: QImage, left: int, top: int, width: int, height: int) -> int:
    count = 0
    for y in range(top, top + height, 2):
        for x in range(left, left + width, 2):
            if image.pixelColor(x, y).lightness() < 90:
                count += 1
    return count


@pytest.mark.xvfb
@pytest.mark.slow
def test_screenshot_under_xvfb(xvfb: Xvfb, tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    run_app_x11(xvfb, tmp_path, "--query", "refund", "--screenshot", str(out))

    image = QImage(str(out))
    assert not image.isNull()
    assert 380 <= image.width() <= 700
    assert 600 <= image.height() <= 800
    colors = {
        image.pixel(x, y) for y in range(0, image.height(), 3) for x in range(0, image.width(), 3)
    }
    assert len(colors) > 50  # a real rendering, not a blank or uniform grab
    # the results list (upper third, below the search field) holds dark title text
    assert dark_pixels(image, 40, 70, image.width() - 80, image.height() // 3) > 100


DEMO_STATES = ("search", "sop", "macro", "checklist")  # checklist last: it leaves a saved run


@pytest.mark.xvfb
@pytest.mark.slow
def test_demo_states_under_xvfb(xvfb: Xvfb, tmp_path: Path) -> None:
    """Each named state renders a real, non-blank panel at the side-panel size."""
    images = {}
    for state in DEMO_STATES:
        out = tmp_path / f"{state}.png"
        run_app_x11(xvfb, tmp_path, "--demo-state", state, "--screenshot", str(out))
        image = QImage(str(out))
        assert not image.isNull()
        assert 380 <= image.width() <= 700
        colors = {
            image.pixel(x, y)
            for y in range(0, image.height(), 3)
            for x in range(0, image.width(), 3)
        }
        assert len(colors) > 50, state
        assert dark_pixels(image, 20, 150, image.width() - 40, image.height() - 200) > 100
        images[state] = image
    # the states differ from one another (each really moved the window somewhere else)
    assert len({bytes(img.constBits()) for img in images.values()}) == len(DEMO_STATES)


@pytest.mark.xvfb
@pytest.mark.slow
def test_smoke_under_xvfb(xvfb: Xvfb, tmp_path: Path) -> None:
    """``--smoke`` on a real X server: the window shows, settles, and the app exits 0 with
    nothing on stderr (the global shortcut is grabbed from this display too)."""
    result = run_app_x11(xvfb, tmp_path, "--smoke")
    assert result.stdout.splitlines() == [EXPOSED_LINE, SETTLED_LINE]
