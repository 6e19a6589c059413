"""Reports on a known set of tickets recorded through the session API on a fake clock."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from pathlib import Path

import pytest

from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.durations import SessionTiming, SopRef, timings
from agent_assist.core.worklog.events import EventLog, Outcome
from agent_assist.core.worklog.reports import Report, build_report, percentile, stats
from agent_assist.core.worklog.sessions import SessionService

V1, V2 = SopRef("refund", 1), SopRef("refund", 2)


@pytest.fixture
def ended(tmp_path: Path) -> list[SessionTiming]:
    """T1 100 s (v1), T2 200 s (v1, a step skipped), T3 60 s (no SOP), T4 300 s (v2)."""
    clock = FakeClock()
    with EventLog.in_dir(tmp_path) as log:
        svc = SessionService(log, clock, "agent-1")
        svc.start("T1", V1)
        clock.advance(30)
        svc.step("a")
        clock.advance(40)
        svc.step("b", choice="yes")
        clock.advance(30)
        svc.end(Outcome.RESOLVED)
        svc.start("T2", V1)
        svc.step("a")
        clock.advance(50)
        svc.step("b", skip="not needed")
        clock.advance(150)
        svc.end(Outcome.ESCALATED)
        svc.start("T3")
        clock.advance(60)
        svc.end(Outcome.RESOLVED)
        svc.start("T4", V2)
        clock.advance(300)
        svc.end(Outcome.ESCALATED)
        svc.start("still-open")
        ids = log.sessions_ended_since(clock.wall - dt.timedelta(days=1))
        return timings(list(log.sessions(ids).values()))


def _report(ended: list[SessionTiming], by: str) -> Report:
    now = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
    return build_report(ended, by, now - dt.timedelta(days=7), now)


def test_summary(ended: list[SessionTiming]) -> None:
    assert _report(ended, "ticket").summary == {
        "count": 4,
        "median": 150.0,
        "p90": 270.0,
        "mean": 165.0,
        "escalation_rate": 0.5,
        "skip_rate": 0.25,
        "outcomes": {"resolved": 2, "escalated": 2},
    }


def test_by_sop_version(ended: list[SessionTiming]) -> None:
    rows = _report(ended, "sop").rows
    assert rows == [
        {
            "sop": "refund",
            "version": 1,
            "count": 2,
            "median": 150.0,
            "p90": 190.0,
            "mean": 150.0,
            "escalation_rate": 0.5,
            "skip_rate": 0.25,
        },
        {
            "sop": "refund",
            "version": 2,
            "count": 1,
            "median": 300.0,
            "p90": 300.0,
            "mean": 300.0,
            "escalation_rate": 1.0,
            "skip_rate": None,
        },
        {
            "sop": "(none)",
            "version": None,
            "count": 1,
            "median": 60.0,
            "p90": 60.0,
            "mean": 60.0,
            "escalation_rate": 0.0,
            "skip_rate": None,
        },
    ]


def test_by_step_with_skip_and_branch_rates(ended: list[SessionTiming]) -> None:
    rows = _report(ended, "step").rows
    assert rows == [
        {
            "sop": "refund",
            "version": 1,
            "step": "a",
            "count": 2,
            "median": 45.0,
            "p90": 49.0,
            "mean": 45.0,
            "skipped": 0,
            "skip_rate": 0.0,
            "branches": {},
        },
        {
            "sop": "refund",
            "version": 1,
            "step": "b",
            "count": 2,
            "median": 0.0,
            "p90": 0.0,
            "mean": 0.0,
            "skipped": 1,
            "skip_rate": 0.5,
            "branches": {"yes": 1.0},
        },
    ]


def test_by_outcome(ended: list[SessionTiming]) -> None:
    assert _report(ended, "outcome").rows == [
        {
            "outcome": "escalated",
            "count": 2,
            "median": 250.0,
            "p90": 290.0,
            "mean": 250.0,
            "share": 0.5,
        },
        {
            "outcome": "resolved",
            "count": 2,
            "median": 80.0,
            "p90": 96.0,
            "mean": 80.0,
            "share": 0.5,
        },
    ]


def test_by_ticket_and_shareable_labels(ended: list[SessionTiming]) -> None:
    now = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
    rows = build_report(ended, "ticket", now, now, lambda t: f"hash({t})").rows
    assert [
        (r["ticket"], r["sop"], r["version"], r["outcome"], r["handle_seconds"], r["skipped"])
        for r in rows
    ] == [
        ("hash(T1)", "refund", 1, "resolved", 100.0, 0),
        ("hash(T2)", "refund", 1, "escalated", 200.0, 1),
        ("hash(T3)", "(none)", None, "resolved", 60.0, 0),
        ("hash(T4)", "refund", 2, "escalated", 300.0, 0),
    ]


@pytest.mark.parametrize("by", ["ticket", "sop", "step", "outcome"])
def test_renders_in_every_format(ended: list[SessionTiming], by: str) -> None:
    report = _report(ended, by)
    assert json.loads(report.render("json"))["rows"] == report.rows
    parsed = list(csv.DictReader(io.StringIO(report.render("csv"))))
    assert len(parsed) == len(report.rows)
    table = report.render("table")
    assert table.splitlines()[0].startswith("4 ticket(s) ended")
    assert "2m30s" in table or by in ("step", "outcome", "ticket")


def test_empty_report() -> None:
    report = _report([], "sop")
    assert report.summary["count"] == 0 and report.summary["median"] is None
    assert report.render("csv") == ""
    assert report.render("table").startswith("0 ticket(s)")


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([10, 20], 90, 19),
        ([5], 90, 5),
        ([1, 2, 3, 4], 50, 2.5),
        ([3, 1, 2], 0, 1),
        ([3, 1, 2], 100, 3),
        (list(range(1, 11)), 90, 9.1),
    ],
)
def test_percentile(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_percentile_of_nothing_is_nan() -> None:
    assert math.isnan(percentile([], 50))
    assert stats([])["count"] == 0
