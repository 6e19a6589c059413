"""Reports for leads from uploaded events: version comparison with a bootstrap CI, steps in
checklist order with their text, unknown SOPs, sessions on content this hub never published,
quality beside speed, and the CLI's table/csv/json."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import subprocess
import time
import uuid
from typing import Any

from agent_assist.core.privacy import TeamKey
from agent_assist.core.worklog.clock import Instant
from agent_assist.core.worklog.events import Event, EventType, Outcome
from agent_assist.hub.report_format import SOPS_CSV
from tests.integration import hubserver
from tests.integration.hubserver import RunningHub, publish_body, session_events

hub = hubserver.hub
KEY = TeamKey("test", b"team-secret".ljust(32, b"-"))
PACK = "name: report-pack\n"
DUPLICATE = """---
id: duplicate-charge
title: Duplicate charge
steps:
  - id: find
    text: Find all payments around that date.
  - id: type
    text: What do you see?
    choices:
      - {label: Two completed payments, next: double}
      - {label: Pending authorisation, next: end}
  - id: double
    text: Refund the duplicate payment in full.
  - id: notify
    text: Tell the customer when the refund lands.
---
Body.
"""


def _sop(sop_id: str, extra: str = "") -> str:
    return (
        f"---\nid: {sop_id}\ntitle: {sop_id}{extra}\nsteps:\n"
        "  - id: check\n    text: Check the account.\n---\nBody.\n"
    )


def _publish(hub: RunningHub, files: dict[str, str]) -> None:
    response = hub.http.post(
        "/v1/publish", json=publish_body({"pack.yaml": PACK, **files}), headers=hub.auth("lead")
    )
    assert response.status_code == 200, response.text


def _upload(hub: RunningHub, events: list[dict[str, Any]]) -> None:
    for start in range(0, len(events), 500):
        response = hub.http.post(
            "/v1/events", json={"events": events[start : start + 500]}, headers=hub.auth("lead")
        )
        assert response.status_code == 200, response.text


def _next_second() -> None:
    """The hub keeps publish and receipt times to the second: uploads that must reach it
    before a publish need the clock to have moved on (at most one second)."""
    mark = int(time.time())
    while int(time.time()) == mark:
        time.sleep(0.02)


def _session(
    agent: str,
    sop_id: str,
    version: int,
    steps: list[tuple[str, float]],
    ticket: str | None = None,
    choice: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One ended session running ``steps`` (id, seconds) in that order."""
    wall = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    run, session = uuid.uuid4().hex, uuid.uuid4().hex
    ticket = ticket or f"T-{uuid.uuid4().hex[:8]}"
    offset = 0.0

    def ev(kind: EventType, **fields: Any) -> Event:
        at = Instant(wall + dt.timedelta(seconds=offset), offset, run)
        return Event(kind, at, agent, ticket=ticket, session_id=session, **fields)

    sop = {"sop_id": sop_id, "sop_version": version}
    events = [ev(EventType.TICKET_STARTED), ev(EventType.CHECKLIST_STARTED, **sop)]
    for step_id, seconds in steps:
        events.append(ev(EventType.STEP_ENTERED, step_id=step_id, **sop))
        offset += seconds
        label = (choice or {}).get(step_id)
        if label:
            events.append(ev(EventType.CHOICE_TAKEN, step_id=step_id, choice=label, **sop))
        else:
            events.append(ev(EventType.STEP_COMPLETED, step_id=step_id, **sop))
    offset += 1
    events.append(ev(EventType.TICKET_ENDED, outcome=Outcome.RESOLVED))
    return [e.to_shareable(KEY) for e in events]


def _quality(ticket: str, satisfaction: float | None, reopened: bool | None) -> dict[str, Any]:
    at = Instant(dt.datetime(2026, 11, 9, 9, 0, tzinfo=dt.UTC), 0.0, "connector")
    event = Event(
        EventType.TICKET_QUALITY,
        at,
        "agent-q",
        ticket=ticket,
        satisfaction=satisfaction,
        reopened=reopened,
    )
    return event.to_shareable(KEY)


