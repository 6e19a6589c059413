"""Reports for leads, from events uploaded by every agent.

The maths is the desktop app's own (``core.durations`` folds events into session timings,
``core.reports`` groups them), so a lead's team report and an agent's personal report can
never disagree about what a handle time is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.worklog.durations import SessionTiming, SopRef, parse_span, timings
from agent_assist.core.worklog.reports import build_report
from agent_assist.hub.db import Database
from agent_assist.hub.ingest import sessions_since
from agent_assist.hub.learning import ack_coverage
from agent_assist.hub.stats import compare


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


def _ended(db: Database, since: dt.datetime | None) -> list[SessionTiming]:
    text = since.astimezone(dt.UTC).isoformat() if since else None
    ended = [t for t in timings(sessions_since(db, text)) if t.ended is not None]
    return [t for t in ended if since is None or (t.ended is not None and t.ended >= since)]


def sop_report(db: Database, since: dt.datetime | None) -> dict[str, Any]:
    """Per SOP version: sessions, median/p90 handle time, step medians, skip and branch
    rates, outcomes and acknowledgement coverage."""
    ended = _ended(db, since)
    now = dt.datetime.now(dt.UTC)
    start = since or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    by_sop = build_report(ended, "sop", start, now).rows
    by_step = build_report(ended, "step", start, now).rows
    outcomes: dict[tuple[str, Any], Counter[str]] = defaultdict(Counter)
    for t in ended:
        refs: list[SopRef | None] = [k for k in t.sops if k is not None]
        for ref in refs or [None]:
            key = (ref.id, ref.version) if ref else ("(none)", None)
            outcomes[key][t.outcome.value if t.outcome else "(none)"] += 1
    rows = []
    for row in by_sop:
        key = (row["sop"], row["version"])
        steps = [s for s in by_step if (s["sop"], s["version"]) == key]
        coverage = None
        if row["sop"] != "(none)" and row["version"] is not None:
            coverage = ack_coverage(db, row["sop"], row["version"])["coverage"]
        rows.append(
            {
                "sop_id": row["sop"],
                "version": row["version"],
                "sessions": row["count"],
                "median_seconds": row["median"],
                "p90_seconds": row["p90"],
                "escalation_rate": row["escalation_rate"],
                "skip_rate": row["skip_rate"],
                "outcomes": dict(outcomes[key]),
                "ack_coverage": coverage,
                "steps": [
                    {
                        "step_id": s["step"],
                        "median_seconds": s["median"],
                        "count": s["count"],
                        "skip_rate": s["skip_rate"],
                        "branches": s["branches"],
                    }
                    for s in steps
                ],
            }
        )
    return {
        "since": since.isoformat() if since else None,
        "sessions": len(ended),
        "sops": rows,
    }


def compare_versions(db: Database, sop_id: str, a: int, b: int) -> dict[str, Any]:
    """Handle time spent in ``sop_id`` version ``a`` vs ``b`` per ended session."""
    seconds: dict[int, list[float]] = {a: [], b: []}
    for t in _ended(db, None):
        for version in (a, b):
            spent = t.sops.get(SopRef(sop_id, version))
            if spent is not None:
                seconds[version].append(spent)
    result = compare(seconds[a], seconds[b], f"v{a}", f"v{b}")
    return {"sop_id": sop_id, "a": a, "b": b, **result}
