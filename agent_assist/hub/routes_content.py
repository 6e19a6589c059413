"""The lead console's content API: gaps inbox, history and diffs, reviews, usage, the
editor and approvals.  Every route needs a lead (or admin) token; the console's pages call
the same hub modules, so a page and this API can never disagree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, HTTPException, Path, Query

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge.models import Kind
from agent_assist.hub import drafts, gaps, history, pending, reviews, usage
from agent_assist.hub.catalog import catalog
from agent_assist.hub.content_models import (
    ApprovalSettingIn,
    EditIn,
    GapDecisionIn,
    GapReopenIn,
    OwnerIn,
    PublishItemIn,
    RejectIn,
    VerifyIn,
)
from agent_assist.hub.models import NO_NUL, SINCE_PATTERN, Short
from agent_assist.hub.preview import render_item
from agent_assist.hub.reports import parse_since
from agent_assist.hub.state import Hub, LeadCaller

router = APIRouter(prefix="/v1")
Version = Annotated[int, Query(ge=1, le=2**31)]
Since = Annotated[str | None, Query(max_length=60, pattern=SINCE_PATTERN)]
DraftId = Annotated[int, Path(ge=1, le=2**62)]
T = TypeVar("T")


def since_or(text: str | None, default: str | None) -> dt.datetime | None:
    """``since`` as the reports read it (``30d``, an ISO day); 422 when out of range."""
    try:
        start = parse_since(text or default)
        if start is not None:
            start.astimezone(dt.UTC)
    except (AgentAssistError, OverflowError, ValueError) as exc:
        raise HTTPException(422, f"since: {exc or 'out of range'}") from None
    return start


def answer(call: Callable[[], T]) -> T:
    """Run ``call``; the content modules' known refusals become their HTTP status."""
    try:
        return call()
    except drafts.DraftError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    except gaps.GapError as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/gaps")
def gap_inbox(
    caller: LeadCaller, state: Hub, since: Since = None, decided: bool = False
) -> dict[str, Any]:
    """Agents' unanswered queries grouped by similarity, with the nearest SOPs (default:
    the last 90 days; ``decided`` also lists groups already triaged)."""
    return gaps.inbox(state.db, since_or(since, "90d"), include_decided=decided)


@router.post("/gaps/decisions")
def gap_decide(body: GapDecisionIn, caller: LeadCaller, state: Hub) -> dict[str, Any]:
    """Mark queries "new SOP needed", "covered by SOP X" (queued as X's phrasings for its
    next publish) or "dismiss"."""
    return answer(
        lambda: gaps.decide(state.db, body.queries, body.decision, caller.name, body.sop_id)
    )


@router.post("/gaps/reopen")
def gap_reopen(body: GapReopenIn, caller: LeadCaller, state: Hub) -> dict[str, int]:
    return {"reopened": gaps.reopen(state.db, body.queries)}


@router.get("/phrasings/pending")
def pending_phrasings(
    caller: LeadCaller,
    state: Hub,
    sop_id: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
) -> dict[str, Any]:
    """Phrasings queued from the gaps inbox: waiting for their SOP's next publish, or
    applied (with the version they went out in)."""
    return {"phrasings": pending.listing(state.db, sop_id)}


@router.get("/items/{kind}/{item_id}/versions/{version}")
def item_version(
    kind: Kind,
    item_id: Short,
    version: Annotated[int, Path(ge=1, le=2**31)],
    caller: LeadCaller,
    state: Hub,
) -> dict[str, Any]:
    """The stored file of one version of an item."""
    return history.version_source(state.db, kind, item_id, version)


@router.get("/items/{kind}/{item_id}/diff")
def item_diff(
    kind: Kind, item_id: Short, a: Version, b: Version, caller: LeadCaller, state: Hub
) -> dict[str, Any]:
    """What changed from version ``a`` to ``b``: front-matter fields, steps, body lines."""
    return history.diff(state.db, kind, item_id, a, b)


@router.get("/reviews")
def review_list(
    caller: LeadCaller,
    state: Hub,
    soon_days: Annotated[int, Query(ge=0, le=3650)] = reviews.DUE_SOON_DAYS,
) -> dict[str, Any]:
    """Every SOP's owner and ``review_due``; the overdue and due-soon lists."""
    return reviews.reviews(state.db, dt.datetime.now(dt.UTC).date(), soon_days)


