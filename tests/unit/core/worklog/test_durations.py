"""Every duration rule as a table: a script of agent actions on a fake clock, and the times
that must come out.  Scripts go through the real SessionService and EventLog, so the rules
are checked on exactly the events the app writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.worklog.clock import FakeClock, Instant
from agent_assist.core.worklog.durations import (
    MAX_GAP,
    SessionTiming,
    SopRef,
    format_seconds,
    parse_span,
    session_timing,
    stretch,
)
from agent_assist.core.worklog.events import Event, EventLog, EventType, Outcome
from agent_assist.core.worklog.sessions import SessionService

H = 3600.0


def run(tmp_path: Path, script: list[tuple[Any, ...]]) -> dict[str, SessionTiming]:
    """Play ``script``; return each ticket's timing (ended ones final, open ones up to now)."""
    clock = FakeClock()
    log = EventLog.in_dir(tmp_path)
    svc = SessionService(log, clock, "agent-1")
    ended: dict[str, SessionTiming] = {}
    for action, *rest in script:
        if action == "wait":  # time passes on both clocks (also: a suspend, on CLOCK_BOOTTIME)
            clock.advance(rest[0])
        elif action == "jump":  # the system clock is changed; monotonic time is not
            clock.jump_wall(rest[0])
        elif action == "restart":  # the app dies and starts again rest[0] seconds later
            clock.restart(rest[0])
            svc = SessionService(log, clock, "agent-1")
        elif action == "start":
            svc.start(rest[0], rest[1] if len(rest) > 1 else None)
        elif action == "end":
            ended[rest[0]] = svc.end(Outcome.RESOLVED, rest[0])
        elif action == "step":
            svc.step(rest[1], ticket=rest[0], **(rest[2] if len(rest) > 2 else {}))
        elif action == "sop":
            svc.open_sop(rest[1], rest[0], checklist=True)
        elif action == "trim":
            svc.trim_gap(rest[1], rest[0])
        else:
            getattr(svc, action)(*rest)
    current = {t.ticket: t for t in svc.open_sessions()}
    log.close()
    return {**current, **ended}


