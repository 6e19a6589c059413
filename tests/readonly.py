"""A folder that really cannot be written, for tests of a read-only data dir.

A normal user gets it from the folder's mode.  Root ignores modes, so for root the folder is
bind-mounted read-only onto itself (a read-only file system, as on a read-only share); where
that is not allowed either, the test is skipped rather than passing without checking anything.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """``folder`` and everything in it read-only while the block runs."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        with _by_mode(folder):
            yield folder
    else:
        with _by_mount(folder):
            yield folder
    probe = folder / ".writable-again"
    probe.touch()
    probe.unlink()


@contextlib.contextmanager
def _by_mode(folder: Path) -> Iterator[None]:
    paths = [folder, *folder.rglob("*")]
    modes = {p: stat.S_IMODE(p.stat().st_mode) for p in paths}
    for path in reversed(paths):
        path.chmod(modes[path] & ~0o222)
    try:
        yield
    finally:
        for path in paths:
            path.chmod(modes[path])


@contextlib.contextmanager
def _by_mount(folder: Path) -> Iterator[None]:
    mount = shutil.which("mount")
    if mount is None:
        pytest.skip("running as root without mount(8): cannot make a folder read-only")
    target = str(folder)
    if _run(mount, "--bind", target, target) != 0:
        pytest.skip("running as root without the right to mount: cannot make a read-only dir")
    try:
        if _run(mount, "-o", "remount,bind,ro", target, target) != 0:
            pytest.skip("cannot remount the bind mount read-only")
        yield
    finally:
        _run(shutil.which("umount") or "umount", "-l", target)


def _run(*command: str) -> int:
    return subprocess.run(command, capture_output=True, check=False).returncode
