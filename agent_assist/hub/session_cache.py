"""Folded sessions kept per process, so a console page does not re-read every event.

Every report folds each ticket session's events into its timings (``core.durations``); at
10,000 sessions that took the overview and the SOP pages 15-60 s per view, all of it spent
re-reading and re-folding events that had not changed.  Events are immutable once stored
(keyed on their id, ``INSERT ... ON CONFLICT DO NOTHING``), so a session's fold changes only
when its set of events does.  Each refresh asks the database one question, the number of
events per session (``GROUP BY session_id`` over the ``events_session`` index), and re-reads
and re-folds only the sessions whose count moved: new sessions, sessions with new events,
and sessions that lost events (retention, erasure), which are folded again from what is
left or dropped when nothing is.  So a deletion made by any process (the CLI, another
replica) is seen by the next refresh, and erased data leaves this cache with it.

What a refresh produces is an immutable :class:`Snapshot`; a refresh that finds nothing
changed returns the same snapshot, so results derived from it (:meth:`Snapshot.memo`) are
computed once per change, not once per view.  Requests that wait while another refreshes
reuse its result when it began after they asked (it saw everything committed before they
asked).  :func:`pinned` makes every call within one request use one snapshot.

Bounded: at most :data:`MAX_SESSIONS` sessions are kept; a larger database is folded per
request, as before, rather than held in memory.  Folds keep timings, not events.
"""

from __future__ import annotations

import bisect
import contextlib
import contextvars
import datetime as dt
import json
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from agent_assist.core.worklog.durations import SessionTiming, SopRef, session_timing
from agent_assist.core.worklog.events import Event, EventType
from agent_assist.hub.db import Database, Tx
from agent_assist.hub.ingest import NOT_WORK, to_event
from agent_assist.hub.published import parse_hub_time
from agent_assist.hub.quality import TicketQuality, fold_signals

MAX_SESSIONS = 100_000
"""Sessions one process keeps folded: measured 35 MB for 15,000 (10,000 ticket sessions
and their quality signals), so about 250 MB at the limit."""
FULL_READ = 2_000
"""Changed sessions above which one pass over the events table beats ``IN`` lists."""
IN_LIST = 500
MEMO_ENTRIES = 64
"""Derived results kept per snapshot (reports per period, comparisons)."""
QUALITY = EventType.TICKET_QUALITY.value
_NOT_WORK = frozenset(t.value for t in NOT_WORK)
_OPENINGS = frozenset({EventType.SOP_OPENED.value, EventType.CHECKLIST_STARTED.value})
T = TypeVar("T")


@dataclass(frozen=True)
class Folded:
    """One session as the reports see it; never mutated once made."""

    session_id: str
    count: int
    """Events of the session (every type) when it was folded: the change test."""
    timing: SessionTiming | None
    """``None`` when the session has no ``ticket_started`` (as the reports skip it)."""
    opened: dict[SopRef, dt.datetime]
    """When the hub received the session's first opening of each SOP version."""
    quality: tuple[tuple[str, dict[str, Any]], ...]
    """``(wall, body)`` of its ``ticket_quality`` events (``quality.py`` folds them)."""


def fold(session_id: str, rows: Sequence[tuple[str, str, str]], count: int) -> Folded:
    """``rows`` (type, body, received_at) of one session, folded as ``reports`` does:
    work events in time order from the first ``ticket_started``; ``count`` is the number
    of its events the database counted (a fold is redone when that number moves)."""
    events: list[Event] = []
    opened: dict[SopRef, dt.datetime] = {}
    quality: list[tuple[str, dict[str, Any]]] = []
    for kind, body, received_at in rows:
        if kind in _NOT_WORK:
            if kind == QUALITY:
                data = json.loads(body)
                quality.append((str(data.get("wall", "")), data))
            continue
        event = to_event(json.loads(body))
        events.append(event)
        if kind in _OPENINGS:
            ref = SopRef(event.sop_id or "", event.sop_version)
            when = parse_hub_time(str(received_at))
            opened[ref] = min(when, opened.get(ref, when))
    events.sort(key=lambda e: (e.at.wall, e.at.mono))
    starts = [e for e in events if e.type is EventType.TICKET_STARTED]
    timing = None
    if starts:  # a session's first event must be its start
        events.remove(starts[0])
        timing = session_timing([starts[0], *events])
    return Folded(session_id, count, timing, opened, tuple(quality))


