"""Recording the agent's work: tickets, checklist runs, macro use, acknowledgements, gaps.

Everything goes through the one :class:`~agent_assist.core.worklog.sessions.SessionService`,
with the context's one clock and agent id, exactly as the ``session`` commands do, so the timer
the agent sees and the reports leads read are folded from the same events.  In the app every
method runs on the task worker (:mod:`agent_assist.ui.tasks`), never the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.worklog.checklist import ChecklistRun, RunFile
from agent_assist.core.worklog.durations import SopRef
from agent_assist.core.worklog.events import EventLog, Outcome
from agent_assist.core.worklog.sessions import Gap, SessionService

if TYPE_CHECKING:
    from agent_assist.app.acks import AckBook
    from agent_assist.app.context import AppContext
    from agent_assist.core.worklog.clock import Clock


@dataclass(frozen=True)
class TicketState:
    """The ticket on the bar: timed up to the moment it was read."""

    ticket: str
    paused: bool
    handle_seconds: float


@dataclass(frozen=True)
class WorkState:
    ticket: TicketState | None
    gaps: tuple[Gap, ...] = ()


class WorkLog:
    """The work-recording use cases over one :class:`~agent_assist.app.context.AppContext`."""

    def __init__(self, ctx: AppContext, acks: AckBook) -> None:
        self._ctx, self._acks = ctx, acks
        self.runs = RunFile(ctx.data_dir)
        self._sessions: SessionService | None = None

    @property
    def sessions(self) -> SessionService:
        """Opened on first use (on the worker): opening the log purges expired events."""
        if self._sessions is None:
            self._sessions = SessionService(self._ctx.events, self._ctx.clock, self._ctx.agent_id)
        return self._sessions

    @property
    def context(self) -> AppContext:
        return self._ctx

    @property
    def clock(self) -> Clock:
        """The one clock: what the checklist's step timer reads, as the reports do."""
        return self._ctx.clock

    @property
    def store(self) -> Store:
        return self._ctx.store

    @property
    def events(self) -> EventLog:
        return self._ctx.events

    # -- tickets ---------------------------------------------------------------------------
    def state(self) -> WorkState:
        status = self.sessions.status()
        if not status:
            return WorkState(None)
        t = status[0].timing
        return WorkState(
            TicketState(t.ticket, t.paused, t.handle_seconds), tuple(self.sessions.gaps())
        )

    def start(self, ticket: str) -> WorkState:
        self.sessions.start(ticket)
        return self.state()

    def pause(self) -> WorkState:
        self.sessions.pause()
        return self.state()

    def pause_all(self) -> None:
        """Pause every running ticket: on quit its time stops with the app, instead of
        counting the hours it is closed (a crash still leaves a gap to confirm or trim)."""
        for status in self.sessions.status():
            if not status.timing.paused:
                self.sessions.pause(status.timing.ticket)

    def resume(self) -> WorkState:
        self.sessions.resume()
        return self.state()

    def end(self, outcome: Outcome) -> WorkState:
        self.sessions.end(outcome)
        return self.state()

    def answer_gap(self, ticket: str, counted: bool) -> WorkState:
        if counted:
            self.sessions.confirm_gap(ticket, "confirmed in the app")
        else:
            self.sessions.trim_gap(0.0, ticket, "not work: trimmed in the app")
        return self.state()

    def _running(self) -> bool:
        return any(not s.timing.paused for s in self.sessions.status())

    # -- knowledge use ---------------------------------------------------------------------
    def checklist_started(self, run: ChecklistRun) -> None:
        self.runs.save(run)
        self.store.record_use(Kind.SOP, run.sop.id)
        if self._running():
            self.sessions.open_sop(SopRef(run.sop.id, run.sop_version), checklist=True)
            current = run.current
            if current is not None:
                self.sessions.step(current.id)

    def checklist_moved(
        self, run: ChecklistRun, left: str, choice: str | None = None, skip: str | None = None
    ) -> None:
        """Save the run; log the step left (and how) and the step now current."""
        self.runs.save(run)
        if not self._running():
            return
        note = run.notes.get(left)
        self.sessions.step(left, choice=choice, skip=skip, note=note)
        current = run.current
        if current is not None and current.id != left:
            self.sessions.step(current.id)

    def checklist_saved(self, run: ChecklistRun) -> None:
        self.runs.save(run)

    def checklist_finished(self, run: ChecklistRun) -> None:
        self.runs.clear()

    def resume_run(self) -> ChecklistRun | None:
        return self.runs.load()

    def macro_copied(self, macro_id: str) -> None:
        self.sessions.copy_macro(macro_id)
        self.store.record_use(Kind.MACRO, macro_id)

    def report_no_match(self, query: str) -> None:
        self.sessions.report_no_match(query)

    def acknowledge(self, sop_id: str, version: int) -> None:
        self.sessions.acknowledge(SopRef(sop_id, version))
        self._acks.add(sop_id, version)

    def acknowledged(self) -> frozenset[tuple[str, int]]:
        return self._acks.acked()
