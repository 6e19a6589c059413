"""Personal data in events never reaches the hub (security review issue 11, item 3): the
client uploads only the allow-list (``core/worklog/shareable.py``) with every free-text field
scrubbed, and the hub refuses any other field and scrubs again on ingest.  Real hub, real
client."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx

from agent_assist.core.worklog import shareable
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.events import Event, EventLog, EventType, Outcome
from agent_assist.hub.db import Database
from agent_assist.hub.models import EventIn
from agent_assist.sync.client import HubClient, make_http
from agent_assist.sync.push import push_events
from tests.integration import hubserver
from tests.integration.hubserver import RunningHub, session_events

hub = hubserver.hub

CARD = "4111 1111 1111 1111"
IBAN = "DE89 3704 0044 0532 0130 00"


def _stored(hub: RunningHub) -> dict[str, dict[str, Any]]:
    db = Database.open(hub.database_url, hub.data_dir)
    try:
        with db.read() as tx:
            rows = tx.execute("SELECT id, body FROM events").fetchall()
    finally:
        db.close()
    return {str(row[0]): json.loads(row[1]) for row in rows}


def test_the_hub_model_is_the_allow_list() -> None:
    assert set(EventIn.model_fields) == shareable.FIELDS
    assert {"ticket", "note"}.isdisjoint(shareable.FIELDS)


def test_a_card_in_choice_note_and_ticket_never_reaches_the_hub(
    hub: RunningHub, tmp_path: Path
) -> None:
    clock, session = FakeClock(), str(uuid.uuid4())
    agent = hub.names["agent"]

    def event(kind: EventType, **fields: Any) -> Event:
        clock.advance(5)
        return Event(kind, clock.now(), agent, ticket=f"Card {CARD}", session_id=session, **fields)

    events = [
        event(EventType.TICKET_STARTED),
        event(EventType.STEP_ENTERED, step_id=f"pay {CARD}"),
        event(
            EventType.CHOICE_TAKEN,
            step_id="pay",
            choice=f"Card {CARD}",
            note=f"customer read {CARD} twice, call her on +44 20 7946 0958",
        ),
        event(EventType.STEP_SKIPPED, step_id="refund", reason=f"refund to IBAN {IBAN}"),
        event(EventType.NO_MATCH_REPORTED, query="card 4111111111111111 jane@example.com"),
        event(EventType.TICKET_ENDED, outcome=Outcome.RESOLVED),
    ]
    with EventLog.in_dir(tmp_path) as log:
        log.append(*events)
        (choice,) = log.events_of_type(agent, EventType.CHOICE_TAKEN)
        # the note stays on the workstation, but without the card number
        assert choice.note == "customer read [card] twice, call her on +44 20 7946 0958"
        with HubClient(make_http(hub.url), hub.tokens["agent"]) as client:
            result = push_events(client, log, agent, client.team_secret(), "2026-01-05T10:00Z")
        assert (result.events, result.rejected) == (len(events), 0)

    stored = _stored(hub)
    assert set(stored) == {e.id for e in events}
    for body in stored.values():
        assert set(body) <= shareable.FIELDS
        assert "ticket" not in body and "note" not in body
        assert body["ticket_hash"].startswith("t1-")
        text = json.dumps(body)
        for secret in ("4111 1111", "4111111111111111", "3704 0044", "jane@", "7946"):
            assert secret not in text, body
    by_type = {body["type"]: body for body in stored.values()}
    assert by_type["step_entered"]["step_id"] == "pay [card]"
    assert by_type["choice_taken"]["choice"] == "Card [card]"
    assert by_type["step_skipped"]["reason"] == "refund to IBAN [iban]"
    assert by_type["no_match_reported"]["query"] == "card [card] [email]"


def test_the_hub_refuses_fields_off_the_allow_list(hub: RunningHub) -> None:
    good = session_events(hub.names["agent"], "coin-refund", 1, 60)[0]
    for name, value in [("customer_email", "jane@example.com"), ("ticket_id", "T-1")]:
        response = httpx.post(
            f"{hub.url}/v1/events",
            json={"events": [{**good, name: value}]},
            headers=hub.auth("agent"),
        )
        assert response.status_code == 422, response.text
        assert f"events[0].{name}" in response.json()["message"]
    assert _stored(hub) == {}


def test_the_hub_scrubs_every_free_text_field_of_an_unscrubbed_upload(hub: RunningHub) -> None:
    """An old or faulty client sends raw text: the hub scrubs each free-text field itself."""
    base = session_events(hub.names["agent"], "coin-refund", 1, 60)[2]  # a step event
    raw = {
        "sop_id": "coin-refund",
        "step_id": "call 07700 900123",
        "choice": f"Card {CARD}",
        "macro_id": "macro for bob [at] example [dot] com",
        "reason": "DOB 1985-03-12, SSN 123-45-6789",
        "query": f"refund to {IBAN} for my son Tom Baker",
    }
    response = httpx.post(
        f"{hub.url}/v1/events", json={"events": [{**base, **raw}]}, headers=hub.auth("agent")
    )
    assert response.json() == {"accepted": 1, "duplicates": 0}, response.text
    body = _stored(hub)[base["id"]]
    assert {name: body[name] for name in raw} == {
        "sop_id": "coin-refund",
        "step_id": "call [phone]",
        "choice": "Card [card]",
        "macro_id": "macro for [email]",
        "reason": "DOB [dob], SSN [id]",
        "query": "refund to [iban] for my son [name]",
    }
