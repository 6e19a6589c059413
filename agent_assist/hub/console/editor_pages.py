"""The editor: an SOP or macro's Markdown and front matter with a live preview and the pack
checks as the lead types, publish with a note; and the approvals list.

The preview is one small ``fetch`` from ``static/editor.js`` to ``POST
/console/editor/preview`` (session cookie, CSRF token in a header), which answers what
``POST /v1/editor/validate`` answers: the problems of the file within its pack and the
preview HTML rendered with the desktop's rules (:mod:`agent_assist.hub.preview`).  Without
JavaScript the "Check" button posts the form and the page comes back with the same.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from agent_assist.core.knowledge.models import Kind
from agent_assist.hub import drafts, pending
from agent_assist.hub.catalog import catalog
from agent_assist.hub.console.pages import (
    ConsoleRefusal,
    ConsoleUser,
    LeadUser,
    check_csrf,
    db_of,
    redirect,
    render,
)
from agent_assist.hub.content_models import MAX_ITEM_CHARS
from agent_assist.hub.db import Database
from agent_assist.hub.knowledge import PublishRejectedError
from agent_assist.hub.preview import render_item

router = APIRouter()
NEW_TEMPLATES = {
    Kind.SOP: "---\nid: {id}\ntitle: New SOP\nsummary: \nphrasings:\n  - \nsteps:\n"
    "  - id: first\n    text: First step\n---\nBackground for agents.\n",
    Kind.MACRO: "---\nid: {id}\ntitle: New reply\n---\nHello,\n\n",
}


def _kind(text: str) -> Kind:
    try:
        return Kind(text)
    except ValueError:
        raise ConsoleRefusal(404, "Not found", f"'{text[:40]}' is not sop or macro.") from None


def check(db: Database, kind: Kind, item_id: str, pack: str | None, text: str) -> dict[str, Any]:
    """Problems and preview of an edit (what the page and the fetch show)."""
    t = drafts.target(db, kind, item_id, pack)
    problems, loaded = drafts.validate(db, t, text)
    label = f"version {t.version + 1} (preview)" if t.version else "new (preview)"
    shown = render_item(loaded.content, label)["html"] if loaded is not None else ""
    errors = [p for p in problems if p["severity"] == "error"]
    return {"problems": problems, "valid": not errors, "html": shown, "version": t.version}


def _page(
    request: Request,
    user: ConsoleUser,
    kind: Kind,
    item_id: str,
    pack: str,
    text: str,
    base_version: int,
    *,
    note: str = "",
    status: int = 200,
    message: str = "",
) -> HTMLResponse:
    db = db_of(request)
    try:
        result = check(db, kind, item_id, pack, text)
    except drafts.DraftError as exc:
        raise ConsoleRefusal(exc.status, "Cannot edit that", str(exc)) from None
    return render(
        request,
        user,
        "editor.html",
        title=f"Edit {item_id}" if base_version else f"New {kind.value}",
        kind=kind.value,
        item_id=item_id,
        pack=pack,
        text=text,
        base_version=base_version,
        note=note,
        result=result,
        message=message,
        waiting=pending.waiting(db, [item_id]).get(item_id, []) if kind is Kind.SOP else [],
        needs_approval=drafts.needs_approval(db),
        status=status,
    )


@router.get("/console/editor/new", response_class=HTMLResponse)
def new_item(request: Request, user: LeadUser) -> HTMLResponse:
    kind = _kind(request.query_params.get("kind", "sop"))
    pack = request.query_params.get("pack", "")
    item_id = request.query_params.get("id", "") or f"new-{kind.value}"
    text = NEW_TEMPLATES[kind].format(id=item_id)
    return _page(request, user, kind, item_id, pack, text, 0)


@router.get("/console/editor/{kind}/{item_id}", response_class=HTMLResponse)
def edit_item(request: Request, user: LeadUser, kind: str, item_id: str) -> HTMLResponse:
    k = _kind(kind)
    item = catalog(db_of(request)).get(k, item_id)
    if item is None:
        raise ConsoleRefusal(404, "Not found", f"No current {k.value} '{item_id}' on this hub.")
    return _page(request, user, k, item_id, item.pack, item.source_text, item.version)


@router.post("/console/editor/preview")
async def preview(request: Request, user: LeadUser) -> Response:
    """The live preview's JSON: CSRF token in ``X-CSRF-Token``, body ``{kind, id, pack,
    text}``."""
    token = request.headers.get("x-csrf-token", "")
    if not hmac.compare_digest(token.encode(), user.csrf.encode()):
        return JSONResponse({"error": "forbidden", "message": "missing or wrong CSRF token"}, 403)
    raw = await request.body()
    if len(raw) > MAX_ITEM_CHARS * 4:
        return JSONResponse({"error": "too_large", "message": "the text is too large"}, 413)
    try:
        body = json.loads(raw)
        kind, item_id = Kind(str(body["kind"])), str(body["id"])[:200]
        text, pack = str(body["text"]), str(body.get("pack") or "")[:200]
    except (ValueError, KeyError, TypeError):
        return JSONResponse(
            {"error": "invalid", "message": "expected kind, id, pack and text"}, 422
        )
    if len(text) > MAX_ITEM_CHARS or "\x00" in text:
        return JSONResponse({"error": "invalid", "message": "text: too long or holds NUL"}, 422)
    try:
        result = await run_in_threadpool(check, db_of(request), kind, item_id, pack or None, text)
    except drafts.DraftError as exc:
        return JSONResponse({"error": "refused", "message": str(exc)}, exc.status)
    return JSONResponse(result, headers={"Cache-Control": "no-store"})


@router.post("/console/editor/publish")
async def publish(request: Request, user: LeadUser) -> Response:
    form = await check_csrf(request, user)
    kind = _kind(form.get("kind", ""))
    item_id, pack = form.get("id", "").strip(), form.get("pack", "")
    text, note = form.get("text", "").replace("\r\n", "\n"), form.get("note", "")
    try:
        base = int(form.get("base_version", "0"))
    except ValueError:
        base = -1
    if form.get("action") == "check":
        return _page(request, user, kind, item_id, pack, text, base, note=note)
    db = db_of(request)

    def run() -> dict[str, Any]:
        t = drafts.target(db, kind, item_id, pack or None)
        return drafts.submit(db, t, text, note, user.name, base)

    try:
        done = await run_in_threadpool(run)
    except (drafts.DraftError, PublishRejectedError) as exc:
        status = exc.status if isinstance(exc, drafts.DraftError) else 422
        return _page(
            request,
            user,
            kind,
            item_id,
            pack,
            text,
            base,
            note=note,
            status=status,
            message=f"Not published: {exc}",
        )
    if done.get("draft"):
        return redirect("/console/approvals", notice=f"Draft {done['draft']} waits for approval")
    if done.get("published"):
        request.app.state.hub.broadcaster.notify(int(done["cursor"]))
        version = next((p["version"] for p in done["published"] if p["id"] == item_id), None)
        return redirect(
            f"/console/items/{kind.value}/{item_id}", notice=f"Published version {version}"
        )
    return redirect(f"/console/items/{kind.value}/{item_id}", notice="Nothing changed")


@router.get("/console/approvals", response_class=HTMLResponse)
def approvals(request: Request, user: LeadUser) -> HTMLResponse:
    db = db_of(request)
    return render(
        request,
        user,
        "approvals.html",
        title="Approvals",
        waiting=drafts.drafts(db, "pending"),
        recent=[d for d in drafts.drafts(db, None, 20) if d["status"] != "pending"],
        needs_approval=drafts.needs_approval(db),
    )


@router.post("/console/approvals/setting")
async def approval_setting(request: Request, user: LeadUser) -> Response:
    form = await check_csrf(request, user)
    on = form.get("value") == "1"
    drafts.set_needs_approval(db_of(request), on)
    return redirect(
        "/console/approvals", notice="Approval " + ("required" if on else "not required")
    )


@router.post("/console/approvals/{draft_id}/{action}")
async def decide(request: Request, user: LeadUser, draft_id: int, action: str) -> Response:
    form = await check_csrf(request, user)
    db = db_of(request)
    try:
        if action == "approve":
            done = await run_in_threadpool(drafts.approve, db, draft_id, user.name)
            if done.get("published"):
                request.app.state.hub.broadcaster.notify(int(done["cursor"]))
            return redirect("/console/approvals", notice=f"Draft {draft_id} approved and published")
        if action == "reject":
            drafts.reject(db, draft_id, user.name, form.get("reason", ""))
            return redirect("/console/approvals", notice=f"Draft {draft_id} rejected")
    except (drafts.DraftError, PublishRejectedError) as exc:
        status = exc.status if isinstance(exc, drafts.DraftError) else 422
        raise ConsoleRefusal(status, "Cannot do that", str(exc)) from None
    raise ConsoleRefusal(404, "Not found", "Unknown action.")
