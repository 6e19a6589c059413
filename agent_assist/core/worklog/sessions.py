"""Ticket sessions: the one API the desktop UI and the ``agent-assist session`` CLI both call.

A session runs from ``start`` to ``end`` for one ticket.  Its state (paused? which step?) is
never stored: it is folded from the session's events on demand, so what the UI shows and what
reports count cannot disagree.  Each call appends its events in one transaction and returns
once they are durable.

Several tickets may be open at once (an agent juggling chats).  Calls that take ``ticket=None``
act on the most recently touched open ticket that fits (``pause`` the most recent running one,
``resume`` the most recent paused one).

Crash recovery: :meth:`SessionService.gaps` lists running sessions whose last event came from
an earlier run (the app died or the machine was off).  The UI shows each gap and records the
agent's answer with :meth:`confirm_gap` or :meth:`trim_gap`; ``durations.py`` honours it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent_assist.core.errors import SessionError
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.worklog.clock import Clock, Instant
from agent_assist.core.worklog.durations import SessionTiming, SopRef, session_timing
from agent_assist.core.worklog.events import Event, EventLog, EventType, Outcome

MAX_TICKET_LENGTH = 200


@dataclass(frozen=True)
class Gap:
    """A running session last heard of in an earlier run: ``seconds`` went unrecorded."""

    session_id: str
    ticket: str
    last_event: Instant
    seconds: float


@dataclass(frozen=True)
class SessionStatus:
    timing: SessionTiming
    from_previous_run: bool
    idle_seconds: float
    """Wall-clock seconds since the session's last event."""

    def to_json(self) -> dict[str, Any]:
        t = self.timing
        return {
            "ticket": t.ticket,
            "session_id": t.session_id,
            "started": t.started.isoformat(),
            "paused": t.paused,
            "handle_seconds": round(t.handle_seconds, 3),
            "paused_seconds": round(t.paused_seconds, 3),
            "sop": (
                {"id": t.current_sop.id, "version": t.current_sop.version}
                if t.current_sop
                else None
            ),
            "step": t.current_step,
            "from_previous_run": self.from_previous_run,
            "idle_seconds": round(self.idle_seconds, 3),
            "flags": t.flags,
        }


def _clean_ticket(ticket: str) -> str:
    text = ticket.strip()
    if not text or len(text) > MAX_TICKET_LENGTH or any(c in text for c in "\r\n\t"):
        raise SessionError(
            f"'{ticket[:40]}' is not a ticket id (one line, 1 to {MAX_TICKET_LENGTH} characters)"
        )
    return text


def _sop_fields(t: SessionTiming) -> dict[str, Any]:
    sop = t.current_sop
    return {"sop_id": sop.id if sop else None, "sop_version": sop.version if sop else None}


