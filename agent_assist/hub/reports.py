"""Reports for leads, from events uploaded by every agent.

The maths is the desktop app's own (``core.durations`` folds events into session timings,
``core.reports`` groups them), so a lead's team report and an agent's personal report can
never disagree about what a handle time is.  Three things are the hub's own:

* steps are listed with their text in the order of the version's checklist, read from the
  content this hub published (``published.checklist_sop``), not as ids in alphabetical order;
* sessions on content this hub never published (``published.unpublished_reason``) are
  reported apart, never as a hub version that merely carries the same number;
* quality beside speed: reopen rate and satisfaction per version from ``ticket_quality``
  events joined on the ticket hash (``quality.py``).

The shapes returned here are what the JSON API, the CLI and the console show; changes to them
are additive (``/work/notes/console_api.md`` lists the fields).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
from collections import Counter, defaultdict
from typing import Any

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.worklog.durations import SessionTiming, SopRef, parse_span
from agent_assist.core.worklog.reports import build_report
from agent_assist.hub import quality, session_cache
from agent_assist.hub.db import Database
from agent_assist.hub.knowledge import UnknownItemError
from agent_assist.hub.learning import ack_coverage
from agent_assist.hub.published import (
    HUB,
    NO_SOP,
    UNPUBLISHED,
    PublishedVersion,
    checklist_sop,
    published_sops,
    unpublished_reason,
)
from agent_assist.hub.report_steps import ordered_steps
from agent_assist.hub.stats import MIN_SAMPLES, compare

_LOCAL = "\x00local\x00"
"""Prefix marking an unpublished SOP id while the shared maths groups (ids never hold NUL)."""


class UnknownSopError(UnknownItemError, AgentAssistError):
    """No SOP with this id was ever published to this hub (the API answers 404)."""

    def __init__(self, sop_id: str) -> None:
        Exception.__init__(self, f"unknown SOP: {sop_id}")


class UnknownVersionError(UnknownItemError, AgentAssistError):
    """The SOP exists, but this hub never published the version asked for (404)."""

    def __init__(self, sop_id: str, version: int, known: list[int]) -> None:
        Exception.__init__(
            self,
            f"unknown version: SOP {sop_id} has no version {version} on this hub "
            f"(published: {', '.join(map(str, known))})",
        )


def parse_since(text: str | None) -> dt.datetime | None:
    """``7d``-style spans (back from now) or an ISO 8601 time; naive times are UTC."""
    if not text:
        return None
    try:
        return dt.datetime.now(dt.UTC) - parse_span(text)
    except (OverflowError, ValueError):
        raise AgentAssistError(f"'{text}' reaches back before the year 1") from None
    except AgentAssistError:
        pass
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise AgentAssistError(
            f"'{text}' is neither a span (7d, 24h) nor an ISO 8601 time"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _published_key(published: dict[str, dict[int, PublishedVersion]]) -> tuple[Any, ...]:
    """What of the published versions the reports depend on (versions are immutable)."""
    return tuple(
        sorted(
            (v.sop_id, v.version, v.published_at) for vs in published.values() for v in vs.values()
        )
    )


def _ended(
    snap: session_cache.Snapshot,
    since: dt.datetime | None,
    published: dict[str, dict[int, PublishedVersion]],
) -> tuple[list[SessionTiming], dict[SopRef, str]]:
    """Ended sessions (ended at or after ``since``), each unpublished SOP use renamed apart
    (``_LOCAL`` + id) so the shared maths groups them separately, and why each renamed ref
    is not the hub's; computed once per snapshot, period and set of published versions."""
    key = ("relabelled", snap.ended_count(since), _published_key(published))
    return snap.memo(key, lambda: _relabel(snap.ended_between(since), published))


def _relabel(
    sessions: list[session_cache.Folded], published: dict[str, dict[int, PublishedVersion]]
) -> tuple[list[SessionTiming], dict[SopRef, str]]:
    reasons: dict[SopRef, str] = {}
    out = []
    for f in sessions:
        t = f.timing
        if t is None or not f.session_id:  # reports leave out events outside a session
            continue
        rename: dict[SopRef, SopRef] = {}
        for ref in (r for r in t.sops if r is not None):
            why = unpublished_reason(published, ref.id, ref.version, f.opened.get(ref))
            if why is not None:
                rename[ref] = SopRef(_LOCAL + ref.id, ref.version)
                reasons.setdefault(rename[ref], why)
        if rename:
            t = dataclasses.replace(
                t,
                sops={(rename.get(k, k) if k else k): v for k, v in t.sops.items()},
                steps=[
                    dataclasses.replace(s, sop=rename.get(s.sop, s.sop) if s.sop else s.sop)
                    for s in t.steps
                ],
            )
        out.append(t)
    return out, reasons


