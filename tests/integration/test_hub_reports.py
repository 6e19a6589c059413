"""Reports for leads from uploaded events, and version comparison with a bootstrap CI."""

from __future__ import annotations

import json
import random
import subprocess
from typing import Any

from tests.integration import hubserver
from tests.integration.hubserver import RunningHub, session_events

hub = hubserver.hub


def _upload(hub: RunningHub, events: list[dict[str, Any]]) -> None:
    for start in range(0, len(events), 500):
        response = hub.http.post(
            "/v1/events", json={"events": events[start : start + 500]}, headers=hub.auth("lead")
        )
        assert response.status_code == 200, response.text


def test_reports_and_version_comparison(hub: RunningHub) -> None:
    rng = random.Random(7)
    events = []
    for i in range(30):  # version 1: around 10 minutes; version 2: around 6 minutes
        events += session_events(f"agent-{i % 5}", "coin-refund", 1, rng.uniform(500, 700))
        events += session_events(f"agent-{i % 5}", "coin-refund", 2, rng.uniform(300, 420))
    for _ in range(3):
        events += session_events("agent-0", "hacked-account", 1, 200, outcome="escalated")
        events += session_events("agent-0", "hacked-account", 2, 180)
    _upload(hub, events)

    report = hub.http.get("/v1/reports/sops", headers=hub.auth("lead"))
    assert report.status_code == 200, report.text
    rows = {(r["sop_id"], r["version"]): r for r in report.json()["sops"]}
    v1 = rows[("coin-refund", 1)]
    assert v1["sessions"] == 30 and 500 <= v1["median_seconds"] <= 700
    assert v1["p90_seconds"] >= v1["median_seconds"]
    assert v1["outcomes"] == {"resolved": 30}
    assert v1["steps"][0]["step_id"] == "check" and v1["steps"][0]["skip_rate"] == 0
    assert rows[("hacked-account", 1)]["escalation_rate"] == 1.0

    enough = hub.http.get(
        "/v1/reports/compare",
        params={"sop_id": "coin-refund", "a": 1, "b": 2},
        headers=hub.auth("lead"),
    ).json()
    assert enough["enough_data"] is True
    assert enough["n_a"] == 30 and enough["n_b"] == 30
    low, high = enough["ci95"]
    assert low <= enough["difference"] <= high < 0  # version 2 is clearly faster
    assert "faster" in enough["message"]

    thin = hub.http.get(
        "/v1/reports/compare",
        params={"sop_id": "hacked-account", "a": 1, "b": 2},
        headers=hub.auth("lead"),
    ).json()
    assert thin["enough_data"] is False and thin["ci95"] is None
    assert thin["n_a"] == 3 and thin["n_b"] == 3
    assert "Too little data" in thin["message"]

    cli = subprocess.run(
        hub.command("report", "compare", "--sop", "coin-refund", "-a", "1", "-b", "2"),
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["ci95"] == enough["ci95"]  # seeded: the same answer
