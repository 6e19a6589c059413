"""Recording the agent's work: tickets, checklist runs, macro use, acknowledgements, gaps.

Everything goes through the one :class:`~agent_assist.core.worklog.sessions.SessionService`,
with the context's one clock and agent id, exactly as the ``session`` commands do, so the timer
the agent sees and the reports leads read are folded from the same events.  In the app every
method runs on the task worker (:mod:`agent_assist.ui.tasks`), never the GUI thread.

The rules that keep those records right live here, not in the widgets:

* A checklist runs on a ticket: :meth:`WorkLog.checklist_started` starts the run's ticket when
  it is not open (resumes it when paused) and refuses a run without one, so no run goes
  unrecorded.  Its moves are logged on that ticket.
* One outcome per ticket: when a checklist finishes, its outcome is the ticket's
  (:attr:`TicketState.outcome`, kept with the finished run until the ticket ends, also across
  a restart); :meth:`WorkLog.end` uses it unless the agent chose another one.
* Ending a ticket keeps its unfinished checklist saved, to resume later, unless the agent
  discards it.
* Step notes lose card numbers, IBANs and national ids before they are stored, in the run file
  and in the event log alike (:meth:`~agent_assist.core.worklog.checklist.ChecklistRun.set_note`,
  :meth:`~agent_assist.core.worklog.checklist.RunFile.save`, ``events._row``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.worklog.checklist import ChecklistError, ChecklistRun, RunFile
from agent_assist.core.worklog.durations import SopRef
from agent_assist.core.worklog.events import EventLog, Outcome
from agent_assist.core.worklog.sessions import Gap, SessionService

if TYPE_CHECKING:
    from agent_assist.app.acks import AckBook
    from agent_assist.app.context import AppContext
    from agent_assist.core.worklog.clock import Clock

log = logging.getLogger(__name__)
NO_TICKET = "start a ticket before its checklist: a checklist run outside a ticket is in no report"


@dataclass(frozen=True)
class TicketState:
    """The ticket on the bar: timed up to the moment it was read."""

    ticket: str
    paused: bool
    handle_seconds: float
    outcome: Outcome | None = None
    """The outcome of the checklist finished on this ticket: the ticket ends with it unless
    the agent chooses another."""


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
        ticket = TicketState(t.ticket, t.paused, t.handle_seconds, self._finished_as(t.ticket))
        return WorkState(ticket, tuple(self.sessions.gaps()))

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

    def end(
        self,
        outcome: Outcome | None = None,
        ticket: str | None = None,
        *,
        discard_run: bool = False,
    ) -> WorkState:
        """End ``ticket`` (the most recent open one) with ``outcome``; without one, with the
        outcome of the checklist finished on it, else resolved.  That finished run is spent
        with the ticket; an unfinished run stays saved to resume later, unless
        ``discard_run``."""
        if ticket is None:
            status = self.sessions.status()
            ticket = status[0].timing.ticket if status else None
        finished = self._finished_as(ticket) if ticket is not None else None
        self.sessions.end(outcome or finished or Outcome.RESOLVED, ticket)
        if discard_run or finished is not None:
            self.runs.clear()
        return self.state()

    def answer_gap(self, ticket: str, counted: bool) -> WorkState:
        if counted:
            self.sessions.confirm_gap(ticket, "confirmed in the app")
        else:
            self.sessions.trim_gap(0.0, ticket, "not work: trimmed in the app")
        return self.state()

    def _running(self, ticket: str | None = None) -> bool:
        """Whether ``ticket`` (any ticket, when ``None``) is open and not paused."""
        return any(
            not s.timing.paused and ticket in (None, s.timing.ticket)
            for s in self.sessions.status()
        )

    def _finished_as(self, ticket: str) -> Outcome | None:
        """The outcome of the checklist finished on ``ticket``, while its run is the saved one.
        An unreadable run file gives none (it was reported when the app resumed the run): the
        ticket bar must keep working."""
        try:
            run = self.runs.read()
        except ChecklistError as exc:
            log.warning("no checklist outcome for ticket %r: %s", ticket, exc)
            return None
        if run is None or run.ticket != ticket:
            return None
        return run.outcome

    # -- knowledge use ---------------------------------------------------------------------
    def checklist_started(self, run: ChecklistRun) -> WorkState:
        """Save the run and log it on its ticket, which is started when it is not open and
        resumed when paused.  Also for a run resumed on another ticket than it began on: the
        new ticket's session gets the SOP and the current step.  A run without a ticket is
        refused (:data:`NO_TICKET`): it would be in no report."""
        ticket = run.ticket.strip()
        if not ticket:
            raise ChecklistError(NO_TICKET)
        self._open_and_run(ticket)
        self.runs.save(run)
        self.store.record_use(Kind.SOP, run.sop.id)
        self.sessions.open_sop(SopRef(run.sop.id, run.sop_version), ticket, checklist=True)
        current = run.current
        if current is not None:
            self.sessions.step(current.id, ticket=ticket)
        return self.state()

    def _open_and_run(self, ticket: str) -> None:
        for status in self.sessions.status():
            if status.timing.ticket == ticket:
                if status.timing.paused:
                    self.sessions.resume(ticket)
                return
        self.sessions.start(ticket)

    def checklist_moved(
        self, run: ChecklistRun, left: str, choice: str | None = None, skip: str | None = None
    ) -> None:
        """Save the run; log the step left (and how) and the step now current, on the run's
        ticket while it runs (paused time, and its steps, are not counted)."""
        self.runs.save(run)
        ticket = run.ticket or None  # a run saved before runs had to have a ticket
        if not self._running(ticket):
            return
        note = run.notes.get(left)
        self.sessions.step(left, choice=choice, skip=skip, note=note, ticket=ticket)
        current = run.current
        if current is not None and current.id != left:
            self.sessions.step(current.id, ticket=ticket)

    def checklist_saved(self, run: ChecklistRun) -> None:
        self.runs.save(run)

    def checklist_finished(self, run: ChecklistRun) -> WorkState:
        """The run's outcome becomes its ticket's: the finished run is kept until the ticket
        ends (:meth:`end`), so the outcome survives a restart.  A run whose ticket is no
        longer open is refused loudly: its outcome would be in no report."""
        self.runs.save(run)
        if not any(s.timing.ticket == run.ticket for s in self.sessions.status()):
            outcome = run.outcome.value if run.outcome else "unfinished"
            where = f"ticket '{run.ticket}' is not open" if run.ticket else "it had no ticket"
            raise ChecklistError(
                f"the checklist of “{run.sop.title}” finished {outcome}, but {where}, so no "
                "report has it: start the ticket and end it with that outcome"
            )
        return self.state()

    def resume_run(self) -> ChecklistRun | None:
        return self.runs.load()

    def macro_copied(self, macro_id: str) -> None:
        self.sessions.copy_macro(macro_id)
        self.store.record_use(Kind.MACRO, macro_id)

    def report_no_match(self, query: str) -> None:
        self.sessions.report_no_match(query)

    def search_abandoned(self, query: str) -> None:
        """Log a low-confidence search that ended with no SOP opened (``search_trail.py``)."""
        self.sessions.report_search_abandoned(query)

    def acknowledge(self, sop_id: str, version: int) -> None:
        self.sessions.acknowledge(SopRef(sop_id, version))
        self._acks.add(sop_id, version)

    def acknowledged(self) -> frozenset[tuple[str, int]]:
        return self._acks.acked()
