"""Out-of-range numbers and times in a request are a 422 naming the field, never a 500."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration import hubserver
from tests.integration.hubserver import RunningHub, session_events

shared_hub = hubserver.shared_hub

WEEK = 7 * 24 * 3600


def _event(hub: RunningHub, **changes: Any) -> dict[str, Any]:
    event = session_events(hub.names["agent"], "bounds", 1, 60)[-1]  # ticket_ended
    return {**event, "id": str(uuid.uuid4()), **changes}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"wall": "0001-01-01T00:00:00+14:00"}, "wall"),  # a 500 (OverflowError) before
        ({"wall": "9999-12-31T23:59:59-14:00"}, "wall"),
        ({"wall": "1999-12-31T23:59:59Z"}, "wall"),
        ({"wall": "2100-01-01T00:00:00Z"}, "wall"),
        ({"wall": 1_790_000_000}, "wall"),  # a number is not an ISO time
        ({"counted_seconds": 5e299}, "counted_seconds"),  # made a median of 5e299 s
        ({"counted_seconds": WEEK + 1}, "counted_seconds"),
        ({"counted_seconds": -1}, "counted_seconds"),
        ({"counted_seconds": "60"}, "counted_seconds"),
        ({"mono": 1e300}, "mono"),
        ({"rank": 10_001}, "rank"),
        ({"rank": True}, "rank"),
        ({"sop_version": 0}, "sop_version"),
        ({"sop_version": "3"}, "sop_version"),
        ({"sop_id": "a\x00b"}, "sop_id"),  # PostgreSQL cannot store NUL: a 500 there before
        ({"reason": "x" * 4001}, "reason"),
    ],
)
def test_out_of_range_event_fields_are_422(
    shared_hub: RunningHub, changes: dict[str, Any], field: str
) -> None:
    response = shared_hub.http.post(
        "/v1/events",
        json={"events": [_event(shared_hub, **changes)]},
        headers=shared_hub.auth("agent"),
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid"
    assert f"events[0].{field}" in response.json()["message"]


def test_the_edges_of_the_ranges_are_accepted(shared_hub: RunningHub) -> None:
    events = [
        _event(shared_hub, wall="2000-01-01T00:00:00+14:00", counted_seconds=WEEK),
        _event(shared_hub, wall="2099-12-31T23:59:59-14:00", counted_seconds=0),
        _event(shared_hub, rank=10_000, sop_version=3.0),  # JSON's 3.0 is the integer 3
    ]
    response = shared_hub.http.post(
        "/v1/events", json={"events": events}, headers=shared_hub.auth("agent")
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": 3, "duplicates": 0}
    report = shared_hub.http.get("/v1/reports/sops", headers=shared_hub.auth("lead"))
    assert report.status_code == 200


@pytest.mark.parametrize(
    "since", ["0001-01-01T00:00:00+14:00", "99999999w", "2026-02-30", "last tuesday", "7d\n"]
)
def test_out_of_range_report_spans_are_422(shared_hub: RunningHub, since: str) -> None:
    response = shared_hub.http.get(
        "/v1/reports/sops", params={"since": since}, headers=shared_hub.auth("lead")
    )
    assert response.status_code == 422, response.text
    assert "since" in response.json()["message"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/acks", {"sop_id": "x", "version": 2**31 + 1}),
        ("/v1/acks", {"sop_id": "x", "version": "1"}),
        ("/v1/settings/learn_threshold", {"value": 10_001}),
        (
            "/v1/publish",
            {"pack": {"name": "x", "pack_yaml": "name: x\n"}, "files": [], "prune": "yes"},
        ),
        ("/v1/tokens", {"name": "t", "role": "agent", "expires_at": "1970-01-01T00:00:00Z"}),
        ("/v1/tokens", {"name": "a\x00", "role": "agent"}),
    ],
)
def test_other_bounds_are_422(shared_hub: RunningHub, path: str, body: dict[str, Any]) -> None:
    method = "PUT" if "settings" in path else "POST"
    response = shared_hub.http.request(method, path, json=body, headers=shared_hub.auth("admin"))
    assert response.status_code == 422, response.text