@dataclass(eq=False)
class Snapshot:
    """Every session's fold at one moment, with what is derived from them memoised."""

    sessions: dict[str, Folded]
    """By session id, in the order the sessions were first seen."""
    ended: list[Folded] = field(init=False)
    """Sessions with an end, in :attr:`sessions` order."""
    _ends: list[dt.datetime] = field(init=False)
    _memo: dict[Any, Any] = field(init=False, default_factory=dict)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.ended = [
            f for f in self.sessions.values() if f.timing is not None and f.timing.ended is not None
        ]
        self._ends = sorted(self._end(f) for f in self.ended)

    @staticmethod
    def _end(f: Folded) -> dt.datetime:
        assert f.timing is not None and f.timing.ended is not None
        return f.timing.ended

    def ended_count(self, since: dt.datetime | None, until: dt.datetime | None = None) -> int:
        """How many sessions ended in ``[since, until)``.  Sessions are selected by their end
        alone, so two periods with the same count hold the same sessions: the count is a
        memo key for everything computed from them."""
        lo = bisect.bisect_left(self._ends, since) if since is not None else 0
        hi = bisect.bisect_left(self._ends, until) if until is not None else len(self._ends)
        return max(0, hi - lo)

    def ended_between(
        self, since: dt.datetime | None, until: dt.datetime | None = None
    ) -> list[Folded]:
        """Sessions that ended in ``[since, until)``, in :attr:`sessions` order."""
        key = ("ended", self.ended_count(since), self.ended_count(None, until))
        return self.memo(
            key,
            lambda: [
                f
                for f in self.ended
                if (since is None or self._end(f) >= since)
                and (until is None or self._end(f) < until)
            ],
        )

    def quality(self) -> dict[str, TicketQuality]:
        """Every ticket's folded quality signals (``quality.ticket_quality``, from memory)."""

        def compute() -> dict[str, TicketQuality]:
            found = [q for f in self.sessions.values() for q in f.quality]
            found.sort(key=lambda q: q[0])  # by wall, as the query orders them
            return fold_signals(body for _, body in found)

        return self.memo("quality", compute)

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once per snapshot and ``key`` (callers must not mutate the result)."""
        with self._lock:
            if key in self._memo:
                return self._memo[key]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            if len(self._memo) >= MEMO_ENTRIES:
                self._memo.pop(next(iter(self._memo)))
            self._memo[key] = value
        return value


class _Cache:
    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        self.began = -1.0
        """``time.monotonic()`` when the refresh that made :attr:`snapshot` began."""
        self.lock = threading.Lock()

    def current(self, db: Database) -> Snapshot:
        asked = time.monotonic()
        with self.lock:
            if self.snapshot is not None and self.began >= asked:
                return self.snapshot  # refreshed after this caller asked: fresh enough
            began = time.monotonic()
            snapshot = refresh(db, self.snapshot)
            if len(snapshot.sessions) <= MAX_SESSIONS:
                self.snapshot, self.began = snapshot, began
            else:
                self.snapshot, self.began = None, -1.0
            return snapshot


_caches: weakref.WeakKeyDictionary[Database, _Cache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()
_pinned: contextvars.ContextVar[dict[int, Snapshot] | None] = contextvars.ContextVar(
    "session_cache_pinned", default=None
)


def snapshot(db: Database) -> Snapshot:
    """The sessions of ``db`` as of now (or as of the start of the :func:`pinned` block)."""
    pins = _pinned.get()
    if pins is not None and id(db) in pins:
        return pins[id(db)]
    with _caches_lock:
        cache = _caches.get(db)
        if cache is None:
            cache = _caches[db] = _Cache()
    found = cache.current(db)
    if pins is not None:
        pins[id(db)] = found
    return found


@contextlib.contextmanager
def pinned() -> Iterator[None]:
    """Within the block (one request), every :func:`snapshot` of a database is the same one:
    a page that shows a report and a comparison reads the sessions once."""
    token = _pinned.set({})
    try:
        yield
    finally:
        _pinned.reset(token)


def forget(db: Database) -> None:
    """Drop what this process keeps of ``db`` (after an erasure, say; the next refresh
    would notice the deletion anyway)."""
    with _caches_lock:
        _caches.pop(db, None)


def refresh(db: Database, old: Snapshot | None) -> Snapshot:
    """``old`` brought up to date: sessions whose event count moved are read and folded
    again, sessions without events any more are dropped.  ``old`` itself when nothing moved."""
    known = old.sessions if old is not None else {}
    with db.read() as tx:
        counts = tx.execute("SELECT session_id, count(*) FROM events GROUP BY session_id")
        now = {str(s): int(n) for s, n in counts.fetchall()}
        changed = {s for s, n in now.items() if s not in known or known[s].count != n}
        if old is not None and not changed and len(now) == len(known):
            return old
        rows = _read(tx, changed)
    sessions: dict[str, Folded] = {}
    for session_id, f in known.items():  # known sessions keep their place, new ones follow
        if session_id in changed:
            if session_id in rows:  # else gone between the two statements (PostgreSQL)
                sessions[session_id] = fold(session_id, rows[session_id], now[session_id])
        elif session_id in now:
            sessions[session_id] = f
    for session_id, found in rows.items():  # in the order the table gave them
        if session_id not in known:
            sessions[session_id] = fold(session_id, found, now[session_id])
    return Snapshot(sessions)


def _read(tx: Tx, sessions: set[str]) -> dict[str, list[tuple[str, str, str]]]:
    """(type, body, received_at) of every event of ``sessions``, by session.  Of the events
    logged outside any ticket (session ``''``: searches, copies; many) only those that can
    matter to a report are read: a ``ticket_started`` (then all of them) and quality."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    select = "SELECT session_id, type, body, received_at FROM events"
    wanted = sessions - {""}
    if len(wanted) > FULL_READ:
        rows = tx.execute(f"{select} WHERE session_id != ''").fetchall()
    else:
        ids = sorted(wanted)
        rows = []
        for i in range(0, len(ids), IN_LIST):
            chunk = ids[i : i + IN_LIST]
            marks = ", ".join("?" * len(chunk))
            rows += tx.execute(f"{select} WHERE session_id IN ({marks})", chunk).fetchall()
    for session_id, kind, body, received_at in rows:
        if str(session_id) in wanted:
            out.setdefault(str(session_id), []).append((str(kind), str(body), str(received_at)))
    if "" in sessions:
        kinds = (EventType.TICKET_STARTED.value, QUALITY)
        blank = tx.execute(f"{select} WHERE session_id = '' AND type IN (?, ?)", kinds).fetchall()
        if any(str(row[1]) == kinds[0] for row in blank):
            blank = tx.execute(f"{select} WHERE session_id = ''").fetchall()
        out[""] = [(str(k), str(b), str(r)) for _, k, b, r in blank]
    return out
