"""The lead's overview: sessions per day, the median handle time trend, the SOPs costing the
most time and acknowledgement coverage of required versions, for a range of whole days.

Handle times are folded from events by ``core.durations`` exactly as in ``reports.py``, so
the overview's medians and the per-SOP report can never disagree.  Days are UTC days; a
session belongs to the day it ended.  The locale filter keeps sessions that used a SOP whose
current published content is in that locale (the only "team" dimension the data has).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.worklog.durations import SessionTiming
from agent_assist.core.worklog.reports import percentile
from agent_assist.hub import session_cache
from agent_assist.hub.db import Database
from agent_assist.hub.learning import ack_coverage

MAX_DAYS = 366
TOP_SOPS = 10


@dataclass(frozen=True)
class Period:
    """Whole UTC days ``first`` to ``last``, both included."""

    first: dt.date
    last: dt.date

    @classmethod
    def ending(cls, last: dt.date, days: int) -> Period:
        return cls(last - dt.timedelta(days=days - 1), last)

    @classmethod
    def parse(cls, first: str, last: str) -> Period:
        """A custom range from two ISO dates; at most :data:`MAX_DAYS` days, in order."""
        try:
            start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        except ValueError:
            raise AgentAssistError(
                f"'{first}' to '{last}' is not a range of dates (YYYY-MM-DD)"
            ) from None
        if not (2000 <= start.year <= 2999 and 2000 <= end.year <= 2999):
            raise AgentAssistError(f"'{first}' to '{last}' is out of range (years 2000-2999)")
        if end < start:
            raise AgentAssistError(f"the range ends ({end}) before it starts ({start})")
        if (end - start).days + 1 > MAX_DAYS:
            raise AgentAssistError(f"the range is longer than {MAX_DAYS} days")
        return cls(start, end)

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), dt.UTC)

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), dt.UTC)


def _current_sops(db: Database) -> list[tuple[str, int, str, bool]]:
    """(id, version, locale, requires_ack) of every published, unretired SOP."""
    with db.read() as tx:
        rows = tx.execute(
            "SELECT c.id, c.version, c.pack_locale, c.requires_ack FROM items i "
            "JOIN changes c ON c.seq = i.seq WHERE i.kind = 'sop' AND i.retired = 0 "
            "ORDER BY c.id"
        ).fetchall()
    return [(str(r[0]), int(r[1]), str(r[2]), bool(r[3])) for r in rows]


def locales(db: Database) -> list[str]:
    """The locales of published SOPs (the filter is offered only when there are two or more)."""
    return sorted({loc for _, _, loc, _ in _current_sops(db) if loc})


def ended_in(db: Database, period: Period, locale: str | None = None) -> list[SessionTiming]:
    """Sessions that ended within ``period`` (and used a SOP of ``locale``, if given)."""
    return _ended_in(db, session_cache.snapshot(db), period, locale)


def _ended_in(
    db: Database, snap: session_cache.Snapshot, period: Period, locale: str | None
) -> list[SessionTiming]:
    found = snap.ended_between(period.since, period.until)
    ended = [f.timing for f in found if f.timing is not None]
    if locale:
        ids = {sop_id for sop_id, _, loc, _ in _current_sops(db) if loc == locale}
        ended = [t for t in ended if any(ref is not None and ref.id in ids for ref in t.sops)]
    return ended


def _ack_summary(db: Database) -> dict[str, Any]:
    required = [(sop_id, version) for sop_id, version, _, needs in _current_sops(db) if needs]
    rows = []
    for sop_id, version in required:
        cover = ack_coverage(db, sop_id, version)
        rows.append(
            {
                "sop_id": sop_id,
                "version": version,
                "coverage": cover["coverage"],
                "acknowledged": len(cover["acknowledged"]),
                "agents": cover["agents"],
            }
        )
    agents = rows[0]["agents"] if rows else 0
    mean = round(sum(r["coverage"] for r in rows) / len(rows), 4) if rows else None
    rows.sort(key=lambda r: (r["coverage"], r["sop_id"]))
    return {"required_versions": len(rows), "agents": agents, "coverage": mean, "sops": rows}


def overview(db: Database, period: Period, locale: str | None = None) -> dict[str, Any]:
    """The overview's numbers (the JSON API and the page show the same dictionary)."""
    snap = session_cache.snapshot(db)
    ids = sorted({s for s, _, loc, _ in _current_sops(db) if loc == locale}) if locale else []
    numbers = snap.memo(
        ("overview", period, locale, tuple(ids)), lambda: _numbers(db, snap, period, locale)
    )
    return {**copy.deepcopy(numbers), "acks": _ack_summary(db)}


def _numbers(
    db: Database, snap: session_cache.Snapshot, period: Period, locale: str | None
) -> dict[str, Any]:
    """The overview but acknowledgements: once per snapshot, period and locale."""
    ended = _ended_in(db, snap, period, locale)
    by_day: dict[dt.date, list[float]] = defaultdict(list)
    spent: dict[str, list[float]] = defaultdict(list)
    for t in ended:
        assert t.ended is not None
        by_day[t.ended.astimezone(dt.UTC).date()].append(t.handle_seconds)
        for ref, seconds in t.sops.items():
            if ref is not None:
                spent[ref.id].append(seconds)
    days = [
        {
            "day": day.isoformat(),
            "sessions": len(by_day.get(day, [])),
            "median_seconds": (round(percentile(by_day[day], 50), 3) if by_day.get(day) else None),
        }
        for day in period.days
    ]
    top = sorted(spent.items(), key=lambda kv: (-sum(kv[1]), kv[0]))[:TOP_SOPS]
    handle = [t.handle_seconds for t in ended]
    return {
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "locale": locale,
        "sessions": len(ended),
        "median_seconds": round(percentile(handle, 50), 3) if handle else None,
        "days": days,
        "top_sops": [
            {
                "sop_id": sop_id,
                "sessions": len(seconds),
                "total_seconds": round(sum(seconds), 3),
                "median_seconds": round(percentile(seconds, 50), 3),
            }
            for sop_id, seconds in top
        ],
    }
