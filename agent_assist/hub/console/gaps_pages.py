"""The gaps inbox page: groups of agents' unanswered queries, and a lead's decision on each.

The groups, counts and nearest SOPs are :func:`agent_assist.hub.gaps.inbox` (the same as
``GET /v1/gaps``); a decision posts the group's queries as the page showed them.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from agent_assist.core.knowledge.models import Kind
from agent_assist.hub import gaps, pending
from agent_assist.hub.catalog import catalog
from agent_assist.hub.console.pages import (
    ConsoleRefusal,
    LeadUser,
    Tile,
    check_csrf,
    db_of,
    redirect,
    render,
    utc_now,
)
from agent_assist.hub.db import Database

router = APIRouter()
PERIODS = ("30", "90", "365", "all")
QUERY_SEPARATOR = "\n"


def tile(db: Database, now: dt.datetime) -> Tile:
    """The overview's count of open gap groups (last 90 days)."""
    count = gaps.inbox(db, now - dt.timedelta(days=90))["open_groups"]
    return Tile("Open gaps", count, "/console/gaps", "groups of unanswered queries to triage")


@router.get("/console/gaps", response_class=HTMLResponse)
async def gaps_page(request: Request, user: LeadUser) -> HTMLResponse:
    chosen = request.query_params.get("days", "90")
    chosen = chosen if chosen in PERIODS else "90"
    decided = request.query_params.get("decided") == "1"
    since = None if chosen == "all" else utc_now() - dt.timedelta(days=int(chosen))
    db = db_of(request)
    inbox = await run_in_threadpool(gaps.inbox, db, since, include_decided=decided)
    sops = [(i.id, i.title) for i in catalog(db).of_kind(Kind.SOP)]
    return render(
        request,
        user,
        "gaps.html",
        title="Gaps inbox",
        inbox=inbox,
        sops=sops,
        chosen=chosen,
        periods=PERIODS,
        decided=decided,
        waiting=[p for p in pending.listing(db) if p["pending"]],
        separator=QUERY_SEPARATOR,
    )


@router.post("/console/gaps/decide")
async def decide(request: Request, user: LeadUser) -> Response:
    form = await check_csrf(request, user)
    queries = [q for q in form.get("queries", "").split(QUERY_SEPARATOR) if q.strip()]
    try:
        decision = gaps.Decision(form.get("decision", ""))
    except ValueError:
        raise ConsoleRefusal(
            422, "Choose a decision", "Pick new SOP needed, covered by a SOP, or dismiss."
        ) from None
    sop_id = form.get("sop_id") or None
    try:
        done = await run_in_threadpool(
            gaps.decide, db_of(request), queries, decision, user.name, sop_id
        )
    except gaps.GapError as exc:
        raise ConsoleRefusal(422, "Cannot record that decision", str(exc)) from None
    notice = (
        f"{done['decided']} quer{'y' if done['decided'] == 1 else 'ies'}: {gaps.LABELS[decision]}"
    )
    if done["sop_id"]:
        notice += f" {done['sop_id']} (phrasings pending its next publish)"
    return redirect("/console/gaps", notice=notice)