def sop_report(
    db: Database, since: dt.datetime | None, *, sop_id: str | None = None
) -> dict[str, Any]:
    """Per SOP version: sessions, median/p90 handle time, steps in checklist order with their
    text, skip and branch rates, outcomes, acknowledgement coverage and quality; sessions on
    content never published here in ``unpublished``.  ``sop_id`` keeps one SOP's rows."""
    snap = session_cache.snapshot(db)
    published = published_sops(db)
    key = ("sop_report", snap.ended_count(since), _published_key(published))
    sessions, rows, apart = snap.memo(key, lambda: _sop_rows(db, snap, since, published))
    keep = [r for r in rows if sop_id is None or r["sop_id"] == sop_id]
    out_rows = copy.deepcopy(keep)
    for row in out_rows:
        if row["published_at"] is not None:  # a hub version: who acknowledged it, now
            row["ack_coverage"] = ack_coverage(db, row["sop_id"], row["version"])["coverage"]
    return {
        "since": since.isoformat() if since else None,
        "sessions": sessions,
        "sops": out_rows,
        "unpublished": copy.deepcopy([r for r in apart if sop_id is None or r["sop_id"] == sop_id]),
    }


def _sop_rows(
    db: Database,
    snap: session_cache.Snapshot,
    since: dt.datetime | None,
    published: dict[str, dict[int, PublishedVersion]],
) -> tuple[int, list[dict[str, Any]], list[dict[str, Any]]]:
    """The report's rows but acknowledgement coverage (which changes without any event)."""
    ended, reasons = _ended(snap, since, published)
    now = dt.datetime.now(dt.UTC)
    start = since or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    by_sop = build_report(ended, "sop", start, now).rows
    by_step = build_report(ended, "step", start, now).rows
    outcomes: dict[tuple[str, Any], Counter[str]] = defaultdict(Counter)
    tickets: dict[tuple[str, Any], set[str]] = defaultdict(set)
    for t in ended:
        refs: list[SopRef | None] = [k for k in t.sops if k is not None]
        for ref in refs or [None]:
            key = (ref.id, ref.version) if ref else ("(none)", None)
            outcomes[key][t.outcome.value if t.outcome else "(none)"] += 1
            if t.ticket:
                tickets[key].add(t.ticket)
    signals = snap.quality()
    rows: list[dict[str, Any]] = []
    apart: list[dict[str, Any]] = []
    for row in by_sop:
        key = (row["sop"], row["version"])
        local = row["sop"].startswith(_LOCAL)
        real_id = row["sop"].removeprefix(_LOCAL)
        steps = [s for s in by_step if (s["sop"], s["version"]) == key]
        version = published.get(real_id, {}).get(row["version"]) if not local else None
        sop = checklist_sop(db, real_id, row["version"]) if version is not None else None
        out = {
            "sop_id": real_id,
            "version": row["version"],
            "source": UNPUBLISHED if local else (NO_SOP if real_id == "(none)" else HUB),
            "unpublished_reason": reasons.get(SopRef(row["sop"], row["version"])),
            "title": sop.title if sop is not None else None,
            "published_at": version.published_at.isoformat() if version else None,
            "note": version.note if version else None,
            "sessions": row["count"],
            "median_seconds": row["median"],
            "p90_seconds": row["p90"],
            "escalation_rate": row["escalation_rate"],
            "skip_rate": row["skip_rate"],
            "outcomes": dict(outcomes[key]),
            "ack_coverage": None,  # filled in per call
            "steps": ordered_steps(steps, sop.steps if sop is not None else (), ended, key),
            "quality": quality.summarize(signals[h] for h in tickets[key] if h in signals),
        }
        (apart if local else rows).append(out)
    return len(ended), rows, apart


