"""The log file: ``agent-assist.log`` in the data dir, rotated, for the app and the CLI alike.

What is logged: startup and shutdown of each subsystem, sync rounds, known errors and the
tracebacks of bugs.  Customer text (search queries, checklist notes, macro fields) is never
logged above DEBUG, and DEBUG is only on with ``--debug``.

Setting up is cheap, because the CLI does it before every command and the app before its
window shows: only :mod:`logging` is imported (not :mod:`logging.handlers`, whose socket and
pickle imports a desktop start has no use for) and the file is opened on the first record, so a
command that logs nothing creates nothing.  A data dir that refuses the log file never stops
the program: warnings keep going to stderr, and the user is told once.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

LOG_NAME = "agent-assist.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 3
FILE_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"
QUIET_LOGGERS = ("httpx", "httpcore")
"""Libraries that log every request at INFO: kept to warnings unless ``--debug``."""
FILE_ONLY = {"file_only": True}
"""``extra=`` of a record for the file alone (a traceback whose one-line summary the user
already got), unless ``--debug`` shows everything on stderr."""
OnUnwritable = Callable[["LogFile"], None]


class LogFile(logging.FileHandler):
    """A log file opened on the first record and rotated at :data:`MAX_BYTES`
    (``agent-assist.log.1`` … ``.3``).

    If the file cannot be written, records are dropped here (the stderr handler still shows
    warnings) and ``on_unwritable`` is called once with the reason.
    """

    def __init__(self, path: Path, on_unwritable: OnUnwritable | None = None) -> None:
        super().__init__(path, encoding="utf-8", delay=True)
        self.path = path
        self.problem: str | None = None
        self._on_unwritable = on_unwritable

    @property
    def writable(self) -> bool:
        return self.problem is None

    def emit(self, record: logging.LogRecord) -> None:
        if self.problem is not None:
            return
        if self.stream is not None and self.stream.tell() >= MAX_BYTES:
            self._rotate()
        if self.stream is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.stream = self._open()
            except OSError as exc:
                self._give_up(exc)
                return
        super().emit(record)

    def _rotate(self) -> None:
        """Shift ``.1``→``.2``… and start a new file; if another process holds the file
        (Windows), keep appending to it rather than lose records."""
        stream, self.stream = self.stream, None
        if stream is not None:
            stream.close()
        try:
            for n in range(BACKUPS - 1, 0, -1):
                older = self._backup(n)
                if older.exists():
                    older.replace(self._backup(n + 1))
            self.path.replace(self._backup(1))
        except OSError:
            pass

    def _backup(self, n: int) -> Path:
        return self.path.with_name(f"{self.path.name}.{n}")

    def _give_up(self, exc: OSError) -> None:
        self.problem = f"{exc.strerror or exc}"
        if self._on_unwritable is not None:
            self._on_unwritable(self)

    def handleError(self, record: logging.LogRecord) -> None:
        """A write that fails mid-run (disk full) is said once, not as a traceback per
        record."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError) and self.problem is None:
            self._give_up(exc)
        elif self.problem is None:
            super().handleError(record)


class Logs:
    """What :func:`setup_logging` installed; :meth:`close` takes it off again and puts the
    levels back as they were."""

    def __init__(self, file: LogFile, stderr: logging.Handler | None) -> None:
        self.file, self.stderr = file, stderr
        self._levels = {name: logging.getLogger(name).level for name in ("", *QUIET_LOGGERS)}

    @property
    def path(self) -> Path | None:
        """The log file; ``None`` once it turned out that it cannot be written."""
        return self.file.path if self.file.writable else None

    def close(self) -> None:
        global _installed
        root = logging.getLogger()
        for handler in (self.file, self.stderr):
            if handler is not None:
                root.removeHandler(handler)
                handler.close()
        for name, level in self._levels.items():
            logging.getLogger(name).setLevel(level)
        if _installed is self:
            _installed = None


_installed: Logs | None = None


def setup_logging(data_dir: Path, debug: bool = False, stderr: TextIO | None = None) -> Logs:
    """Log to ``data_dir/agent-assist.log`` (INFO, or DEBUG with ``debug``) and warnings to
    ``stderr`` (everything with ``debug``), in place of what an earlier call installed."""
    global _installed
    if _installed is not None:
        _installed.close()
    level = logging.DEBUG if debug else logging.INFO
    file = LogFile(data_dir / LOG_NAME, _tell_once(stderr))
    file.setFormatter(logging.Formatter(FILE_FORMAT))
    file.setLevel(level)
    console: logging.Handler | None = None
    if stderr is not None:
        console = logging.StreamHandler(stderr)
        console.setLevel(logging.DEBUG if debug else logging.WARNING)
        # a warning reads as it always did (Python's last-resort handler prints the message)
        console.setFormatter(logging.Formatter(FILE_FORMAT if debug else "%(message)s"))
        if not debug:
            console.addFilter(lambda record: not getattr(record, "file_only", False))
    _installed = logs = Logs(file, console)
    root = logging.getLogger()
    root.addHandler(file)
    if console is not None:
        root.addHandler(console)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if debug else logging.WARNING)
    return logs


def _tell_once(stderr: TextIO | None) -> OnUnwritable:
    def tell(file: LogFile) -> None:
        # a data dir that cannot even be created is reported by whatever needs it first
        # (the knowledge cache, with what to do); saying it twice would only add noise
        if stderr is None or not file.path.parent.is_dir():
            return
        print(
            f"agent-assist: cannot write the log file {file.path} ({file.problem}); "
            "warnings go to stderr only",
            file=stderr,
            flush=True,
        )

    return tell