class SessionService:
    """Start, pause, resume, step through and end ticket sessions of ``agent_id``."""

    def __init__(self, log: EventLog, clock: Clock, agent_id: str) -> None:
        self.log = log
        self.clock = clock
        self.agent_id = agent_id

    # -- reading state -----------------------------------------------------------------------
    def open_sessions(self, now: Instant | None = None) -> list[SessionTiming]:
        """Open sessions, most recently touched first, timed up to ``now``."""
        now = now or self.clock.now()
        ids = self.log.open_sessions(self.agent_id)
        return [session_timing(events, now) for events in self.log.sessions(ids).values() if events]

    def status(self) -> list[SessionStatus]:
        now = self.clock.now()
        return [
            SessionStatus(
                t, t.last.run_id != now.run_id, max(0.0, (now.wall - t.last.wall).total_seconds())
            )
            for t in self.open_sessions(now)
        ]

    def gaps(self) -> list[Gap]:
        """Running sessions left open by an earlier run, for the agent to confirm or trim."""
        return [
            Gap(s.timing.session_id, s.timing.ticket, s.timing.last, s.idle_seconds)
            for s in self.status()
            if s.from_previous_run and not s.timing.paused
        ]

    def _pick(
        self,
        ticket: str | None,
        fits: Callable[[SessionTiming], bool] = lambda t: True,
        what: str = "open",
    ) -> SessionTiming:
        """The session of ``ticket``, or the most recently touched open one that ``fits``;
        folds only as many sessions as it must."""
        open_tickets = self.log.open_tickets(self.agent_id)
        now = self.clock.now()
        if ticket is not None:
            wanted = _clean_ticket(ticket)
            for session_id, name in open_tickets:
                if name == wanted:
                    return session_timing(self.log.session(session_id), now)
            listed = ", ".join(name for _, name in open_tickets) or "none"
            raise SessionError(f"ticket '{wanted}' has no open session (open: {listed})")
        seen = []
        for session_id, _ in open_tickets:
            t = session_timing(self.log.session(session_id), now)
            if fits(t):
                return t
            seen.append(t)
        if not seen:
            raise SessionError("no open ticket; start one with 'agent-assist session start TICKET'")
        listed = ", ".join(f"{t.ticket} ({'paused' if t.paused else 'running'})" for t in seen)
        raise SessionError(f"no {what} ticket (open: {listed})")

    def running(self, ticket: str | None = None) -> SessionTiming:
        """The open, unpaused session of ``ticket`` (or the most recent running one)."""
        t = self._pick(ticket, lambda s: not s.paused, "running")
        if t.paused:
            raise SessionError(f"ticket '{t.ticket}' is paused; resume it first")
        return t

    # -- writing -----------------------------------------------------------------------------
    def _event(self, kind: EventType, t: SessionTiming, at: Instant, **fields: Any) -> Event:
        return Event(kind, at, self.agent_id, ticket=t.ticket, session_id=t.session_id, **fields)

    def start(self, ticket: str, sop: SopRef | None = None) -> str:
        """Open a session for ``ticket`` (and the checklist of ``sop``); returns its id."""
        ticket = _clean_ticket(ticket)
        if any(name == ticket for _, name in self.log.open_tickets(self.agent_id)):
            raise SessionError(f"ticket '{ticket}' is already open; resume or end it")
        now, session_id = self.clock.now(), str(uuid.uuid4())
        events = [
            Event(
                EventType.TICKET_STARTED,
                now,
                self.agent_id,
                ticket=ticket,
                session_id=session_id,
                id=session_id,
            )
        ]
        if sop is not None:
            events += [
                Event(
                    kind,
                    now,
                    self.agent_id,
                    ticket=ticket,
                    session_id=session_id,
                    sop_id=sop.id,
                    sop_version=sop.version,
                )
                for kind in (EventType.SOP_OPENED, EventType.CHECKLIST_STARTED)
            ]
        self.log.append(*events)
        return session_id

    def pause(self, ticket: str | None = None) -> SessionTiming:
        t = self.running(ticket)
        self.log.append(self._event(EventType.TICKET_PAUSED, t, self.clock.now()))
        return t

    def resume(self, ticket: str | None = None) -> SessionTiming:
        t = self._pick(ticket, lambda s: s.paused, "paused")
        if not t.paused:
            raise SessionError(f"ticket '{t.ticket}' is not paused")
        self.log.append(self._event(EventType.TICKET_RESUMED, t, self.clock.now()))
        return t

    def open_sop(self, sop: SopRef, ticket: str | None = None, *, checklist: bool = False) -> None:
        t, now = self.running(ticket), self.clock.now()
        kinds = [EventType.SOP_OPENED] + ([EventType.CHECKLIST_STARTED] if checklist else [])
        self.log.append(
            *(self._event(k, t, now, sop_id=sop.id, sop_version=sop.version) for k in kinds)
        )

    def step(
        self,
        step_id: str,
        *,
        choice: str | None = None,
        skip: str | None = None,
        note: str | None = None,
        ticket: str | None = None,
    ) -> SessionTiming:
        """The agent is on ``step_id`` now (completing the step they were on), and may
        finish it at once with a ``choice`` or ``skip`` (a reason)."""
        if choice is not None and skip is not None:
            raise SessionError("a step is either answered with a choice or skipped, not both")
        if not step_id.strip():
            raise SessionError("a step id cannot be empty")
        t, now = self.running(ticket), self.clock.now()
        common = _sop_fields(t)
        events: list[Event] = []
        if t.current_step != step_id:
            if t.current_step is not None:
                events.append(
                    self._event(EventType.STEP_COMPLETED, t, now, step_id=t.current_step, **common)
                )
            events.append(self._event(EventType.STEP_ENTERED, t, now, step_id=step_id, **common))
        if choice is not None:
            events.append(
                self._event(
                    EventType.CHOICE_TAKEN,
                    t,
                    now,
                    step_id=step_id,
                    choice=choice,
                    note=note,
                    **common,
                )
            )
        elif skip is not None:
            events.append(
                self._event(
                    EventType.STEP_SKIPPED,
                    t,
                    now,
                    step_id=step_id,
                    reason=skip,
                    note=note,
                    **common,
                )
            )
        elif note is not None:
            events.append(
                self._event(EventType.STEP_COMPLETED, t, now, step_id=step_id, note=note, **common)
            )
        self.log.append(*events)
        return t

    def copy_macro(self, macro_id: str, ticket: str | None = None) -> None:
        self._log_use(EventType.MACRO_COPIED, ticket, macro_id=macro_id)

    def send_macro(self, macro_id: str, ticket: str | None = None) -> None:
        """A filled macro was posted to the ticketing tool (not only copied)."""
        self._log_use(EventType.MACRO_SENT, ticket, macro_id=macro_id)

    def choose_suggestion(
        self, query: str, rank: int, kind: Kind, item_id: str, ticket: str | None = None
    ) -> None:
        """The agent picked the ``rank``-th (1-based) suggestion for ``query`` (scrubbed
        before it is stored)."""
        item = {"sop_id": item_id} if kind is Kind.SOP else {"macro_id": item_id}
        self._log_use(EventType.SUGGESTION_CHOSEN, ticket, query=query, rank=rank, **item)

    def report_no_match(self, query: str, ticket: str | None = None) -> None:
        self._log_use(EventType.NO_MATCH_REPORTED, ticket, query=query)

    def report_search_abandoned(self, query: str, ticket: str | None = None) -> None:
        """A low-confidence search for ``query`` ended with no SOP opened (scrubbed when
        stored; only the query goes with it, see ``shareable.TYPE_FREE_TEXT``)."""
        self._log_use(EventType.SEARCH_ABANDONED, ticket, query=query)

    def acknowledge(self, sop: SopRef, ticket: str | None = None) -> None:
        """The agent acknowledged reading a SOP version that requires it."""
        self._log_use(EventType.ACK_GIVEN, ticket, sop_id=sop.id, sop_version=sop.version)

    def _log_use(self, kind: EventType, ticket: str | None, **fields: Any) -> None:
        """Tied to the given or most recent open ticket; logged on its own when none is open
        (searching before a ticket is started is normal)."""
        if ticket is not None or self.log.open_tickets(self.agent_id):
            t = self._pick(ticket)
            self.log.append(self._event(kind, t, self.clock.now(), **fields))
        else:
            self.log.append(Event(kind, self.clock.now(), self.agent_id, **fields))

    def confirm_gap(self, ticket: str | None = None, reason: str | None = None) -> None:
        t = self.running(ticket)
        self.log.append(self._event(EventType.GAP_CONFIRMED, t, self.clock.now(), reason=reason))

    def trim_gap(
        self, keep_seconds: float, ticket: str | None = None, reason: str | None = None
    ) -> None:
        """Count only ``keep_seconds`` of the time since the ticket's last event."""
        t = self.running(ticket)
        self.log.append(
            self._event(
                EventType.GAP_TRIMMED,
                t,
                self.clock.now(),
                reason=reason,
                counted_seconds=max(0.0, keep_seconds),
            )
        )

    def end(self, outcome: Outcome, ticket: str | None = None) -> SessionTiming:
        """End the session (completing the step in progress) and return its final timing."""
        t, now = self._pick(ticket), self.clock.now()
        events = []
        if t.current_step is not None:
            events.append(
                self._event(
                    EventType.STEP_COMPLETED, t, now, step_id=t.current_step, **_sop_fields(t)
                )
            )
        events.append(self._event(EventType.TICKET_ENDED, t, now, outcome=outcome))
        self.log.append(*events)
        return session_timing(self.log.session(t.session_id))
