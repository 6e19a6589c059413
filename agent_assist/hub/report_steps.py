"""A version's step figures in the order an agent meets them, with the text they read.

The shared maths (``core.worklog.reports``) groups steps by id; a lead reads a checklist.  So
the rows follow the checklist of the version as published here (position 1, 2, ...), a step
nobody reached yet shows with a count of 0 (a step everyone skips past is news too), and
steps that were run but are not in that checklist (content never published here, a step
renamed since) come after it, in the order agents met them on average.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from agent_assist.core.knowledge.models import Step
from agent_assist.core.worklog.durations import SessionTiming, SopRef


def _step_row(
    position: int | None, step_id: str, text: str | None, row: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "position": position,
        "step_id": step_id,
        "text": text,
        "count": row["count"] if row else 0,
        "median_seconds": row["median"] if row else None,
        "p90_seconds": row["p90"] if row else None,
        "skip_rate": row["skip_rate"] if row else None,
        "branches": row["branches"] if row else {},
    }


def _met_order(sessions: Sequence[SessionTiming], key: tuple[str, Any]) -> dict[str, float]:
    """Each step id's mean index among the steps of SOP ``key`` in the sessions that ran it."""
    ref = SopRef(key[0], key[1])
    seen: dict[str, list[int]] = defaultdict(list)
    for t in sessions:
        ids = list(dict.fromkeys(s.step_id for s in t.steps if s.sop == ref))
        for i, step_id in enumerate(ids):
            seen[step_id].append(i)
    return {k: sum(v) / len(v) for k, v in seen.items()}


def ordered_steps(
    rows: Sequence[dict[str, Any]],
    checklist: Sequence[Step],
    sessions: Sequence[SessionTiming],
    key: tuple[str, Any],
) -> list[dict[str, Any]]:
    """``rows`` (``build_report(..., "step")`` rows of one SOP version) in checklist order."""
    by_id = {r["step"]: r for r in rows}
    out = [_step_row(i, s.id, s.text, by_id.get(s.id)) for i, s in enumerate(checklist, 1)]
    listed = {s.id for s in checklist}
    extra = [r for r in rows if r["step"] not in listed]
    if extra:
        order = _met_order(sessions, key)
        extra.sort(key=lambda r: (order.get(r["step"], float("inf")), r["step"]))
        out += [_step_row(None, r["step"], None, r) for r in extra]
    return out
