"""The settings version, and the steps that carry an older ``settings.json`` forward.

Like Picard's ``run_upgrade_hooks``: the user's file records the version that wrote it
(``"version": N``; a file without one is version 0).  On load, every step newer than the file
runs in order, so a renamed setting keeps the user's value and a removed one is dropped with a
log line.  A file from a *newer* version runs no step and is never written back at a lower
version.

To rename or remove a setting: raise :data:`VERSION`, and append a :class:`Step` for it to
:data:`UPGRADES` using :func:`rename` / :func:`remove` (or any function of the same shape).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Change = Callable[[dict[str, Any]], str | None]
"""Edits the user's settings in place; returns what it did, or None when there was nothing to do."""


def rename(old: str, new: str) -> Change:
    """``old`` is now called ``new``: keep its value (unless ``new`` is already set)."""

    def change(data: dict[str, Any]) -> str | None:
        if old not in data:
            return None
        value = data.pop(old)
        if new in data:
            return f"dropped '{old}' = {json.dumps(value)}: renamed to '{new}', already set"
        data[new] = value
        return f"renamed '{old}' to '{new}' (value kept)"

    return change


def remove(key: str) -> Change:
    """``key`` is no longer a setting: drop it, saying which value was dropped."""

    def change(data: dict[str, Any]) -> str | None:
        if key not in data:
            return None
        return f"dropped '{key}' = {json.dumps(data.pop(key))}: no longer a setting"

    return change


@dataclass(frozen=True)
class Step:
    """The changes that bring a file to settings version ``version``."""

    version: int
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Upgrades:
    """The current settings version and the steps leading to it (oldest first)."""

    version: int
    steps: tuple[Step, ...] = ()

    def __post_init__(self) -> None:
        versions = [step.version for step in self.steps]
        if versions != sorted(set(versions)) or any(not 0 < v <= self.version for v in versions):
            raise ValueError(f"upgrade steps must be in order, up to {self.version}: {versions}")

    def run(self, data: dict[str, Any], from_version: int) -> list[str]:
        """Upgrade ``data`` (a file at ``from_version``) in place; return what changed."""
        done: list[str] = []
        for step in self.steps:
            if step.version <= from_version:
                continue
            for change in step.changes:
                line = change(data)
                if line is not None:
                    done.append(f"settings version {step.version}: {line}")
        return done


VERSION = 1
"""Version 1 is the first file with a version; nothing was renamed or removed before it."""

UPGRADES = Upgrades(VERSION, steps=())