@router.post("/reviews/verify")
def review_verify(body: VerifyIn, caller: LeadCaller, state: Hub) -> dict[str, Any]:
    """The SOP was reviewed: publish it with ``review_due`` set to ``next_due``."""
    today = dt.datetime.now(dt.UTC).date()
    return answer(
        lambda: reviews.verify(state.db, body.sop_id, body.next_due, body.note, caller.name, today)
    )


@router.put("/owners")
def set_owner(body: OwnerIn, caller: LeadCaller, state: Hub) -> dict[str, str]:
    answer(lambda: reviews.set_owner(state.db, body.kind, body.id, body.owner, caller.name))
    return {"kind": body.kind.value, "id": body.id, "owner": body.owner}


@router.get("/usage")
def content_usage(caller: LeadCaller, state: Hub, since: Since = None) -> dict[str, Any]:
    """Uses per SOP and macro in the period (default 30 days); never and rarely used."""
    start = since_or(since, "30d")
    assert start is not None
    return usage.usage(state.db, start)


def _preview(state: Hub, body: EditIn) -> dict[str, Any]:
    t = drafts.target(state.db, body.kind, body.id, body.pack)
    problems, loaded = drafts.validate(state.db, t, body.text)
    label = f"version {t.version + 1} (preview)" if t.version else "new (preview)"
    shown = render_item(loaded.content, label) if loaded is not None else None
    return {
        "kind": t.kind.value,
        "id": t.id,
        "pack": t.pack,
        "version": t.version,
        "problems": problems,
        "valid": not any(p["severity"] == "error" for p in problems),
        "preview": shown,
        "pending_phrasings": pending.waiting(state.db, [t.id]).get(t.id, [])
        if t.kind is Kind.SOP
        else [],
    }


@router.post("/editor/validate")
def editor_validate(body: EditIn, caller: LeadCaller, state: Hub) -> dict[str, Any]:
    """Check an edited item as part of its pack (the checks `agent-assist validate` runs)
    and render its preview with the desktop's rules."""
    return answer(lambda: _preview(state, body))


@router.get("/editor/items/{kind}/{item_id}")
def editor_open(kind: Kind, item_id: Short, caller: LeadCaller, state: Hub) -> dict[str, Any]:
    """The current file of an item, to edit."""
    item = catalog(state.db).get(kind, item_id)
    if item is None:
        raise HTTPException(404, f"no current {kind.value} '{item_id}'")
    return {
        "kind": kind.value,
        "id": item_id,
        "version": item.version,
        "pack": item.pack,
        "source_path": item.source_path,
        "text": item.source_text,
    }


@router.post("/editor/publish")
def editor_publish(body: PublishItemIn, caller: LeadCaller, state: Hub) -> dict[str, Any]:
    """Publish the edited item with a note, or file it as a draft when the team requires a
    second lead's approval."""

    def run() -> dict[str, Any]:
        t = drafts.target(state.db, body.kind, body.id, body.pack)
        return drafts.submit(state.db, t, body.text, body.note, caller.name, body.base_version)

    result = answer(run)
    if result.get("published"):
        state.broadcaster.notify(int(result["cursor"]))
    return result


@router.get("/drafts")
def draft_list(
    caller: LeadCaller,
    state: Hub,
    status: Annotated[str, Query(pattern="^(pending|approved|rejected|all)$")] = "pending",
) -> dict[str, Any]:
    return {
        "needs_approval": drafts.needs_approval(state.db),
        "drafts": drafts.drafts(state.db, None if status == "all" else status),
    }


@router.post("/drafts/{draft_id}/approve")
def draft_approve(draft_id: DraftId, caller: LeadCaller, state: Hub) -> dict[str, Any]:
    """Publish a draft (another lead's) as its author, naming the approver in the note."""
    result = answer(lambda: drafts.approve(state.db, draft_id, caller.name))
    if result.get("published"):
        state.broadcaster.notify(int(result["cursor"]))
    return result


@router.post("/drafts/{draft_id}/reject")
def draft_reject(
    draft_id: DraftId, body: RejectIn, caller: LeadCaller, state: Hub
) -> dict[str, Any]:
    return answer(lambda: drafts.reject(state.db, draft_id, caller.name, body.reason))


@router.get("/settings/publish_approval")
def get_publish_approval(caller: LeadCaller, state: Hub) -> dict[str, bool]:
    return {"value": drafts.needs_approval(state.db)}


@router.put("/settings/publish_approval")
def put_publish_approval(
    body: ApprovalSettingIn, caller: LeadCaller, state: Hub
) -> dict[str, bool]:
    """Team setting: publishing from the console needs a second lead's approval."""
    drafts.set_needs_approval(state.db, body.value)
    return {"value": body.value}
