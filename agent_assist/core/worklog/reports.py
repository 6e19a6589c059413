"""Handle-time reports: counts, median, p90 and mean by ticket, SOP version, step or outcome.

Only ended sessions are reported (an open ticket has no handle time yet).  Percentiles use
linear interpolation between closest ranks (numpy's default), so p90 of ``[10, 20]`` is 19.
Rates are fractions in ``[0, 1]``: escalation = escalated / ended tickets; skip rate =
skipped / steps finished; branch rate = how often each choice was taken at a decision step.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from agent_assist.core.worklog.durations import SessionTiming, SopRef, StepTiming, format_seconds
from agent_assist.core.worklog.events import Outcome

GROUPINGS = ("ticket", "sop", "step", "outcome")
FORMATS = ("table", "csv", "json")


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def stats(values: Sequence[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0, "median": None, "p90": None, "mean": None}
    return {
        "count": len(values),
        "median": round(percentile(values, 50), 3),
        "p90": round(percentile(values, 90), 3),
        "mean": round(sum(values) / len(values), 3),
    }


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _finished(steps: Sequence[StepTiming]) -> list[StepTiming]:
    return [s for s in steps if s.result in ("completed", "skipped", "choice")]


def _escalation(sessions: Sequence[SessionTiming]) -> float | None:
    return _rate(sum(t.outcome is Outcome.ESCALATED for t in sessions), len(sessions))


def _sop_fields(sop: SopRef | None) -> dict[str, Any]:
    return {"sop": sop.id if sop else "(none)", "version": sop.version if sop else None}


@dataclass
class Report:
    since: dt.datetime
    until: dt.datetime
    by: str
    summary: dict[str, Any]
    rows: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "by": self.by,
            "summary": self.summary,
            "rows": self.rows,
        }

    def render(self, fmt: str) -> str:
        if fmt == "json":
            return json.dumps(self.to_json(), indent=2, ensure_ascii=False)
        if fmt == "csv":
            return _csv(self.rows)
        return _table(self)


def build_report(
    sessions: Sequence[SessionTiming],
    by: str,
    since: dt.datetime,
    until: dt.datetime,
    ticket_label: Callable[[str], str] = str,
) -> Report:
    """``sessions`` are ended sessions; ``ticket_label`` maps a ticket id for display (the
    keyed hash, for a report meant to be shared)."""
    ended = [t for t in sessions if t.ended is not None]
    steps = [s for t in ended for s in t.steps]
    finished = _finished(steps)
    summary = {
        **stats([t.handle_seconds for t in ended]),
        "escalation_rate": _escalation(ended),
        "skip_rate": _rate(sum(s.result == "skipped" for s in finished), len(finished)),
        "outcomes": dict(Counter(t.outcome.value for t in ended if t.outcome)),
    }
    rows = {"ticket": _by_ticket, "sop": _by_sop, "step": _by_step, "outcome": _by_outcome}[by](
        ended, ticket_label
    )
    return Report(since, until, by, summary, rows)


def _by_ticket(ended: Sequence[SessionTiming], label: Callable[[str], str]) -> list[dict[str, Any]]:
    return [
        {
            "ticket": label(t.ticket),
            **_sop_fields(t.sop),
            "started": t.started.isoformat(),
            "ended": t.ended.isoformat() if t.ended else None,
            "outcome": t.outcome.value if t.outcome else None,
            "handle_seconds": round(t.handle_seconds, 3),
            "paused_seconds": round(t.paused_seconds, 3),
            "steps": len(t.steps),
            "skipped": sum(s.result == "skipped" for s in t.steps),
            "flags": " ".join(t.flags),
        }
        for t in ended
    ]


def _by_outcome(
    ended: Sequence[SessionTiming], label: Callable[[str], str]
) -> list[dict[str, Any]]:
    groups: dict[str, list[float]] = defaultdict(list)
    for t in ended:
        groups[t.outcome.value if t.outcome else "(none)"].append(t.handle_seconds)
    return [
        {"outcome": k, **stats(v), "share": _rate(len(v), len(ended))}
        for k, v in sorted(groups.items())
    ]


def _by_sop(ended: Sequence[SessionTiming], label: Callable[[str], str]) -> list[dict[str, Any]]:
    groups: dict[SopRef | None, list[SessionTiming]] = defaultdict(list)
    seconds: dict[SopRef | None, list[float]] = defaultdict(list)
    for t in ended:
        used: dict[SopRef | None, float] = {k: v for k, v in t.sops.items() if k is not None}
        for sop, secs in (used or {None: t.handle_seconds}).items():
            groups[sop].append(t)
            seconds[sop].append(secs)
    rows = []
    for sop in sorted(groups, key=lambda s: (s is None, s or SopRef("", None))):
        finished = _finished([s for t in groups[sop] for s in t.steps if s.sop == sop])
        rows.append(
            {
                **_sop_fields(sop),
                **stats(seconds[sop]),
                "escalation_rate": _escalation(groups[sop]),
                "skip_rate": _rate(sum(s.result == "skipped" for s in finished), len(finished)),
            }
        )
    return rows


def _by_step(ended: Sequence[SessionTiming], label: Callable[[str], str]) -> list[dict[str, Any]]:
    groups: dict[tuple[SopRef | None, str], list[StepTiming]] = defaultdict(list)
    for t in ended:
        for s in t.steps:
            groups[(s.sop, s.step_id)].append(s)
    rows = []
    for (sop, step_id), steps in sorted(groups.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        choices = Counter(s.choice for s in steps if s.result == "choice")
        total = sum(choices.values())
        rows.append(
            {
                **_sop_fields(sop),
                "step": step_id,
                **stats([s.seconds for s in steps]),
                "skipped": sum(s.result == "skipped" for s in steps),
                "skip_rate": _rate(sum(s.result == "skipped" for s in steps), len(steps)),
                "branches": {str(k): round(n / total, 4) for k, n in choices.items()},
            }
        )
    return rows


_DURATIONS = {"median", "p90", "mean", "handle_seconds", "paused_seconds"}


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if key in _DURATIONS:
        return format_seconds(float(value))
    if key.endswith("rate") or key == "share":
        return f"{float(value):.0%}"
    if isinstance(value, dict):
        return " ".join(f"{k}={v:.0%}" for k, v in value.items())
    return str(value)


def _table(report: Report) -> str:
    s = report.summary
    lines = [
        f"{s['count']} ticket(s) ended {report.since:%Y-%m-%d %H:%M} – "
        f"{report.until:%Y-%m-%d %H:%M} UTC: median {_cell('median', s['median'])}, "
        f"p90 {_cell('p90', s['p90'])}, mean {_cell('mean', s['mean'])}, escalated "
        f"{_cell('rate', s['escalation_rate'])}, steps skipped "
        f"{_cell('rate', s['skip_rate'])}"
    ]
    if not report.rows:
        return "\n".join(lines)
    keys = [k for k in report.rows[0] if k not in ("started", "ended")]
    cells = [[_cell(k, row[k]) for k in keys] for row in report.rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    lines += ["", "  ".join(k.ljust(w) for k, w in zip(keys, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def _csv(rows: Sequence[dict[str, Any]]) -> str:
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    k: (";".join(f"{a}={b}" for a, b in v.items()) if isinstance(v, dict) else v)
                    for k, v in row.items()
                }
            )
    return buf.getvalue().rstrip("\n")
