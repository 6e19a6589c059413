"""Reports kept per database until what they are made of moves.

The gaps inbox and the usage report take about a second to compute over thousands of
events, and the console asks for them on every view.  Each keeps its results here, keyed by
a fingerprint of their inputs that is cheap to read (counts, ends, the catalogue's head), so
a report is recomputed only when that fingerprint moves.
"""

from __future__ import annotations

import copy
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from agent_assist.hub.db import Database

Report = dict[str, Any]


class KeptReports:
    """At most ``size`` reports per database (the oldest goes first), each handed out as a
    copy the caller may change."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: weakref.WeakKeyDictionary[Database, dict[Hashable, Report]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def get(self, db: Database, key: Hashable, make: Callable[[], Report]) -> Report:
        """A copy of the report kept for ``key``, made by ``make`` (outside the lock) if none
        is."""
        with self._lock:
            kept = self._kept.setdefault(db, {})
            found = kept.get(key)
        if found is None:
            found = make()
            with self._lock:
                if len(kept) >= self.size:
                    kept.pop(next(iter(kept)))
                kept[key] = found
        return copy.deepcopy(found)

    def forget(self, db: Database) -> None:
        """Drop every report kept for ``db``."""
        with self._lock:
            self._kept.pop(db, None)
