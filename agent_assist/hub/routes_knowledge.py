"""Knowledge endpoints: publish, retire, history, the delta feed and the SSE stream."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from agent_assist.core.knowledge.models import Kind
from agent_assist.hub import knowledge
from agent_assist.hub.models import PublishIn, RetireIn, Short
from agent_assist.hub.snapshots import accepts_gzip
from agent_assist.hub.state import AgentCaller, Hub, HubState, LeadCaller

router = APIRouter(prefix="/v1")
Cursor = Annotated[int, Query(ge=0, le=2**62)]


@router.post("/publish")
def publish(body: PublishIn, caller: LeadCaller, state: Hub) -> dict[str, Any]:
    """Validate the pack as `agent-assist validate` does, then publish every changed item
    as a new immutable version, atomically."""
    upload = knowledge.Upload(
        pack_yaml=body.pack.pack_yaml,
        files={f.path: f.text for f in body.files},
        note=body.note,
        prune=body.prune,
    )
    result = knowledge.publish(state.db, upload, caller.name)
    if result.published or result.retired:
        state.broadcaster.notify(result.cursor)
    return result.to_json()


@router.post("/retire")
def retire(body: RetireIn, caller: LeadCaller, state: Hub) -> dict[str, Any]:
    items = [(i.kind.value, i.id) for i in body.items]
    retired, already, cursor = knowledge.retire(state.db, items, caller.name, body.note)
    if retired:
        state.broadcaster.notify(cursor)
    return {"retired": retired, "already_retired": already, "cursor": cursor}


@router.get("/items/{kind}/{item_id}/history")
def history(kind: Kind, item_id: Short, caller: AgentCaller, state: Hub) -> dict[str, Any]:
    versions = knowledge.history(state.db, kind, item_id)
    return {"kind": kind.value, "id": item_id, "versions": versions}


@router.get("/changes", responses={304: {"description": "Nothing newer than `since`"}})
async def changes(
    request: Request,
    caller: AgentCaller,
    since: Cursor = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Response:
    """Upserts and retirements after `since`; an idle poll with the current ETag gets 304.

    Most of these are answered before they get here, by the fast path (``fastpath.py``);
    this is the same answer for what it passes on.  The idle poll is answered from memory
    (the newest cursor this replica knows of, see :class:`Broadcaster`), and a page is
    prepared once for every client that asks for it (``snapshots.py``), gzip-encoded when
    the client accepts it."""
    state: HubState = request.app.state.hub  # not a dependency: this is the hot path
    etag = f'"c{since}"'
    head = state.broadcaster.head
    if since >= head and request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    page = await state.pages.page(since, limit, head)
    body, packed = page.encoded(accepts_gzip(request.headers.get("accept-encoding", "")))
    headers = {"ETag": page.etag, "Vary": "Accept-Encoding"}
    if packed:
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="application/json", headers=headers)


@router.get("/stream", response_class=StreamingResponse)
async def stream(caller: AgentCaller, state: Hub) -> StreamingResponse:
    """Server-Sent Events: `event: changes` with the feed cursor on connect and after each
    publish or retirement; a keep-alive comment when quiet."""
    return StreamingResponse(
        state.broadcaster.stream(state.keepalive),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
