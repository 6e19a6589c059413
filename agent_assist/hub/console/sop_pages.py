"""The SOP list and the SOP page: versions, steps in checklist order, per-step times,
outcomes, acknowledgements, quality beside speed and the version comparison.

Every number comes from ``reports.sop_report`` / ``reports.compare_versions`` (the same
functions as ``GET /v1/reports/sops`` and ``/v1/reports/compare``), so the page and the API
cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from agent_assist.core.knowledge.models import Kind
from agent_assist.hub import knowledge, reports, session_cache
from agent_assist.hub.auth import active_agents
from agent_assist.hub.console import charts
from agent_assist.hub.console.pages import (
    ConsoleRefusal,
    LeadUser,
    db_of,
    fmt_num,
    fmt_pct,
    fmt_seconds,
    render,
    utc_now,
)
from agent_assist.hub.db import Database
from agent_assist.hub.learning import ack_coverage
from agent_assist.hub.published import published_sops

router = APIRouter()
PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}
OUTCOMES = ("resolved", "escalated", "waiting", "transferred")


def _since(request: Request) -> tuple[str, dt.datetime | None]:
    chosen = request.query_params.get("days", "90")
    chosen = chosen if chosen in PERIODS else "90"
    days = PERIODS[chosen]
    return chosen, (utc_now() - dt.timedelta(days=days)) if days else None


def _sop_list(db: Database, since: dt.datetime | None) -> tuple[list[dict[str, Any]], int]:
    """One line per SOP (its current version, the sessions of each version) and the number
    of sessions on content never published here."""
    report = reports.sop_report(db, since)
    published = published_sops(db)
    rows: dict[str, dict[str, Any]] = {
        sop_id: {
            "sop_id": sop_id,
            "title": None,
            "current": max(versions),
            "sessions": 0,
            "versions": [],
        }
        for sop_id, versions in published.items()
    }
    for row in report["sops"]:
        if row["source"] != "hub":
            continue
        entry = rows.setdefault(
            row["sop_id"],
            {
                "sop_id": row["sop_id"],
                "title": None,
                "current": None,
                "sessions": 0,
                "versions": [],
            },
        )
        entry["title"] = entry["title"] or row["title"]
        entry["sessions"] += row["sessions"]
        entry["versions"].append(row)
    unpublished = sum(r["sessions"] for r in report["unpublished"])
    return sorted(rows.values(), key=lambda r: (-r["sessions"], r["sop_id"])), unpublished


@router.get("/console/sops", response_class=HTMLResponse)
async def sop_list_page(request: Request, user: LeadUser) -> HTMLResponse:
    chosen, since = _since(request)
    rows, unpublished = await run_in_threadpool(_sop_list, db_of(request), since)
    return render(
        request,
        user,
        "sops.html",
        title="SOPs",
        rows=rows,
        unpublished=unpublished,
        chosen=chosen,
        periods=list(PERIODS),
    )


def _step_chart(row: dict[str, Any]) -> charts.Chart:
    steps = row["steps"]
    labels = [
        f"{s['position']}. {s['text'] or s['step_id']}" if s["position"] else s["step_id"]
        for s in steps
    ]
    return charts.bar_chart(
        labels,
        [
            ("Median", [s["median_seconds"] for s in steps]),
            ("p90", [s["p90_seconds"] for s in steps]),
        ],
        label=f"Time per step, version {row['version']}: median and 90th percentile",
        fmt=fmt_seconds,
        label_heading="Step",
    )


def _outcome_chart(row: dict[str, Any]) -> charts.Chart:
    counts = row["outcomes"]
    names = list(OUTCOMES) + sorted(k for k in counts if k not in OUTCOMES)
    total = sum(counts.values()) or 1
    return charts.bar_chart(
        names,
        [("Sessions", [float(counts.get(o, 0)) for o in names])],
        label=f"Outcomes, version {row['version']}",
        fmt=lambda v: f"{fmt_num(v)} ({fmt_pct(v / total)})",
        label_heading="Outcome",
    )


def _comparison(db: Database, sop_id: str, a: int, b: int) -> dict[str, Any]:
    result = reports.compare_versions(db, sop_id, a, b)
    chart = None
    if result["enough_data"] and result["ci95_relative"]:
        low, high = result["ci95_relative"]
        chart = charts.interval_chart(
            result["relative_difference"],
            low,
            high,
            label=f"Change in median handle time, v{b} against v{a}, with its 95 % interval",
            fmt=lambda v: f"{v * 100:+.0f} %",
            heading=f"v{b} against v{a}",
        )
    summary = str(result["summary"])
    sentence = summary if re.match(r"v\d", summary) else summary[:1].upper() + summary[1:]
    return {**result, "chart": chart, "sentence": sentence.rstrip(".") + "."}


def _sop_page_data(
    db: Database, sop_id: str, since: dt.datetime | None, chosen: str | None, against: str | None
) -> dict[str, Any]:
    with session_cache.pinned():  # the report and the comparison read the sessions once
        return _sop_page(db, sop_id, since, chosen, against)


def _sop_page(
    db: Database, sop_id: str, since: dt.datetime | None, chosen: str | None, against: str | None
) -> dict[str, Any]:
    try:
        history = knowledge.history(db, Kind.SOP, sop_id)
    except knowledge.UnknownItemError:
        history = []
    report = reports.sop_report(db, since, sop_id=sop_id)
    rows = {r["version"]: r for r in report["sops"] if r["source"] == "hub"}
    if not history and not report["unpublished"]:
        raise ConsoleRefusal(
            404, "Unknown SOP", f"No SOP '{sop_id}' was published to this hub or used in sessions."
        )
    versions = [v["version"] for v in history]
    current = next((v["version"] for v in reversed(history) if not v["retired"]), None)
    version = int(chosen) if chosen and chosen.isdigit() and int(chosen) in versions else current
    if version is None and versions:
        version = versions[-1]
    row = rows.get(version)
    earlier = [v for v in versions if version is not None and v < version]
    base = int(against) if against and against.isdigit() and int(against) in versions else None
    base = base if base != version else None
    base = base or (earlier[-1] if earlier else None)
    comparison = _comparison(db, sop_id, base, version) if base and version else None
    acks = None
    if version is not None:
        cover = ack_coverage(db, sop_id, version)
        acknowledged = set(cover["acknowledged"])
        acks = {**cover, "missing": [a for a in active_agents(db) if a not in acknowledged]}
    return {
        "sop_id": sop_id,
        "title": next((r["title"] for r in rows.values() if r["title"]), None),
        "history": [{**v, "row": rows.get(v["version"])} for v in reversed(history)],
        "version": version,
        "current": current,
        "row": row,
        "step_chart": _step_chart(row) if row and row["steps"] else None,
        "outcome_chart": _outcome_chart(row) if row else None,
        "comparison": comparison,
        "base": base,
        "acks": acks,
        "unpublished": report["unpublished"],
        "versions": versions,
    }


@router.get("/console/sops/{sop_id}", response_class=HTMLResponse)
async def sop_page(request: Request, user: LeadUser, sop_id: str) -> HTMLResponse:
    if len(sop_id) > 200 or "\x00" in sop_id:
        raise ConsoleRefusal(404, "Unknown SOP", "That is not a SOP id.")
    chosen, since = _since(request)
    params = request.query_params
    data = await run_in_threadpool(
        _sop_page_data, db_of(request), sop_id, since, params.get("v"), params.get("against")
    )
    title = data["title"] or sop_id
    return render(
        request, user, "sop.html", title=title, d=data, chosen=chosen, periods=list(PERIODS)
    )