CASES: list[tuple[str, list[tuple[Any, ...]], dict[str, float], dict[str, float], set[str]]] = [
    # id, script, handle seconds, paused seconds, flags expected on ticket A
    ("plain", [("start", "A"), ("wait", 60), ("end", "A")], {"A": 60}, {"A": 0}, set()),
    (
        "pause_excluded",
        [
            ("start", "A"),
            ("wait", 60),
            ("pause", "A"),
            ("wait", 300),
            ("resume", "A"),
            ("wait", 30),
            ("end", "A"),
        ],
        {"A": 90},
        {"A": 300},
        set(),
    ),
    (
        "two_pauses",
        [
            ("start", "A"),
            ("wait", 10),
            ("pause", "A"),
            ("wait", 100),
            ("resume", "A"),
            ("wait", 20),
            ("pause", "A"),
            ("wait", 200),
            ("resume", "A"),
            ("wait", 30),
            ("end", "A"),
        ],
        {"A": 60},
        {"A": 300},
        set(),
    ),
    (
        "ended_while_paused",
        [("start", "A"), ("wait", 45), ("pause", "A"), ("wait", 500), ("end", "A")],
        {"A": 45},
        {"A": 500},
        set(),
    ),
    (
        "overlap_each_counts_own_time",
        [
            ("start", "A"),
            ("wait", 60),
            ("start", "B"),
            ("wait", 30),
            ("end", "A"),
            ("wait", 30),
            ("end", "B"),
        ],
        {"A": 90, "B": 60},
        {"A": 0, "B": 0},
        set(),
    ),
    (
        "overlap_pause_one",
        [
            ("start", "A"),
            ("start", "B"),
            ("wait", 10),
            ("pause", "A"),
            ("wait", 50),
            ("resume", "A"),
            ("wait", 5),
            ("end", "A"),
            ("end", "B"),
        ],
        {"A": 15, "B": 65},
        {"A": 50, "B": 0},
        set(),
    ),
    (
        "crash_gap_counts_on_wall_clock",
        [("start", "A"), ("wait", 60), ("restart", 600), ("end", "A")],
        {"A": 660},
        {"A": 0},
        set(),
    ),
    # The unrecorded stretch runs from the ticket's last event (the crash time is unknown).
    (
        "crash_gap_trimmed_to_zero",
        [
            ("start", "A"),
            ("wait", 60),
            ("step", "A", "s1"),
            ("restart", 600),
            ("trim", "A", 0),
            ("wait", 30),
            ("end", "A"),
        ],
        {"A": 90},
        {"A": 0},
        {"trimmed"},
    ),
    (
        "crash_gap_trimmed_partly",
        [
            ("start", "A"),
            ("wait", 60),
            ("step", "A", "s1"),
            ("restart", 600),
            ("trim", "A", 120),
            ("end", "A"),
        ],
        {"A": 180},
        {"A": 0},
        {"trimmed"},
    ),
    (
        "crash_gap_long_is_capped",
        [("start", "A"), ("wait", 60), ("step", "A", "s1"), ("restart", 10 * H), ("end", "A")],
        {"A": 60 + MAX_GAP},
        {"A": 0},
        {"long_gap"},
    ),
    (
        "crash_gap_long_confirmed",
        [("start", "A"), ("wait", 60), ("restart", 10 * H), ("confirm_gap", "A"), ("end", "A")],
        {"A": 60 + 10 * H},
        {"A": 0},
        set(),
    ),
    (
        "crash_while_paused",
        [
            ("start", "A"),
            ("wait", 60),
            ("pause", "A"),
            ("restart", H),
            ("resume", "A"),
            ("wait", 30),
            ("end", "A"),
        ],
        {"A": 90},
        {"A": H},
        set(),
    ),
    (
        "clock_set_back_mid_ticket",
        [("start", "A"), ("wait", 60), ("jump", -H), ("wait", 60), ("end", "A")],
        {"A": 120},
        {"A": 0},
        {"clock_changed"},
    ),
    (
        "clock_set_forward_mid_ticket",
        [("start", "A"), ("wait", 60), ("jump", 2 * H), ("wait", 60), ("end", "A")],
        {"A": 120},
        {"A": 0},
        {"clock_changed"},
    ),
    (
        "clock_back_across_restart",
        [
            ("start", "A"),
            ("wait", 60),
            ("step", "A", "s1"),
            ("restart", -600),
            ("confirm_gap", "A"),
            ("wait", 30),
            ("end", "A"),
        ],
        {"A": 90},
        {"A": 0},
        {"clock_backwards"},
    ),
    (
        "sleep_resume_counts_like_wall",
        [("start", "A"), ("wait", 60), ("wait", 1800), ("end", "A")],
        {"A": 1860},
        {"A": 0},
        set(),
    ),
    (
        "sleep_overnight_capped",
        [("start", "A"), ("wait", 60), ("wait", 9 * H), ("end", "A")],
        {"A": MAX_GAP},
        {"A": 0},
        {"long_gap"},
    ),
    (
        "open_ticket_timed_to_now",
        [("start", "A"), ("wait", 60), ("pause", "A"), ("wait", 9), ("resume", "A"), ("wait", 40)],
        {"A": 100},
        {"A": 9},
        {"open"},
    ),
]


