"""The reviews page: owners and ``review_due`` of every SOP, overdue and due soon first;
"verified" publishes the next due date with a note (:mod:`agent_assist.hub.reviews`)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from agent_assist.core.knowledge.models import Kind
from agent_assist.hub import drafts, reviews
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
from agent_assist.hub.knowledge import PublishRejectedError

router = APIRouter()


def tile(db: Database, now: dt.datetime) -> Tile:
    counts = reviews.review_counts(db, now.date())
    return Tile(
        "Overdue reviews", counts["overdue"], "/console/reviews", f"{counts['due_soon']} due soon"
    )


@router.get("/console/reviews", response_class=HTMLResponse)
def reviews_page(request: Request, user: LeadUser) -> HTMLResponse:
    today = utc_now().date()
    data = reviews.reviews(db_of(request), today)
    default_next = (today + dt.timedelta(days=reviews.DEFAULT_INTERVAL_DAYS)).isoformat()
    return render(
        request,
        user,
        "reviews.html",
        title="Reviews",
        data=data,
        default_next=default_next,
        needs_approval=drafts.needs_approval(db_of(request)),
    )


@router.post("/console/reviews/{sop_id}/verify")
async def verify(request: Request, user: LeadUser, sop_id: str) -> Response:
    form = await check_csrf(request, user)
    try:
        next_due = dt.date.fromisoformat(form.get("next_due", ""))
    except ValueError:
        raise ConsoleRefusal(
            422, "Not a date", "The next review date must be YYYY-MM-DD."
        ) from None
    today = utc_now().date()
    try:
        done = await run_in_threadpool(
            reviews.verify, db_of(request), sop_id, next_due, form.get("note", ""), user.name, today
        )
    except drafts.DraftError as exc:
        raise ConsoleRefusal(exc.status, "Cannot mark it verified", str(exc)) from None
    except PublishRejectedError as exc:
        raise ConsoleRefusal(422, "Cannot mark it verified", str(exc)) from None
    if done.get("draft"):
        return redirect("/console/approvals", notice=f"Draft {done['draft']} waits for approval")
    if done.get("published"):
        request.app.state.hub.broadcaster.notify(int(done["cursor"]))
    return redirect("/console/reviews", notice=f"{sop_id} verified; next review {next_due}")


@router.post("/console/reviews/{sop_id}/owner")
async def owner(request: Request, user: LeadUser, sop_id: str) -> Response:
    form = await check_csrf(request, user)
    try:
        reviews.set_owner(
            db_of(request), Kind.SOP, sop_id, form.get("owner", "").strip(), user.name
        )
    except drafts.DraftError as exc:
        raise ConsoleRefusal(exc.status, "Cannot set the owner", str(exc)) from None
    return redirect("/console/reviews", notice=f"Owner of {sop_id} set")
