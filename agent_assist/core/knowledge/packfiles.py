"""The files of a pack folder, read without following links or opening anything but plain files.

A pack may come from anyone (a shared folder, a zip someone unpacked), so the reader must not
be led outside it or stall: a symbolic link in ``sops/`` could point at a private file that
would then be imported and shown to every agent, and a named pipe named ``x.md`` would block a
read forever.  Links and special files (pipes, sockets, devices) among the pack's files are
refused with a problem naming them, never opened; how many entries and bytes a pack may hold is
checked before any file is read.  The pack folder itself may be a link: the user named it.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from agent_assist.core.knowledge.problems import Problem

MAX_FILE_BYTES = 256 * 1024
"""Bytes in one pack file (``pack.yaml``, a SOP or a macro)."""
MAX_ENTRIES = 20_000
"""Entries (files and folders of any name) in ``sops/`` and ``macros/`` together."""
MAX_PACK_BYTES = 64 * 1024 * 1024
"""Bytes of all the files a pack reader reads, together."""

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)  # the last component: a link swapped in after the check
    | getattr(os, "O_NONBLOCK", 0)  # a pipe swapped in: fstat refuses it, open must not wait
    | getattr(os, "O_BINARY", 0)  # Windows: no newline translation
)


_SPECIAL = (
    (stat.S_ISFIFO, "named pipe (FIFO)"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "device"),
    (stat.S_ISBLK, "device"),
)


@dataclass(frozen=True)
class PackFile:
    path: Path
    rel: str
    size: int


def refusal(mode: int, what: str = "file") -> str | None:
    """Why an entry of this ``lstat`` mode cannot be part of a pack, or None for files and
    folders."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISLNK(mode):
        return f"is a symbolic link (links are not followed: put the {what} itself in the pack)"
    kind = next((name for test, name in _SPECIAL if test(mode)), "special file")
    return f"is a {kind} (expected a plain file)"


def plain_file(path: Path, rel: str, problems: list[Problem], *, missing: str) -> PackFile | None:
    """``path`` when it is a plain file, else None and a problem (``missing`` is its message
    when there is no such file)."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        problems.append(Problem(rel, 0, "", missing))
        return None
    except OSError as exc:
        problems.append(Problem(rel, 0, "", f"cannot read file: {exc.strerror or exc}"))
        return None
    why = refusal(st.st_mode) or (
        "is a folder (expected a file)" if stat.S_ISDIR(st.st_mode) else None
    )
    if why:
        problems.append(Problem(rel, 0, "", why))
        return None
    return PackFile(path, rel, st.st_size)


def list_items(
    root: Path, folders: tuple[str, ...], problems: list[Problem]
) -> dict[str, list[PackFile]]:
    """The ``*.md`` files directly inside each of ``folders`` of ``root``, sorted by name.

    Every link or special file among the folders' entries is a problem (and left out);
    sub-folders and other names are ignored.  Over :data:`MAX_ENTRIES` entries or
    :data:`MAX_PACK_BYTES` bytes, nothing is listed and the problem says so.
    """
    found: dict[str, list[PackFile]] = {}
    budget = [MAX_ENTRIES]
    for folder in folders:
        try:
            files = _scan(root / folder, folder, problems, budget)
        except _TooManyError:
            problems.append(
                Problem(
                    f"{folder}/",
                    0,
                    "",
                    f"sops/ and macros/ hold more than {MAX_ENTRIES:,} entries (split the pack)",
                )
            )
            return {}
        except OSError as exc:
            problems.append(
                Problem(f"{folder}/", 0, "", f"cannot read folder: {exc.strerror or exc}")
            )
            continue
        if files is not None:
            found[folder] = sorted(files, key=lambda f: f.rel)
    total = sum(f.size for files in found.values() for f in files)
    if total > MAX_PACK_BYTES:
        problems.append(
            Problem(
                ".",
                0,
                "",
                f"the pack's files add up to {total:,} bytes "
                f"(expected at most {MAX_PACK_BYTES:,}; split the pack)",
            )
        )
        return {}
    return found


class _TooManyError(Exception):
    pass


def _scan(
    directory: Path, folder: str, problems: list[Problem], budget: list[int]
) -> list[PackFile] | None:
    """The ``*.md`` plain files in ``directory`` (None when it is missing or not a folder);
    counts every entry against ``budget`` and raises :class:`_TooManyError` past it."""
    try:
        mode = directory.lstat().st_mode
    except FileNotFoundError:
        return None
    why = refusal(mode, "folder")
    if why:
        problems.append(Problem(folder, 0, "", why))
        return None
    if not stat.S_ISDIR(mode):
        return None  # a file named like the folder: not part of the pack, as any other file
    files: list[PackFile] = []
    with os.scandir(directory) as it:
        for entry in it:
            budget[0] -= 1
            if budget[0] < 0:
                raise _TooManyError
            rel = f"{folder}/{entry.name}"
            st = entry.stat(follow_symlinks=False)
            why = refusal(st.st_mode)
            if why:
                problems.append(Problem(rel, 0, "", why))
            elif stat.S_ISREG(st.st_mode) and fnmatch.fnmatch(entry.name, "*.md"):
                files.append(PackFile(Path(entry.path), rel, st.st_size))
    return files


def read_bytes(file: PackFile, problems: list[Problem]) -> bytes | None:
    """The bytes of ``file``, opened without following a link and refused unless it is a
    plain file of at most :data:`MAX_FILE_BYTES` (checked again on the open file, in case it
    was replaced since it was listed)."""
    rel = file.rel
    try:
        fd = os.open(file.path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            problems.append(Problem(rel, 0, "", refusal(stat.S_IFLNK) or ""))
        else:
            problems.append(Problem(rel, 0, "", f"cannot read file: {exc.strerror or exc}"))
        return None
    with os.fdopen(fd, "rb") as f:
        try:
            st = os.fstat(fd)
            why = refusal(st.st_mode) or (
                "is a folder (expected a file)" if stat.S_ISDIR(st.st_mode) else None
            )
            if why:
                problems.append(Problem(rel, 0, "", why))
                return None
            data = f.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            problems.append(Problem(rel, 0, "", f"cannot read file: {exc.strerror or exc}"))
            return None
    if len(data) > MAX_FILE_BYTES or st.st_size > MAX_FILE_BYTES:
        size = max(len(data), st.st_size)
        problems.append(
            Problem(
                rel,
                0,
                "",
                f"file is {size:,} bytes (expected at most {MAX_FILE_BYTES:,}; split it)",
            )
        )
        return None
    return data
