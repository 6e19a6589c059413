"""The overview's numbers as JSON (``GET /v1/reports/overview``), for scripts and for the
browser tests that check the page shows what the API says."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from agent_assist.core.errors import AgentAssistError
from agent_assist.hub.models import NO_NUL
from agent_assist.hub.overview import MAX_DAYS, Period, overview
from agent_assist.hub.state import Hub, LeadCaller

router = APIRouter(prefix="/v1")
DateText = Annotated[
    str | None,
    Query(max_length=10, pattern=r"^2\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"),
]
"""A day as ``Period.parse`` reads it (years 2000-2999), so the schema refuses what it would."""


def period_of(days: int, first: str | None, last: str | None, today: dt.date) -> Period:
    """``first``..``last`` when both are given, else the ``days`` days up to ``today``."""
    if first or last:
        return Period.parse(first or "", last or "")
    return Period.ending(today, days)


@router.get("/reports/overview")
def report_overview(
    caller: LeadCaller,
    state: Hub,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS)] = 30,
    first: DateText = None,
    last: DateText = None,
    locale: Annotated[str | None, Query(max_length=35, pattern=NO_NUL)] = None,
) -> dict[str, Any]:
    """Sessions per day, median handle time per day, the SOPs costing the most time and
    acknowledgement coverage of required versions, for whole UTC days: the last `days`, or
    `first` to `last` (both needed).  422 when the range is not one: a day that does not
    exist (02-30), only one end, the end before the start, or more than 366 days."""
    try:
        period = period_of(days, first, last, dt.datetime.now(dt.UTC).date())
    except AgentAssistError as exc:
        raise HTTPException(422, str(exc)) from None
    return overview(state.db, period, locale or None)