def gaps_report(
    db: Database, since: dt.datetime | None, *, include_decided: bool = False
) -> dict[str, Any]:
    """The gaps inbox (``gaps.inbox``: "nothing fits" reports and abandoned low-confidence
    searches grouped by similarity), as the console shows it."""
    from agent_assist.hub import gaps  # numpy and the ranking features: only when asked

    return gaps.inbox(db, since, include_decided=include_decided)


def quality_by_version(
    db: Database, since: dt.datetime | None
) -> dict[tuple[str, int | None], dict[str, Any]]:
    """Quality (``quality.summarize``) of each hub SOP version's tickets."""
    return {(r["sop_id"], r["version"]): r["quality"] for r in sop_report(db, since)["sops"]}


def _check_known(published: dict[str, dict[int, PublishedVersion]], sop_id: str, *vs: int) -> None:
    versions = published.get(sop_id)
    if not versions:
        raise UnknownSopError(sop_id)
    for v in vs:
        if v not in versions:
            raise UnknownVersionError(sop_id, v, sorted(versions))


def compare_versions(db: Database, sop_id: str, a: int, b: int) -> dict[str, Any]:
    """Handle time spent in ``sop_id`` version ``a`` vs ``b`` per ended session, hub content
    only, with each version's quality; raises :class:`UnknownSopError` /
    :class:`UnknownVersionError` for what this hub never published."""
    published = published_sops(db)
    _check_known(published, sop_id, a, b)
    snap = session_cache.snapshot(db)
    ended, _ = _ended(snap, None, published)
    seconds: dict[int, list[float]] = {a: [], b: []}
    tickets: dict[int, set[str]] = {a: set(), b: set()}
    for t in ended:
        for version in {a, b}:
            spent = t.sops.get(SopRef(sop_id, version))
            if spent is not None:
                seconds[version].append(spent)
                if t.ticket:
                    tickets[version].add(t.ticket)
    result = copy.deepcopy(_compare(tuple(seconds[a]), tuple(seconds[b]), a, b))
    signals = snap.quality()
    out = {"sop_id": sop_id, "a": a, "b": b, **result}
    out.update(_relative(result, a, b))
    out["quality_a"] = quality.summarize(signals[h] for h in tickets[a] if h in signals)
    out["quality_b"] = quality.summarize(signals[h] for h in tickets[b] if h in signals)
    out["min_samples"] = MIN_SAMPLES
    return out


@functools.lru_cache(maxsize=16)
def _compare(a_seconds: tuple[float, ...], b_seconds: tuple[float, ...], a: int, b: int) -> Any:
    """``stats.compare`` once per set of handle times: its bootstrap is seeded, so the same
    times give the same answer, and it is the slowest part of the SOP page (a second at
    4,000 sessions per version).  Callers copy the result before changing it."""
    return compare(a_seconds, b_seconds, f"v{a}", f"v{b}")


def _relative(result: dict[str, Any], a: int, b: int) -> dict[str, Any]:
    """The difference as a share of version ``a``'s median, and the sentence a lead reads."""
    n = f"{result['n_b']} sessions on v{b} vs {result['n_a']} on v{a}"
    if not result["enough_data"] or not result["median_a"]:
        return {
            "relative_difference": None,
            "ci95_relative": None,
            "summary": (
                f"not enough data yet: n = {result['n_a']} and {result['n_b']}; "
                f"about {MIN_SAMPLES} per version needed"
            ),
        }
    base = float(result["median_a"])
    rel = result["difference"] / base
    low, high = (x / base for x in result["ci95"])
    if high < 0:
        words = f"v{b} cut median handle time by {_pc(-rel)} (95 % CI {_pc(-high)}–{_pc(-low)})"
    elif low > 0:
        words = f"v{b} raised median handle time by {_pc(rel)} (95 % CI {_pc(low)}–{_pc(high)})"
    else:
        words = (
            f"no clear difference between v{a} and v{b} "
            f"({_pc(rel, '+')}, 95 % CI {_pc(low, '+')} to {_pc(high, '+')})"
        )
    return {
        "relative_difference": round(rel, 4),
        "ci95_relative": [round(low, 4), round(high, 4)],
        "summary": f"{words}, {n}",
    }


def _pc(share: float, sign: str = "") -> str:
    """``0.183`` as ``18 %`` (``+18 %`` with ``sign="+"``), as the console words it."""
    return f"{share * 100:{sign}.0f} %"