def _report(hub: RunningHub, **params: Any) -> dict[str, Any]:
    response = hub.http.get("/v1/reports/sops", params=params, headers=hub.auth("lead"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _cli(hub: RunningHub, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(hub.command("report", *args), capture_output=True, text=True)


def test_reports_and_version_comparison(hub: RunningHub) -> None:
    _publish(
        hub, {"sops/coin-refund.md": _sop("coin-refund"), "sops/hacked.md": _sop("hacked-account")}
    )
    _publish(
        hub,
        {
            "sops/coin-refund.md": _sop("coin-refund", " v2"),
            "sops/hacked.md": _sop("hacked-account", " v2"),
        },
    )
    rng = random.Random(7)
    events = []
    for i in range(30):  # version 1: around 10 minutes; version 2: around 6 minutes
        events += session_events(f"agent-{i % 5}", "coin-refund", 1, rng.uniform(500, 700))
        events += session_events(f"agent-{i % 5}", "coin-refund", 2, rng.uniform(300, 420))
    for _ in range(3):
        events += session_events("agent-0", "hacked-account", 1, 200, outcome="escalated")
        events += session_events("agent-0", "hacked-account", 2, 180)
    _upload(hub, events)

    rows = {(r["sop_id"], r["version"]): r for r in _report(hub)["sops"]}
    v1 = rows[("coin-refund", 1)]
    assert v1["sessions"] == 30 and 500 <= v1["median_seconds"] <= 700
    assert v1["p90_seconds"] >= v1["median_seconds"]
    assert v1["outcomes"] == {"resolved": 30}
    assert v1["steps"][0]["step_id"] == "check" and v1["steps"][0]["skip_rate"] == 0
    assert v1["steps"][0]["text"] == "Check the account."
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
    assert enough["summary"].startswith("v2 cut median handle time by ")
    rel_low, rel_high = enough["ci95_relative"]
    assert rel_low <= enough["relative_difference"] <= rel_high < 0

    thin = hub.http.get(
        "/v1/reports/compare",
        params={"sop_id": "hacked-account", "a": 1, "b": 2},
        headers=hub.auth("lead"),
    ).json()
    assert thin["enough_data"] is False and thin["ci95"] is None
    assert thin["n_a"] == 3 and thin["n_b"] == 3
    assert "Too little data" in thin["message"]
    assert thin["summary"] == "not enough data yet: n = 3 and 3; about 10 per version needed"

    cli = _cli(hub, "compare", "--sop", "coin-refund", "-a", "1", "-b", "2", "--format", "json")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["ci95"] == enough["ci95"]  # seeded: the same answer


def test_steps_are_listed_with_their_text_in_checklist_order(hub: RunningHub) -> None:
    _publish(hub, {"sops/duplicate-charge.md": DUPLICATE})
    choice = {"type": "Two completed payments"}
    events = []
    for _ in range(4):
        steps = [("find", 30.0), ("type", 10.0), ("double", 50.0)]
        events += _session("agent-1", "duplicate-charge", 1, steps, choice=choice)
    events += _session("agent-2", "duplicate-charge", 1, [("find", 20.0), ("ad-hoc", 5.0)])
    _upload(hub, events)
    (row,) = _report(hub)["sops"]
    assert (row["title"], row["source"], row["published_at"] is not None) == (
        "Duplicate charge",
        "hub",
        True,
    )
    listed = [(s["position"], s["step_id"], s["text"], s["count"]) for s in row["steps"]]
    assert listed == [
        (1, "find", "Find all payments around that date.", 5),
        (2, "type", "What do you see?", 4),
        (3, "double", "Refund the duplicate payment in full.", 4),
        (4, "notify", "Tell the customer when the refund lands.", 0),  # never reached
        (None, "ad-hoc", None, 1),  # run, but not in this version's checklist
    ]
    assert row["steps"][0]["median_seconds"] == 30.0 and row["steps"][0]["p90_seconds"] > 28
    assert row["steps"][1]["branches"] == {"Two completed payments": 1.0}
    assert row["steps"][3]["median_seconds"] is None

    table = _cli(hub, "sops")
    assert table.returncode == 0, table.stderr
    out = table.stdout
    order = [
        out.index(t)
        for t in (
            "Find all payments",
            "What do you see",
            "Refund the dup",
            "Tell the customer",
            "(ad-hoc)",
        )
    ]
    assert order == sorted(order)
    assert "Duplicate charge" in out and "quality: no ratings or reopen data yet" in out

    rows = list(csv.reader(io.StringIO(_cli(hub, "sops", "--format", "csv").stdout)))
    assert tuple(rows[0]) == SOPS_CSV
    by = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [r["step_id"] for r in by] == ["find", "type", "double", "notify", "ad-hoc"]
    assert by[0]["step_text"] == "Find all payments around that date."
    assert by[1]["step_branches"] == "Two completed payments=1.0"

    as_json = json.loads(_cli(hub, "sops", "--format", "json").stdout)
    assert as_json["sops"] == _report(hub)["sops"]


def test_an_unknown_sop_or_version_is_an_error(hub: RunningHub) -> None:
    _publish(hub, {"sops/duplicate-charge.md": DUPLICATE})
    cases: list[tuple[dict[str, str | int], str]] = [
        ({"sop_id": "nope", "a": 1, "b": 2}, "unknown SOP: nope"),
        (
            {"sop_id": "duplicate-charge", "a": 1, "b": 5},
            "unknown version: SOP duplicate-charge has no version 5 on this hub (published: 1)",
        ),
    ]
    for params, message in cases:
        response = hub.http.get("/v1/reports/compare", params=params, headers=hub.auth("lead"))
        assert response.status_code == 404, response.text
        assert response.json()["message"] == message
    cli = _cli(hub, "compare", "--sop", "nope", "-a", "1", "-b", "2")
    assert cli.returncode == 1
    assert cli.stdout == "" and cli.stderr.strip() == "agent-assist-hub: unknown SOP: nope"


def test_sessions_on_content_never_published_here_are_reported_apart(hub: RunningHub) -> None:
    before = [_session("agent-1", "coin-refund", 1, [("check", 40.0)]) for _ in range(3)]
    _upload(hub, [e for s in before for e in s])  # the bundled demo's own version 1
    _next_second()
    _publish(hub, {"sops/coin-refund.md": _sop("coin-refund")})
    _next_second()
    after = [_session("agent-1", "coin-refund", 1, [("check", 90.0)]) for _ in range(2)]
    local = _session("agent-2", "local-only", 1, [("check", 10.0)])
    newer = _session("agent-2", "coin-refund", 3, [("check", 20.0)])
    _upload(hub, [e for s in [*after, local, newer] for e in s])

    report = _report(hub)
    hub_rows = {(r["sop_id"], r["version"]): r for r in report["sops"]}
    assert list(hub_rows) == [("coin-refund", 1)]
    assert hub_rows[("coin-refund", 1)]["sessions"] == 2
    assert hub_rows[("coin-refund", 1)]["median_seconds"] == 91.0
    apart = {(r["sop_id"], r["version"]): r for r in report["unpublished"]}
    assert {k: (r["sessions"], r["unpublished_reason"], r["source"]) for k, r in apart.items()} == {
        ("coin-refund", 1): (3, "run before version 1 was published here", "unpublished"),
        ("coin-refund", 3): (1, "version 3 was never published to this hub", "unpublished"),
        ("local-only", 1): (1, "never published to this hub", "unpublished"),
    }
    assert apart[("coin-refund", 1)]["published_at"] is None
    assert report["sessions"] == 7

    compared = hub.http.get(
        "/v1/reports/compare",
        params={"sop_id": "coin-refund", "a": 1, "b": 1},
        headers=hub.auth("lead"),
    ).json()
    assert compared["n_a"] == 2  # the sessions before the publish are not hub version 1
    table = _cli(hub, "sops").stdout
    assert table.index("Not from this hub") < table.index("run before version 1 was published")


def test_quality_per_version_joins_sessions_on_the_ticket_hash(hub: RunningHub) -> None:
    _publish(hub, {"sops/coin-refund.md": _sop("coin-refund")})
    _publish(hub, {"sops/coin-refund.md": _sop("coin-refund", " v2")})
    events = []
    for i in range(4):
        events += _session("agent-1", "coin-refund", 1, [("check", 60.0)], ticket=f"A-{i}")
        events += _session("agent-1", "coin-refund", 2, [("check", 30.0)], ticket=f"B-{i}")
    events += _session("agent-2", "coin-refund", 2, [("check", 30.0)], ticket="B-0")  # again
    signals = [
        _quality("A-0", 1.0, False),
        _quality("A-1", 1.0, False),
        _quality("A-2", 0.0, None),  # rated, reopen unknown
        _quality("B-0", 1.0, None),
        _quality("B-0", None, True),  # later: the ticket came back
        _quality("B-1", 0.0, False),
        _quality("B-2", 0.5, False),
        _quality("unrelated", 0.0, True),
    ]
    _upload(hub, events + signals)

    rows = {r["version"]: r for r in _report(hub, sop_id="coin-refund")["sops"]}
    assert rows[1]["quality"] == {
        "n": 3,
        "reopened_n": 0,
        "reopen_known": 2,
        "reopen_rate": 0.0,
        "satisfaction_n": 3,
        "satisfaction_mean": 0.6667,
    }
    assert rows[2]["quality"] == {  # B-0 counted once though two sessions worked it
        "n": 3,
        "reopened_n": 1,
        "reopen_known": 3,
        "reopen_rate": 0.3333,
        "satisfaction_n": 3,
        "satisfaction_mean": 0.5,
    }
    assert rows[1]["median_seconds"] == 61.0  # a quality signal adds no handle time
    compared = hub.http.get(
        "/v1/reports/compare",
        params={"sop_id": "coin-refund", "a": 1, "b": 2},
        headers=hub.auth("lead"),
    ).json()
    assert compared["quality_a"] == rows[1]["quality"]
    assert compared["quality_b"] == rows[2]["quality"]
    table = _cli(hub, "compare", "--sop", "coin-refund", "-a", "1", "-b", "2").stdout
    assert "reopened" in table and "33%" in table and "0.50" in table
    assert "not enough data yet: n = 4 and 5" in table
    rows_csv = list(
        csv.DictReader(
            io.StringIO(
                _cli(
                    hub, "compare", "--sop", "coin-refund", "-a", "1", "-b", "2", "--format", "csv"
                ).stdout
            )
        )
    )
    assert len(rows_csv) == 1
    assert (rows_csv[0]["n_a"], rows_csv[0]["n_b"], rows_csv[0]["reopen_rate_b"]) == (
        "4",
        "5",
        "0.3333",
    )


def test_gaps_report_lists_both_kinds_of_gap(hub: RunningHub) -> None:
    at = Instant(dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC), 0.0, "r")
    gaps = [
        Event(EventType.NO_MATCH_REPORTED, at, "agent-1", query="promo code does not work"),
        Event(EventType.SEARCH_ABANDONED, at, "agent-2", query="promo code does not work"),
        Event(EventType.SEARCH_ABANDONED, at, "agent-2", query="username change, jo@x.com"),
    ]
    _upload(hub, [g.to_shareable(KEY) for g in gaps])
    rows = list(csv.DictReader(io.StringIO(_cli(hub, "gaps", "--format", "csv").stdout)))
    by_query = {r["query"]: r for r in rows}
    assert by_query["promo code does not work"]["count"] == "2"
    assert by_query["promo code does not work"]["sources"] == "no_match_reported;search_abandoned"
    assert "username change, [email]" in by_query
    table = _cli(hub, "gaps")
    assert table.returncode == 0, table.stderr
    assert "promo code does not work" in table.stdout and "jo@x.com" not in table.stdout
    as_json = json.loads(_cli(hub, "gaps", "--format", "json").stdout)
    assert sum(g["count"] for g in as_json["groups"]) == 3
