"""Events ingest (exactly-once, validation, ownership), acknowledgements, shared learning."""

from __future__ import annotations

import concurrent.futures
import uuid
from typing import Any

import httpx

from tests.conftest import TINY_PACK
from tests.integration import hubserver
from tests.integration.hubserver import RunningHub, publish_body, session_events

hub = hubserver.hub


def _post(hub: RunningHub, events: list[dict[str, Any]], role: str = "agent") -> httpx.Response:
    return httpx.post(f"{hub.url}/v1/events", json={"events": events}, headers=hub.auth(role))


def _stored(hub: RunningHub) -> float:
    metrics = httpx.get(f"{hub.url}/metrics").text
    line = next(x for x in metrics.splitlines() if x.startswith("hub_events_stored "))
    return float(line.split()[1])


def test_events_are_stored_exactly_once(hub: RunningHub) -> None:
    agent = hub.names["agent"]
    batch = [e for _ in range(4) for e in session_events(agent, "coin-refund", 1, 300)]
    first = _post(hub, batch[:12])
    assert first.status_code == 200, first.text
    assert first.json() == {"accepted": 12, "duplicates": 0}
    assert _post(hub, batch[:12]).json() == {"accepted": 0, "duplicates": 12}
    assert _post(hub, batch).json() == {"accepted": 8, "duplicates": 12}
    with concurrent.futures.ThreadPoolExecutor(8) as pool:  # racing retries of one batch
        results = list(pool.map(lambda _: _post(hub, batch), range(8)))
    assert all(r.status_code == 200 for r in results)
    assert sum(r.json()["accepted"] for r in results) == 0
    assert _stored(hub) == len(batch)


def test_events_are_validated_field_by_field(hub: RunningHub) -> None:
    agent = hub.names["agent"]
    good = session_events(agent, "coin-refund", 1, 60)[0]
    for field, value in [("ticket", "T-1"), ("note", "customer said x")]:
        response = _post(hub, [{**good, field: value}])
        assert response.status_code == 422
        assert f"events[0]: field '{field}' must never leave the workstation" in response.text
    cases = [
        ({**good, "id": "not-a-uuid"}, "events[0].id"),
        ({**good, "type": "coffee_break"}, "events[0].type"),
        ({**good, "mono": "soon"}, "events[0].mono"),
        ({**good, "wall": "2026-11-02T09:00:00"}, "events[0].wall"),
        ({**good, "colour": "red"}, "events[0].colour"),
        ({k: v for k, v in good.items() if k != "session_id"}, "events[0].session_id"),
    ]
    for event, field in cases:
        response = _post(hub, [event])
        assert response.status_code == 422, (field, response.text)
        assert response.json()["error"] == "invalid"
        assert field in response.json()["message"], response.text

    other = {**good, "id": str(uuid.uuid4()), "agent_id": "someone-else"}
    forbidden = _post(hub, [other])
    assert forbidden.status_code == 403 and "events[0].agent_id" in forbidden.text
    assert _post(hub, [other], role="lead").json() == {"accepted": 1, "duplicates": 0}

    many = [{**good, "id": str(uuid.uuid4())} for _ in range(501)]
    too_many = _post(hub, many)
    assert too_many.status_code == 413 and "at most 500" in too_many.json()["message"]
    huge = {**good, "query": "x" * 3000}
    too_big = _post(hub, [{**huge, "id": str(uuid.uuid4())} for _ in range(400)])
    assert too_big.status_code == 413 and too_big.json()["error"] == "too_large"


def test_events_free_text_is_scrubbed_again(hub: RunningHub) -> None:
    agent = hub.names["agent"]
    event = session_events(agent, "coin-refund", 1, 60)[0]
    event["query"] = "refund for jane@example.com please"
    assert _post(hub, [event]).json()["accepted"] == 1
    from agent_assist.hub.db import Database

    db = Database.open(hub.database_url, hub.data_dir)
    try:
        with db.read() as tx:
            body = tx.execute("SELECT body FROM events WHERE id = ?", (event["id"],)).fetchone()
    finally:
        db.close()
    assert "jane@example.com" not in body[0] and "[email]" in body[0]


def test_acknowledgement_coverage(hub: RunningHub) -> None:
    httpx.post(
        f"{hub.url}/v1/publish", json=publish_body(TINY_PACK), headers=hub.auth("lead")
    ).raise_for_status()
    other = hub.create_token("agent-cleo", "agent")
    ack = {"sop_id": "coin-refund", "version": 1}
    assert httpx.post(f"{hub.url}/v1/acks", json=ack, headers=hub.auth("agent")).json()["new"]
    again = httpx.post(f"{hub.url}/v1/acks", json=ack, headers=hub.auth("agent")).json()
    assert again["new"] is False
    coverage = httpx.get(
        f"{hub.url}/v1/acks", params={"sop_id": "coin-refund"}, headers=hub.auth("lead")
    ).json()
    assert coverage == {
        "sop_id": "coin-refund",
        "version": 1,
        "acknowledged": [hub.names["agent"]],
        "agents": 2,
        "coverage": 0.5,
    }
    httpx.post(f"{hub.url}/v1/acks", json=ack, headers=hub.auth(other))
    coverage = httpx.get(
        f"{hub.url}/v1/acks", params={"sop_id": "coin-refund"}, headers=hub.auth("lead")
    ).json()
    assert coverage["coverage"] == 1.0


def test_learned_phrasings_need_distinct_agents(hub: RunningHub) -> None:
    url = f"{hub.url}/v1"
    tokens = [hub.tokens["agent"], *(hub.create_token(f"agent-{i}", "agent") for i in range(3))]
    set_threshold = httpx.put(
        f"{url}/settings/learn_threshold", json={"value": 3}, headers=hub.auth("lead")
    )
    assert set_threshold.status_code == 200
    pair = {
        "query": "Coins  vanished, call me on +44 7700 900123",
        "kind": "sop",
        "id": "coin-refund",
    }

    def choose(token: str) -> None:
        response = httpx.post(f"{url}/feedback", json={"pairs": [pair]}, headers=hub.auth(token))
        response.raise_for_status()

    for _ in range(3):
        choose(tokens[0])  # one agent, many times: not enough
    choose(tokens[1])
    assert httpx.get(f"{url}/learned", headers=hub.auth("agent")).json()["phrasings"] == []
    choose(tokens[2])
    learned = httpx.get(f"{url}/learned", headers=hub.auth("agent")).json()
    assert learned["phrasings"] == [
        {
            "seq": 1,
            "sop_id": "coin-refund",
            "text": "coins vanished, call me on [phone]",
            "count": 3,
        }
    ]
    assert learned["cursor"] == 1
    later = httpx.get(f"{url}/learned", params={"since": 1}, headers=hub.auth("agent")).json()
    assert later == {"phrasings": [], "cursor": 1}

    other = {"query": "where did my coins go", "kind": "sop", "id": "coin-refund"}
    httpx.post(f"{url}/feedback", json={"pairs": [other]}, headers=hub.auth(tokens[3]))
    lowered = httpx.put(
        f"{url}/settings/learn_threshold", json={"value": 1}, headers=hub.auth("lead")
    ).json()
    assert lowered == {"value": 1, "learned": 1}
