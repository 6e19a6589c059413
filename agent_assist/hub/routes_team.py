"""Team endpoints: events, acknowledgements, shared learning, reports, tokens, the team's
key for ticket hashes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response

from agent_assist.core.errors import AgentAssistError
from agent_assist.hub import auth, learning, reports, team_secret
from agent_assist.hub.auth import Role
from agent_assist.hub.models import (
    NO_NUL,
    SINCE_PATTERN,
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
    if caller.role < Role.LEAD:
        for i, event in enumerate(body.events):
            if event.agent_id != caller.name:
                raise HTTPException(
                    403,
                    f"events[{i}].agent_id: '{event.agent_id}' is not the caller "
                    f"'{caller.name}' (agents upload only their own events)",
                )
    accepted, duplicates = state.events.store([e.stored() for e in body.events])
    return {"accepted": accepted, "duplicates": duplicates}


@router.post("/acks")
def ack(body: AckIn, caller: AgentCaller, state: Hub) -> dict[str, Any]:
    new = learning.record_ack(state.db, caller.name, body.sop_id, body.version)
    return {"sop_id": body.sop_id, "version": body.version, "new": new}


@router.get("/acks")
def ack_coverage(
    sop_id: Annotated[str, Query(max_length=200, pattern=NO_NUL)],
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
    since: Annotated[str | None, Query(max_length=60, pattern=SINCE_PATTERN)] = None,
) -> dict[str, Any]:
    """Per SOP version: sessions, median/p90 handle time, steps, skips, branches, outcomes,
    acknowledgement coverage."""
    try:
        start = reports.parse_since(since)
        if start is not None:
            start.astimezone(dt.UTC)  # 0001-01-01T00:00+14:00 parses, but is before year 1
    except (AgentAssistError, OverflowError, ValueError) as exc:
        raise HTTPException(422, f"since: {exc or 'out of range'}") from None
    return reports.sop_report(state.db, start)


@router.get("/reports/compare")
def report_compare(
    sop_id: Annotated[str, Query(max_length=200, pattern=NO_NUL)],
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
def create_token(body: TokenIn, caller: AdminCaller, state: Hub) -> dict[str, str | None]:
    """Create a token; the response is the only place the token is ever shown."""
    token = auth.create_token(state.db, body.name, body.parsed_role, body.expires_at)
    expires = auth.time_text(body.expires_at) if body.expires_at else None
    return {"name": body.name, "role": body.role, "token": token, "expires_at": expires}


@router.delete("/tokens/{name}")
def revoke_token(name: Short, caller: AdminCaller, state: Hub) -> dict[str, str]:
    auth.revoke_token(state.db, name)  # every replica refuses it from its next request on
    return {"revoked": name}


@router.get("/team/secret")
def get_team_secret(caller: AgentCaller, state: Hub, response: Response) -> dict[str, str]:
    """The team's current key for ticket hashes (made on first need); agents hash with it
    so one ticket hashes alike on every workstation."""
    key = team_secret.current_key(state.db)
    response.headers["Cache-Control"] = "no-store"
    return {"key_id": key.key_id, "secret": key.hex}


@router.post("/team/secret/rotate")
def rotate_team_secret(caller: AdminCaller, state: Hub) -> dict[str, str | None]:
    """A new current key; old keys stay, so hashes made under them remain attributable."""
    key, previous = team_secret.rotate(state.db)
    return {"key_id": key.key_id, "previous": previous}
