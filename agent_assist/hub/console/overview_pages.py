"""The overview page: the team's week or month at a glance, each number linking onwards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from agent_assist.core.errors import AgentAssistError
from agent_assist.hub.console import charts
from agent_assist.hub.console.api import period_of
from agent_assist.hub.console.pages import (
    OVERVIEW_TILES,
    LeadUser,
    Tile,
    db_of,
    fmt_num,
    fmt_pct,
    fmt_seconds,
    render,
    utc_now,
)
from agent_assist.hub.db import Database
from agent_assist.hub.overview import Period, locales, overview

router = APIRouter()
RANGES = (7, 30, 90)


def _choice(request: Request, today: dt.date) -> tuple[str, Period, str]:
    """The range the form asks for (``7``/``30``/``90``/``custom``), its period and an error
    line when a custom range cannot be read (then the last 30 days are shown)."""
    params = request.query_params
    chosen = params.get("range", "30")
    if chosen == "custom":
        try:
            return chosen, period_of(30, params.get("first", ""), params.get("last", ""), today), ""
        except AgentAssistError as exc:
            return "30", Period.ending(today, 30), f"Custom range: {exc}; showing the last 30 days."
    days = int(chosen) if chosen.isdigit() and int(chosen) in RANGES else 30
    return str(days), Period.ending(today, days), ""


def _tiles(db: Database, data: dict[str, Any], now: dt.datetime, query: str) -> list[Tile]:
    acks = data["acks"]
    tiles = [
        Tile(
            "Sessions", fmt_num(data["sessions"]), f"/console/sops?{query}", "ended in the period"
        ),
        Tile(
            "Median handle time",
            fmt_seconds(data["median_seconds"]),
            f"/console/sops?{query}",
            "per ended session",
        ),
        Tile(
            "Acknowledged",
            fmt_pct(acks["coverage"]) if acks["required_versions"] else "–",
            "#acks",
            f"of {acks['required_versions']} required version(s), {acks['agents']} agent(s)",
        ),
    ]
    return tiles + [make(db, now) for make in OVERVIEW_TILES]


def _charts(data: dict[str, Any]) -> dict[str, charts.Chart]:
    days = [d["day"][5:] for d in data["days"]]
    top = data["top_sops"]
    return {
        "sessions": charts.column_chart(
            days,
            [float(d["sessions"]) for d in data["days"]],
            label="Ended sessions per day",
            fmt=fmt_num,
            value_heading="Sessions",
        ),
        "median": charts.line_chart(
            days,
            [d["median_seconds"] for d in data["days"]],
            label="Median handle time per day",
            fmt=fmt_seconds,
            nice=charts.nice_seconds,
            value_heading="Median handle time",
        ),
        "top": charts.bar_chart(
            [s["sop_id"] for s in top],
            [("Total time", [s["total_seconds"] for s in top])],
            label="SOPs costing the most total time",
            fmt=fmt_seconds,
            label_heading="SOP",
            links=[f"/console/sops/{s['sop_id']}" for s in top],
        ),
    }


@router.get("/console", response_class=HTMLResponse)
async def overview_page(request: Request, user: LeadUser) -> HTMLResponse:
    now = utc_now()
    chosen, period, error = _choice(request, now.date())
    db = db_of(request)
    known = await run_in_threadpool(locales, db)
    locale = request.query_params.get("locale", "")
    locale = locale if locale in known else ""
    data = await run_in_threadpool(overview, db, period, locale or None)
    query = f"days={(period.last - period.first).days + 1}"
    tiles = await run_in_threadpool(_tiles, db, data, now, query)
    return render(
        request,
        user,
        "overview.html",
        title="Overview",
        data=data,
        charts=_charts(data),
        tiles=tiles,
        chosen=chosen,
        ranges=RANGES,
        period=period,
        error=error,
        locales=known,
        locale=locale,
    )
