"""The usage page: SOPs and macros never or rarely used in the period, macros' copied and
sent counts (:func:`agent_assist.hub.usage.usage`, the same as ``GET /v1/usage``)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from agent_assist.hub import usage
from agent_assist.hub.console.pages import LeadUser, db_of, render, utc_now

router = APIRouter()
PERIODS = ("7", "30", "90", "365")


@router.get("/console/usage", response_class=HTMLResponse)
async def usage_page(request: Request, user: LeadUser) -> HTMLResponse:
    chosen = request.query_params.get("days", "30")
    chosen = chosen if chosen in PERIODS else "30"
    since = utc_now() - dt.timedelta(days=int(chosen))
    data = await run_in_threadpool(usage.usage, db_of(request), since)
    return render(
        request, user, "usage.html", title="Usage", data=data, chosen=chosen, periods=PERIODS
    )
