"""Where Agent Assist keeps its files: one place decides, so tests and IT can redirect it."""

from __future__ import annotations

import os
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
