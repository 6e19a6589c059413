"""Team endpoints: events, acknowledgements, shared learning, reports, tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from agent_assist.core.errors import AgentAssistError
from agent_assist.hub import auth, learning, reports
from agent_assist.hub.auth import Role
from agent_assist.hub.ingest import store_events
from agent_assist.hub.models import (
    MAX_EVENTS,
    AckIn,
    EventsIn,
    FeedbackIn,
    Short,
    ThresholdIn,
    TokenIn,
)
from agent_assist.hub.state import AdminCaller, AgentCaller, Hub, LeadCaller

router = APIRouter(prefix="/v1")
Version = Annotated[int, Query(ge=1, le=2**31)]


@router.get("/whoami")
def whoami(caller: AgentCaller) -> dict[str, str]:
    return {"name": caller.name, "role": caller.role.label}


@router.post("/events")
def events(body: EventsIn, caller: AgentCaller, state: Hub) -> dict[str, int]:
    """Store handle-time events once each (idempotent on `id`)."""
    if len(body.events) > MAX_EVENTS:
        raise HTTPException(
            413, f"events: {len(body.events)} events in one batch (at most {MAX_EVENTS})"
        )
    if caller.role < Role.LEAD:
        for i, event in enumerate(body.events):
            if event.agent_id != caller.name:
                raise HTTPException(
                    403,
                    f"events[{i}].agent_id: '{event.agent_id}' is not the caller "
                    f"'{caller.name}' (agents upload only their own events)",
                )
    accepted, duplicates = store_events(state.db, [e.stored() for e in body.events])
    return {"accepted": accepted, "duplicates": duplicates}


@router.post("/acks")
def ack(body: AckIn, caller: AgentCaller, state: Hub) -> dict[str, Any]:
    new = learning.record_ack(state.db, caller.name, body.sop_id, body.version)
    return {"sop_id": body.sop_id, "version": body.version, "new": new}


@router.get("/acks")
def ack_coverage(
    sop_id: Annotated[str, Query(max_length=200)],
    caller: LeadCaller,
    state: Hub,
    version: Version | None = None,
) -> dict[str, Any]:
    return learning.ack_coverage(state.db, sop_id, version)


@router.post("/feedback")
def feedback(body: FeedbackIn, caller: AgentCaller, state: Hub) -> dict[str, int]:
    pairs = [(p.query, p.kind.value, p.id) for p in body.pairs]
    learned = learning.record_feedback(state.db, caller.name, pairs)
    return {"recorded": len(pairs), "learned": learned}


@router.get("/learned")
def learned(
    caller: AgentCaller, state: Hub, since: Annotated[int, Query(ge=0, le=2**62)] = 0
) -> dict[str, Any]:
    return learning.learned(state.db, since)


@router.get("/settings/learn_threshold")
def get_threshold(caller: LeadCaller, state: Hub) -> dict[str, int]:
    return {"value": learning.threshold(state.db)}


@router.put("/settings/learn_threshold")
def put_threshold(body: ThresholdIn, caller: LeadCaller, state: Hub) -> dict[str, int]:
    learned = learning.set_threshold(state.db, body.value)
    return {"value": body.value, "learned": learned}


@router.get("/reports/sops")
def report_sops(
    caller: LeadCaller,
    state: Hub,
    since: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    """Per SOP version: sessions, median/p90 handle time, steps, skips, branches, outcomes,
    acknowledgement coverage."""
    try:
        start = reports.parse_since(since)
    except AgentAssistError as exc:
        raise HTTPException(422, f"since: {exc}") from None
    return reports.sop_report(state.db, start)


@router.get("/reports/compare")
def report_compare(
    sop_id: Annotated[str, Query(max_length=200)],
    a: Version,
    b: Version,
    caller: LeadCaller,
    state: Hub,
) -> dict[str, Any]:
    """Median handle time of version b minus version a, with a bootstrap 95 % interval."""
    return reports.compare_versions(state.db, sop_id, a, b)


@router.get("/tokens")
def list_tokens(caller: AdminCaller, state: Hub) -> dict[str, Any]:
    return {"tokens": auth.list_tokens(state.db)}


@router.post("/tokens", status_code=201)
def create_token(body: TokenIn, caller: AdminCaller, state: Hub) -> dict[str, str]:
    """Create a token; the response is the only place the token is ever shown."""
    token = auth.create_token(state.db, body.name, body.parsed_role)
    return {"name": body.name, "role": body.role, "token": token}


@router.delete("/tokens/{name}")
def revoke_token(name: Short, caller: AdminCaller, state: Hub) -> dict[str, str]:
    auth.revoke_token(state.db, name)
    state.tokens.clear()
    return {"revoked": name}