@pytest.mark.parametrize(
    ("script", "handle", "paused", "flags"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_handle_time_rules(
    tmp_path: Path,
    script: list[tuple[Any, ...]],
    handle: dict[str, float],
    paused: dict[str, float],
    flags: set[str],
) -> None:
    result = run(tmp_path, script)
    assert {k: t.handle_seconds for k, t in result.items()} == pytest.approx(handle)
    assert {k: t.paused_seconds for k, t in result.items()} == pytest.approx(paused)
    assert set(result["A"].flags) == flags


STEP_CASES: list[tuple[str, list[tuple[Any, ...]], list[tuple[str, float, str]]]] = [
    (
        "step_until_next_step",
        [
            ("start", "A"),
            ("wait", 10),
            ("step", "A", "a"),
            ("wait", 20),
            ("step", "A", "b"),
            ("wait", 7),
            ("end", "A"),
        ],
        [("a", 20, "completed"), ("b", 7, "completed")],
    ),
    (
        "step_excludes_pause",
        [
            ("start", "A"),
            ("step", "A", "a"),
            ("wait", 20),
            ("pause", "A"),
            ("wait", 100),
            ("resume", "A"),
            ("wait", 5),
            ("step", "A", "b", {"choice": "yes"}),
            ("wait", 3),
            ("end", "A"),
        ],
        [("a", 25, "completed"), ("b", 0, "choice")],
    ),
    (
        "step_answered_later",
        [
            ("start", "A"),
            ("step", "A", "a"),
            ("wait", 12),
            ("step", "A", "a", {"choice": "refund"}),
            ("wait", 3),
            ("end", "A"),
        ],
        [("a", 12, "choice")],
    ),
    (
        "step_skipped",
        [
            ("start", "A"),
            ("step", "A", "a"),
            ("wait", 4),
            ("step", "A", "a", {"skip": "not needed"}),
            ("end", "A"),
        ],
        [("a", 4, "skipped")],
    ),
    (
        "step_runs_to_ticket_end",
        [("start", "A"), ("step", "A", "a"), ("wait", 9), ("end", "A")],
        [("a", 9, "completed")],
    ),
    (
        "step_across_crash",
        [
            ("start", "A"),
            ("step", "A", "a"),
            ("wait", 9),
            ("restart", 60),
            ("step", "A", "b"),
            ("end", "A"),
        ],
        [("a", 69, "completed"), ("b", 0, "completed")],
    ),
    (
        "overlapping_tickets_keep_own_steps",
        [
            ("start", "A"),
            ("step", "A", "a"),
            ("wait", 5),
            ("start", "B"),
            ("step", "B", "x"),
            ("wait", 5),
            ("end", "B"),
            ("wait", 5),
            ("end", "A"),
        ],
        [("a", 15, "completed")],
    ),
]


@pytest.mark.parametrize(
    ("script", "steps"), [c[1:] for c in STEP_CASES], ids=[c[0] for c in STEP_CASES]
)
def test_step_time_rules(
    tmp_path: Path, script: list[tuple[Any, ...]], steps: list[tuple[str, float, str]]
) -> None:
    timing = run(tmp_path, script)["A"]
    assert [(s.step_id, round(s.seconds, 6), s.result) for s in timing.steps] == steps


def test_time_is_attributed_to_each_sop_version(tmp_path: Path) -> None:
    v1, v2 = SopRef("refund", 1), SopRef("refund", 2)
    timing = run(
        tmp_path,
        [
            ("start", "A"),
            ("wait", 5),
            ("sop", "A", v1),
            ("wait", 60),
            ("pause", "A"),
            ("wait", 99),
            ("resume", "A"),
            ("wait", 10),
            ("sop", "A", v2),
            ("wait", 30),
            ("end", "A"),
        ],
    )["A"]
    assert timing.sops == {None: 5, v1: 70, v2: 30}
    assert timing.sop == v1
    assert timing.handle_seconds == sum(timing.sops.values())


def _at(wall_s: float, mono: float, run: str = "r1") -> Instant:
    return Instant(dt.datetime(2026, 3, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=wall_s), mono, run)


@pytest.mark.parametrize(
    ("prev", "cur", "seconds", "flags"),
    [
        (_at(0, 0), _at(10, 10), 10, []),
        (_at(0, 0), _at(-500, 10), 10, ["clock_changed"]),
        (_at(0, 5), _at(30, 0, "r2"), 30, []),
        (_at(0, 5), _at(-30, 0, "r2"), 0, ["clock_backwards"]),
        (_at(0, 50), _at(10, 40), 0, []),  # monotonic time cannot go back; never count < 0
    ],
)
def test_stretch(prev: Instant, cur: Instant, seconds: float, flags: list[str]) -> None:
    assert stretch(prev, cur) == (seconds, flags)


def test_step_closed_without_being_entered_counts_zero() -> None:
    start = Event(EventType.TICKET_STARTED, _at(0, 0), "a", ticket="T", session_id="s")
    done = Event(
        EventType.STEP_SKIPPED,
        _at(5, 5),
        "a",
        ticket="T",
        session_id="s",
        step_id="x",
        reason="n/a",
    )
    timing = session_timing([start, done])
    assert [(s.step_id, s.seconds, s.result, s.reason) for s in timing.steps] == [
        ("x", 0, "skipped", "n/a")
    ]
    assert timing.handle_seconds == 5


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("7d", 7 * 86400),
        ("24h", 86400),
        ("1h30m", 5400),
        ("90s", 90),
        ("2w", 1209600),
        ("45", 45),
        ("0", 0),
        (" 1.5h ", 5400),
    ],
)
def test_parse_span(text: str, seconds: float) -> None:
    assert parse_span(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "abc", "7x", "d7", "-5m", "5m garbage"])
def test_parse_span_rejects(text: str) -> None:
    with pytest.raises(AgentAssistError, match="not a duration"):
        parse_span(text)


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (59.6, "1m00s"), (65, "1m05s"), (3723, "1h02m03s")]
)
def test_format_seconds(seconds: float, text: str) -> None:
    assert format_seconds(seconds) == text
