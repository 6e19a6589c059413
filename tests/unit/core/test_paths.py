"""The data dir and what it holds are private to the agent (issue 11, item 7)."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from agent_assist.app.context import AppContext
from agent_assist.core.paths import make_private
from agent_assist.core.settings import Settings

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_dir_and_its_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "new" / "data"
    with AppContext(data, agent="t") as ctx:
        ctx.store.counts()
        ctx.events.count()
        ctx.settings.set(Settings.theme, "dark")
    assert mode(data) == 0o700
    for name in ("knowledge.sqlite3", "events.sqlite3", "settings.json"):
        assert mode(data / name) == 0o600, name


def test_an_existing_open_data_dir_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with AppContext(data, agent="t") as ctx:
        ctx.events.count()
    data.chmod(0o755)
    (data / "events.sqlite3").chmod(0o644)
    (data / "window.ini").write_text("[x]\n")
    (data / "window.ini").chmod(0o664)
    with AppContext(data, agent="t") as ctx:
        ctx.events.count()
    assert mode(data) == 0o700
    assert mode(data / "events.sqlite3") == 0o600
    assert mode(data / "window.ini") == 0o600


def test_links_and_other_files_are_left_alone(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    outside.chmod(0o644)
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").symlink_to(outside)
    (data / "notes-of-mine.txt").write_text("x")
    (data / "notes-of-mine.txt").chmod(0o644)
    make_private(data)
    assert mode(outside) == 0o644
    assert mode(data / "notes-of-mine.txt") == 0o644
