"""Where Agent Assist keeps its files: one place decides, so tests and IT can redirect it."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

import platformdirs

APP_NAME = "agent-assist"
DATA_DIR_ENV = "AGENT_ASSIST_DATA_DIR"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` beats ``$AGENT_ASSIST_DATA_DIR`` beats the platform's user data dir."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def data_dir_source(override: str | os.PathLike[str] | None = None) -> str:
    """Which setting chose the data dir, in words (for ``doctor``)."""
    if override:
        return "--data-dir"
    if os.environ.get(DATA_DIR_ENV):
        return f"${DATA_DIR_ENV}"
    return "platform default"


PRIVATE_FILES = (
    "knowledge.sqlite3",
    "knowledge.sqlite3-wal",
    "knowledge.sqlite3-shm",
    "events.sqlite3",
    "events.sqlite3-wal",
    "events.sqlite3-shm",
    "settings.json",
    "team-secret",
    "checklist-run.json",
    "window.ini",
    "agent-assist.log",
)
"""What the data dir holds that is the agent's alone: raw ticket ids, notes, tokens' hubs."""


def make_private(folder: Path) -> None:
    """Create ``folder`` readable by its owner only (0700) and tighten what it already holds
    (0600), so other users of a shared workstation cannot read ticket ids or notes.

    On POSIX only: on Windows the user profile's ACL already keeps other users out (see
    ``docs/security.md``).  A folder or file owned by someone else is left alone, and a
    failure to change modes never stops the app (a read-only data dir is reported elsewhere).
    """
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(folder, 0o700)
    for name in PRIVATE_FILES:
        _tighten(folder / name, 0o600)


def _tighten(path: Path, mode: int) -> None:
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
            return
        if stat.S_IMODE(info.st_mode) & ~mode:
            path.chmod(stat.S_IMODE(info.st_mode) & mode)
    except OSError:
        return
