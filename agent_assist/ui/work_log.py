"""What the window records about the agent's work, as plain calls (no Qt).

Tickets, checklist steps, macro use, acknowledgements and reported gaps all go through the
one :class:`~agent_assist.core.worklog.sessions.SessionService`, exactly as the ``session`` CLI
does, so the timer the agent sees and the reports leads read are folded from the same events.
Every method runs on the task worker (:mod:`agent_assist.ui.tasks`), never the GUI thread.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.worklog.acks import acknowledged
from agent_assist.core.worklog.checklist import ChecklistRun, RunFile
from agent_assist.core.worklog.clock import Clock, SystemClock
from agent_assist.core.worklog.durations import SopRef
from agent_assist.core.worklog.events import EventLog, Outcome
from agent_assist.core.worklog.sessions import Gap, SessionService

AGENT_ENV = "AGENT_ASSIST_AGENT_ID"


def default_agent_id() -> str:
    """Same rule as the ``session`` CLI: ``$AGENT_ASSIST_AGENT_ID``, else the login name."""
    return os.environ.get(AGENT_ENV) or getpass.getuser()


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
    def __init__(
        self,
        store: Store,
        events: EventLog,
        data_dir: Path,
        clock: Clock | None = None,
        agent_id: str | None = None,
    ) -> None:
        self.store, self.events = store, events
        self.sessions = SessionService(
            events, clock or SystemClock(), agent_id or default_agent_id()
        )
        self.runs = RunFile(data_dir)

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

    def acknowledged(self) -> set[tuple[str, int]]:
        return acknowledged(self.events, self.sessions.agent_id)
