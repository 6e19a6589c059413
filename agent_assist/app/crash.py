"""Crashes: a fatal-error file for the next start to report, and the report of a bug.

Python's :mod:`faulthandler` writes the tracebacks of every thread to ``crash-<start>-<pid>.log``
in the data dir when the process dies of a fatal signal (a segfault in Qt or a native library,
an abort); a clean exit removes the still empty file.  The next start finds a non-empty one,
logs it and tells the agent once, then moves it to ``crashes/`` (the newest few are kept).

:func:`bug_report` formats an unexpected exception (traceback, version, platform) the same way
for the crash dialog, stderr and the log.  Cheap to import: :mod:`traceback` and :mod:`platform`
are imported when a report is made.
"""

from __future__ import annotations

import contextlib
import faulthandler
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from agent_assist import __version__
from agent_assist.app.logs import FILE_ONLY

if TYPE_CHECKING:
    from types import TracebackType

log = logging.getLogger(__name__)
CRASH_PREFIX = "crash-"
REPORTED_DIR = "crashes"
KEEP_REPORTED = 10


class CrashFile:
    """The open fatal-error file of this run; :meth:`close` on a clean exit."""

    def __init__(self, path: Path, file: IO[str]) -> None:
        self.path, self.file = path, file

    @classmethod
    def enable(cls, data_dir: Path) -> CrashFile | None:
        """Send :mod:`faulthandler`'s output to a new file in ``data_dir``; ``None`` (and a
        warning in the log) when the data dir refuses it."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = data_dir / f"{CRASH_PREFIX}{stamp}-{os.getpid()}.log"
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            file = path.open("x", encoding="utf-8")
        except OSError as exc:
            # a data dir that cannot even be created is reported by the knowledge cache
            level = logging.WARNING if data_dir.is_dir() else logging.INFO
            log.log(level, "no crash file: cannot write %s: %s", path, exc.strerror or exc)
            return None
        faulthandler.enable(file, all_threads=True)
        return cls(path, file)

    def close(self) -> None:
        """Stop writing fatal errors here and remove the file if it stayed empty."""
        faulthandler.disable()
        self.file.close()
        try:
            if self.path.stat().st_size == 0:
                self.path.unlink()
        except OSError as exc:
            log.warning("cannot remove the crash file %s: %s", self.path, exc.strerror or exc)


def report_previous_crash(data_dir: Path) -> str | None:
    """What to tell the agent about an earlier run that died (``None``: none did).

    Each crash file is reported once: it is moved to ``data_dir/crashes/``.  Empty files left by
    runs that were killed outright (no traceback to show) are removed.
    """
    found: list[tuple[float, Path]] = []
    for path in data_dir.glob(f"{CRASH_PREFIX}*.log"):
        try:
            stat = path.stat()
        except OSError:
            continue
        if stat.st_size:
            found.append((stat.st_mtime, path))
        else:
            _remove_leftover(path)
    if not found:
        return None
    reports = []
    for mtime, path in sorted(found):
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(mtime))
        moved = _move_aside(path, data_dir / REPORTED_DIR)
        reason = _first_line(moved)
        log.warning(  # the front-end tells the user, in its own way
            "the run of %s stopped unexpectedly (%s); details in %s",
            when,
            reason,
            moved,
            extra=FILE_ONLY,
        )
        reports.append((when, reason, moved))
    _prune(data_dir / REPORTED_DIR)
    when, reason, moved = reports[-1]
    earlier = f" ({len(reports) - 1} earlier crash(es) saved beside it)" if len(reports) > 1 else ""
    return (
        f"Agent Assist stopped unexpectedly at {when} ({reason}); details saved in {moved}{earlier}"
    )


def _remove_leftover(path: Path) -> None:
    """Remove the empty file of a run that ended without cleaning up (killed outright, power
    cut), but not that of another instance still running."""
    if os.name != "nt" and _alive(path.stem.rsplit("-", 1)[-1]):
        return
    with contextlib.suppress(OSError):  # Windows: still open by the instance writing it
        path.unlink()


def _alive(pid: str) -> bool:
    """Whether a process ``pid`` exists (POSIX; on Windows ``os.kill`` would end it)."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def _move_aside(path: Path, folder: Path) -> Path:
    try:
        folder.mkdir(exist_ok=True)
        return path.replace(folder / path.name)
    except OSError as exc:  # reported again next time rather than lost
        log.warning("cannot move %s to %s: %s", path, folder, exc.strerror or exc)
        return path


def _first_line(path: Path) -> str:
    """``Segmentation fault`` out of ``Fatal Python error: Segmentation fault``."""
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            line = file.readline().strip()
    except OSError:
        return "no details"
    return line.removeprefix("Fatal Python error:").strip() or "no details"


def _prune(folder: Path) -> None:
    reported = sorted(folder.glob(f"{CRASH_PREFIX}*.log"), key=lambda p: p.name)
    for old in reported[:-KEEP_REPORTED]:
        old.unlink(missing_ok=True)


def error_summary(exc: BaseException) -> str:
    """``ValueError: bad value``: the type and the first line of the message."""
    message = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__


def bug_report(
    exc: BaseException, tb: TracebackType | None = None, extra: Sequence[str] = ()
) -> str:
    """The report of an unexpected exception: versions and platform, then the traceback.

    ``extra`` adds lines after the versions (the app adds Qt's version).  The message of the
    exception may hold what the agent typed: the report is shown to the agent, who decides
    whether to copy it.
    """
    import platform
    import traceback

    lines = [
        f"Agent Assist {__version__}",
        f"Python {platform.python_version()} on {platform.platform()}",
        *extra,
        "",
        "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__)).rstrip(),
    ]
    return "\n".join(lines)
