"""Knowledge endpoints: publish, retire, history, the delta feed and the SSE stream."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from agent_assist.core.knowledge.models import Kind
from agent_assist.hub import knowledge
from agent_assist.hub.models import PublishIn, RetireIn, Short
from agent_assist.hub.state import AgentCaller, Hub, HubState, LeadCaller

router = APIRouter(prefix="/v1")
PAGE_CACHE_SIZE = 256
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

    The idle poll is answered from memory (the newest cursor this replica knows of, see
    :class:`Broadcaster`), so the most frequent request never touches the database."""
    state: HubState = request.app.state.hub  # not a dependency: this is the hot path
    etag = f'"c{since}"'
    if since >= state.broadcaster.head and request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    head = state.broadcaster.head
    cached = state.pages.get((since, limit, head))
    if cached is None:
        entries, cursor, more = await run_in_threadpool(knowledge.changes, state.db, since, limit)
        body = json.dumps(
            {"changes": entries, "cursor": cursor, "more": more}, ensure_ascii=False
        ).encode("utf-8")
        cached = (body, cursor)
        if cursor <= head:  # nothing newer than the head this replica knows: cacheable
            if len(state.pages) > PAGE_CACHE_SIZE or any(k[2] != head for k in state.pages):
                state.pages.clear()
            state.pages[(since, limit, head)] = cached
    body, cursor = cached
    return Response(body, media_type="application/json", headers={"ETag": f'"c{cursor}"'})


@router.get("/stream", response_class=StreamingResponse)
async def stream(caller: AgentCaller, state: Hub) -> StreamingResponse:
    """Server-Sent Events: `event: changes` with the feed cursor on connect and after each
    publish or retirement; a keep-alive comment when quiet."""
    return StreamingResponse(
        state.broadcaster.stream(state.keepalive),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
