"""Handle time, computed from events: pure functions, no I/O, no clock of their own.

Rules (each has a table test in ``tests/unit/core/test_durations.py``):

* Between two events of one run (same ``run_id``) time is the difference of the monotonic
  offsets, so a change of the system clock mid-ticket changes nothing (it is flagged
  ``clock_changed`` when wall and monotonic disagree by more than two minutes).
* Between events of different runs (the app restarted, or one CLI command after another) only
  the wall clock can compare them: a negative difference counts as zero (``clock_backwards``).
  The checklist's timers use this same rule (:func:`elapsed`), so the step time the agent sees
  is the step time the report shows (pauses and the gap rules below apart).
* No single stretch between two events counts more than :data:`MAX_GAP` (``long_gap``): a
  ticket forgotten overnight is not eight hours of work.  The agent can say otherwise with a
  ``gap_confirmed`` event (the stretch before it counts in full) or ``gap_trimmed`` (only its
  ``counted_seconds`` count) — this is how a crash gap is confirmed or trimmed on restart.
* Time while paused never counts.
* Overlapping tickets each count their own time: an agent juggling two chats for ten minutes
  spent ten minutes on each.  Handle time answers "how long did this ticket take", not "where
  did my day go"; summing tickets can therefore exceed the agent's working time.
* Step time runs from ``step_entered`` to the next step event of the ticket (entered,
  completed, skipped, choice) or the ticket's end, without paused time.  SOP time runs from
  ``sop_opened``/``checklist_started`` to the next SOP opened or the ticket's end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.worklog.clock import Instant
from agent_assist.core.worklog.events import Event, EventType, Outcome

MAX_GAP = 4 * 3600.0
"""The longest stretch between two events that counts without the agent confirming it."""
CLOCK_TOLERANCE = 120.0

_STEP_EVENTS = {
    EventType.STEP_ENTERED,
    EventType.STEP_COMPLETED,
    EventType.STEP_SKIPPED,
    EventType.CHOICE_TAKEN,
}
_STEP_RESULTS = {
    EventType.STEP_COMPLETED: "completed",
    EventType.STEP_SKIPPED: "skipped",
    EventType.CHOICE_TAKEN: "choice",
}


class SopRef(NamedTuple):
    id: str
    version: int | None


@dataclass
class StepTiming:
    step_id: str
    sop: SopRef | None
    seconds: float = 0.0
    result: str = "open"
    """completed, skipped, choice, left (another step was entered), ended (ticket ended)."""
    choice: str | None = None
    reason: str | None = None


@dataclass
class SessionTiming:
    session_id: str
    ticket: str
    agent_id: str
    started: dt.datetime
    last: Instant
    ended: dt.datetime | None = None
    outcome: Outcome | None = None
    handle_seconds: float = 0.0
    paused_seconds: float = 0.0
    paused: bool = False
    current_sop: SopRef | None = None
    sops: dict[SopRef | None, float] = field(default_factory=dict)
    steps: list[StepTiming] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def current_step(self) -> str | None:
        return self.steps[-1].step_id if self.steps and self.steps[-1].result == "open" else None

    @property
    def sop(self) -> SopRef | None:
        """The SOP this ticket spent most time in (``None`` when none was opened)."""
        used = {k: v for k, v in self.sops.items() if k is not None}
        return max(used, key=lambda k: used[k]) if used else None


def stretch(prev: Instant, cur: Instant) -> tuple[float, list[str]]:
    """Seconds from ``prev`` to ``cur`` by the rules above, before any clamping."""
    wall = (cur.wall - prev.wall).total_seconds()
    if cur.run_id == prev.run_id:
        seconds = max(0.0, cur.mono - prev.mono)
        return seconds, (["clock_changed"] if abs(wall - seconds) > CLOCK_TOLERANCE else [])
    if wall < 0:
        return 0.0, ["clock_backwards"]
    return wall, []


def elapsed(prev: Instant, cur: Instant) -> float:
    """Seconds from ``prev`` to ``cur`` as :func:`stretch` counts them, for timers shown to
    the agent (the checklist's step and total time), so they agree with the reports."""
    return stretch(prev, cur)[0]


def _counted(seconds: float, event: Event | None, max_gap: float) -> tuple[float, list[str]]:
    if event is not None and event.type is EventType.GAP_CONFIRMED:
        return seconds, []
    if event is not None and event.type is EventType.GAP_TRIMMED:
        return min(seconds, max(0.0, event.counted_seconds or 0.0)), ["trimmed"]
    if seconds > max_gap:
        return max_gap, ["long_gap"]
    return seconds, []


def session_timing(
    events: Sequence[Event], now: Instant | None = None, max_gap: float = MAX_GAP
) -> SessionTiming:
    """Fold one session's events (oldest first, starting with ``ticket_started``) into its
    timings; an open session is timed up to ``now`` when given."""
    first = events[0]
    t = SessionTiming(first.session_id, first.ticket, first.agent_id, first.at.wall, events[-1].at)
    sop: SopRef | None = None
    step: StepTiming | None = None
    timeline: list[tuple[Instant, Event | None]] = [(e.at, e) for e in events[1:]]
    ended = any(e.type is EventType.TICKET_ENDED for e in events)
    if now is not None and not ended:
        timeline.append((now, None))
        t.flags.append("open")
    prev = first.at
    for at, event in timeline:
        if t.ended is not None:  # what comes after the end (ticket_quality) is no work
            break
        seconds, flags = stretch(prev, at)
        if t.paused:
            t.paused_seconds += seconds
        else:
            seconds, more = _counted(seconds, event, max_gap)
            flags += more
            t.handle_seconds += seconds
            t.sops[sop] = t.sops.get(sop, 0.0) + seconds
            if step is not None:
                step.seconds += seconds
        t.flags += [f for f in flags if f not in t.flags]
        prev = at
        if event is None:
            break
        sop, step = _apply(t, event, sop, step)
    t.sops = {k: v for k, v in t.sops.items() if v > 0 or k is not None}
    t.current_sop = sop
    return t


def _apply(
    t: SessionTiming, event: Event, sop: SopRef | None, step: StepTiming | None
) -> tuple[SopRef | None, StepTiming | None]:
    kind = event.type
    if kind is EventType.TICKET_PAUSED:
        t.paused = True
    elif kind is EventType.TICKET_RESUMED:
        t.paused = False
    elif kind in (EventType.SOP_OPENED, EventType.CHECKLIST_STARTED) and event.sop_id:
        sop = SopRef(event.sop_id, event.sop_version)
        t.sops.setdefault(sop, 0.0)
    elif kind in _STEP_EVENTS:
        if step is not None and (kind is EventType.STEP_ENTERED or step.step_id != event.step_id):
            step.result = "left"
            step = None
        if kind is EventType.STEP_ENTERED:
            step = StepTiming(event.step_id or "", sop)
            t.steps.append(step)
        else:
            if step is None:  # closed without being entered: an instant step
                step = StepTiming(event.step_id or "", sop)
                t.steps.append(step)
            step.result, step.choice, step.reason = _STEP_RESULTS[kind], event.choice, event.reason
            step = None
    elif kind is EventType.TICKET_ENDED:
        t.ended, t.outcome, t.paused = event.at.wall, event.outcome, False
        if step is not None:
            step.result = "ended"
            step = None
    return sop, step


def timings(
    sessions: Sequence[Sequence[Event]], now: Instant | None = None, max_gap: float = MAX_GAP
) -> list[SessionTiming]:
    return [session_timing(s, now, max_gap) for s in sessions if s]


_SPAN = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|m|s)")
_UNIT = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_span(text: str) -> dt.timedelta:
    """``"7d"``, ``"1h30m"``, ``"90s"``, ``"2w"`` as a timedelta (a bare number is seconds)."""
    compact = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)?", compact):
        return dt.timedelta(seconds=float(compact))
    if not compact or _SPAN.sub("", compact):
        raise AgentAssistError(f"'{text}' is not a duration (examples: 7d, 24h, 1h30m, 90s)")
    return dt.timedelta(seconds=sum(float(n) * _UNIT[u] for n, u in _SPAN.findall(compact)))


def format_seconds(seconds: float) -> str:
    """``1h02m03s``, ``4m05s``, ``12s``: short, sortable by eye."""
    whole = round(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}h{m:02d}m{s:02d}s"
    return f"{m}m{s:02d}s" if m else f"{s}s"
