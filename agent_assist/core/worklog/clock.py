"""Time as the handle-time log sees it: a wall-clock UTC instant plus a monotonic offset.

The wall clock says *when* something happened (for people and for retention); the monotonic
offset says *how long* it took, and cannot be fooled by NTP steps, DST or an agent changing the
system clock.  Monotonic offsets only compare within one run (one process start, one
``run_id``); across runs durations fall back to the wall clock (see ``durations.py``).

Sleep/resume: on Linux the monotonic source is ``CLOCK_BOOTTIME``, which keeps counting while
the machine is suspended, so a ticket left open over a suspend accrues that time exactly as the
wall clock would (and a stretch longer than ``durations.MAX_GAP`` is clamped and flagged).
Elsewhere ``time.monotonic`` is used (macOS and Windows count suspended time too).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from agent_assist.core.errors import AgentAssistError

FAKE_CLOCK_ENV = "AGENT_ASSIST_FAKE_CLOCK"
"""Testing only: path of a JSON file ``{"wall": ISO-8601, "mono": seconds, "run_id": str}``
read on every tick, so a test can drive CLI commands through time without sleeping."""


@dataclass(frozen=True)
class Instant:
    """One reading of a :class:`Clock`: comparable across runs by ``wall`` only."""

    wall: dt.datetime
    mono: float
    run_id: str

    def wall_text(self) -> str:
        """Fixed-width UTC ISO text, so that string order is time order in SQLite."""
        return self.wall.astimezone(dt.UTC).isoformat(timespec="microseconds")

    def to_json(self) -> dict[str, Any]:
        """``{"wall": ISO-8601, "mono": seconds, "run_id": str}`` (checklist run files, and
        the fake clock's file)."""
        return {"wall": self.wall_text(), "mono": self.mono, "run_id": self.run_id}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Instant:
        """The inverse of :meth:`to_json`; a wall time without a zone is taken as UTC.
        Raises ``KeyError``, ``ValueError`` or ``TypeError`` on anything else."""
        wall = dt.datetime.fromisoformat(data["wall"])
        if wall.tzinfo is None:
            wall = wall.replace(tzinfo=dt.UTC)
        return cls(wall.astimezone(dt.UTC), float(data["mono"]), str(data["run_id"]))


class Clock(Protocol):
    def now(self) -> Instant: ...


def _monotonic() -> float:
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    if boottime is not None:
        return time.clock_gettime(boottime)
    return time.monotonic()


class SystemClock:
    """The real clock; a new ``run_id`` per instance, so create one per process start."""

    def __init__(self) -> None:
        self.run_id = uuid.uuid4().hex
        self._origin = _monotonic()

    def now(self) -> Instant:
        return Instant(dt.datetime.now(dt.UTC), _monotonic() - self._origin, self.run_id)


class FakeClock:
    """A clock tests move by hand: ``advance`` both readings, ``jump_wall`` only the wall
    clock (the user changing the time), ``restart`` to begin a new run (crash, relaunch)."""

    def __init__(self, wall: dt.datetime | None = None, run_id: str = "run-1") -> None:
        self.wall = wall or dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
        self.mono = 0.0
        self.run_id = run_id
        self._runs = 1

    def now(self) -> Instant:
        return Instant(self.wall, self.mono, self.run_id)

    def advance(self, seconds: float) -> None:
        self.wall += dt.timedelta(seconds=seconds)
        self.mono += seconds

    def jump_wall(self, seconds: float) -> None:
        self.wall += dt.timedelta(seconds=seconds)

    def restart(self, after_seconds: float = 0.0) -> None:
        self._runs += 1
        self.run_id = f"run-{self._runs}"
        self.wall += dt.timedelta(seconds=after_seconds)
        self.mono = 0.0


class FileClock:
    """Reads :data:`FAKE_CLOCK_ENV`'s JSON file on every tick (testing only)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> Instant:
        try:
            return Instant.from_json(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise AgentAssistError(
                f"${FAKE_CLOCK_ENV} file {self.path} is unreadable: {exc} "
                '(expected {"wall", "mono", "run_id"})'
            ) from exc


def clock_from_env() -> Clock:
    """The system clock, unless a test set :data:`FAKE_CLOCK_ENV`."""
    path = os.environ.get(FAKE_CLOCK_ENV)
    return FileClock(Path(path)) if path else SystemClock()
