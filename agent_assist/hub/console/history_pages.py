"""Content pages: every current item, an item's versions, and the diff between two of them.

Versions and diffs are :mod:`agent_assist.hub.history` (``GET /v1/items/.../history`` and
``/diff``): front-matter fields side by side, the checklist step by step, the body as lines.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from agent_assist.core.knowledge.models import Kind
from agent_assist.hub import history
from agent_assist.hub.catalog import catalog
from agent_assist.hub.console.pages import ConsoleRefusal, LeadUser, db_of, render
from agent_assist.hub.knowledge import UnknownItemError

router = APIRouter()


def _kind(text: str) -> Kind:
    try:
        return Kind(text)
    except ValueError:
        raise ConsoleRefusal(404, "Not found", f"'{text[:40]}' is not sop or macro.") from None


@router.get("/console/items", response_class=HTMLResponse)
def items_page(request: Request, user: LeadUser) -> HTMLResponse:
    cat = catalog(db_of(request))
    items = sorted(cat.items.values(), key=lambda i: (i.kind.value != "sop", i.id))
    return render(request, user, "items.html", title="Content", items=items, packs=cat.packs())


@router.get("/console/items/{kind}/{item_id}", response_class=HTMLResponse)
async def history_page(request: Request, user: LeadUser, kind: str, item_id: str) -> HTMLResponse:
    k = _kind(kind)
    db = db_of(request)
    try:
        versions = await run_in_threadpool(history.item_versions, db, k, item_id)
    except UnknownItemError as exc:
        raise ConsoleRefusal(404, "Not found", str(exc)) from None
    numbers = [v["version"] for v in versions]
    newest = max(numbers)
    a = _pick(request.query_params.get("a"), numbers, max(1, newest - 1))
    b = _pick(request.query_params.get("b"), numbers, newest)
    diff = None
    if a != b:
        diff = await run_in_threadpool(history.diff, db, k, item_id, a, b)
    return render(
        request,
        user,
        "history.html",
        title=f"History of {item_id}",
        kind=k.value,
        item_id=item_id,
        versions=versions,
        a=a,
        b=b,
        diff=diff,
    )


def _pick(text: str | None, numbers: list[int], default: int) -> int:
    try:
        value = int(text or default)
    except ValueError:
        return default
    return value if value in numbers else default
