"""A checklist run: where the agent is in a SOP's steps, and how they got there.

The run is a small state machine over the SOP's steps as they were when the run started (a
sync that changes the SOP mid-run cannot move the agent's place).  Steps are taken in order;
a decision step follows the branch of the chosen answer; required steps can only be completed,
optional ones may be skipped with a reason; :meth:`ChecklistRun.back` undoes the last move.

Time: every move reads the one :class:`~agent_assist.core.worklog.clock.Clock` of the process
and records an :class:`~agent_assist.core.worklog.clock.Instant`; elapsed time follows the
handle-time rule (:func:`~agent_assist.core.worklog.durations.elapsed`: monotonic within one
run, wall clock across runs), so the step timer the agent sees agrees with the reports even
when the system clock is changed mid-step.

Persistence: the run in progress is one JSON file in the data dir (``checklist-run.json``),
rewritten atomically after every move, so a crash or restart resumes exactly where the agent
was.  Each time is stored as ``{"wall", "mono", "run_id"}``; a file from before (wall ISO text
only) still loads, its times counted by the wall clock.  Per-step notes live only in that file
(and in the local event log): they never leave the workstation, and they never hold card
numbers, IBANs or national ids (PCI DSS): :meth:`ChecklistRun.set_note` scrubs them as the note
is taken and :meth:`RunFile.save` again at the door, so not even a run built by hand or an
older file writes them.  Handle-time events are written separately, through
:class:`~agent_assist.core.worklog.sessions.SessionService`, when a ticket is running.

A finished run stays in the file until its ticket ends: its outcome is the ticket's
(``agent_assist.app.work``), also after a restart.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge.models import END, Sop, Step
from agent_assist.core.privacy import scrub_payment_and_ids
from agent_assist.core.worklog.clock import Clock, Instant
from agent_assist.core.worklog.durations import elapsed
from agent_assist.core.worklog.events import Outcome

RUN_FILE = "checklist-run.json"
WALL_ONLY_RUN = "wall-only"
"""The run of times read from a file written before monotonic offsets were kept: their
``mono`` is the wall timestamp, so among themselves and against any real run they compare by
the wall clock, as they always did."""


class ChecklistError(AgentAssistError):
    """A move the checklist does not allow (the message says why, for the agent)."""


class Action(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    CHOSEN = "chosen"


@dataclass(frozen=True)
class Visit:
    """One stay on one step; ``action`` is ``None`` while the agent is still on it."""

    step_id: str
    entered: Instant
    left: Instant | None = None
    action: Action | None = None
    choice: str | None = None
    reason: str | None = None

    def seconds(self, now: Instant) -> float:
        return elapsed(self.entered, self.left or now)


@dataclass
class ChecklistRun:
    """The run of one SOP's checklist; every move is checked against the SOP's rules."""

    sop: Sop
    sop_version: int
    started: Instant
    ticket: str = ""
    visits: list[Visit] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    outcome: Outcome | None = None
    finished: Instant | None = None

    @classmethod
    def start(cls, sop: Sop, version: int, clock: Clock, ticket: str = "") -> ChecklistRun:
        if not sop.steps:
            raise ChecklistError(f"SOP '{sop.title}' has no checklist steps")
        at = clock.now()
        return cls(sop, version, at, ticket, [Visit(sop.steps[0].id, at)])

    # -- reading ---------------------------------------------------------------------------
    def step(self, step_id: str) -> Step:
        for step in self.sop.steps:
            if step.id == step_id:
                return step
        raise ChecklistError(f"SOP '{self.sop.id}' has no step '{step_id}'")

    @property
    def current(self) -> Step | None:
        """The step the agent is on; ``None`` once the last step is behind them."""
        if self.visits and self.visits[-1].action is None:
            return self.step(self.visits[-1].step_id)
        return None

    @property
    def at_end(self) -> bool:
        return self.current is None

    @property
    def is_finished(self) -> bool:
        return self.outcome is not None

    def index(self, step_id: str) -> int:
        return [s.id for s in self.sop.steps].index(step_id)

    def path(self) -> list[tuple[str, str, str | None]]:
        """``(step_id, action, choice)`` for every step left behind, in order."""
        return [(v.step_id, v.action.value, v.choice) for v in self.visits if v.action]

    def step_seconds(self, step_id: str, now: Instant) -> float:
        """Time on this step over all its visits, an open visit counted up to ``now``."""
        return sum(v.seconds(now) for v in self.visits if v.step_id == step_id)

    def total_seconds(self, now: Instant) -> float:
        return elapsed(self.started, self.finished or now)

    # -- moves -----------------------------------------------------------------------------
    def _open(self) -> tuple[Visit, Step]:
        if self.is_finished:
            raise ChecklistError("this checklist is finished; start a new run")
        step = self.current
        if step is None:
            raise ChecklistError("every step is done; finish the checklist with an outcome")
        return self.visits[-1], step

    def _leave(self, at: Instant, action: Action, next_id: str, **why: str | None) -> None:
        visit, _ = self._open()
        self.visits[-1] = replace(visit, left=at, action=action, **why)  # type: ignore[arg-type]
        if next_id != END:
            self.step(next_id)  # a dangling branch is an error, not a silent finish
            self.visits.append(Visit(next_id, at))

    def _next_in_order(self, step: Step) -> str:
        position = self.index(step.id) + 1
        return self.sop.steps[position].id if position < len(self.sop.steps) else END

    def complete(self, clock: Clock) -> None:
        """Mark the current (non-decision) step done and move to the next one."""
        _, step = self._open()
        if step.is_decision:
            raise ChecklistError(f"'{step.text}' is a decision: choose one of its answers")
        self._leave(clock.now(), Action.DONE, self._next_in_order(step))

    def skip(self, reason: str, clock: Clock) -> None:
        """Skip the current optional step; a reason is required (it is reported to leads)."""
        _, step = self._open()
        if step.required:
            raise ChecklistError(f"'{step.text}' is required and cannot be skipped")
        if not reason.strip():
            raise ChecklistError("say why you skip this step")
        self._leave(clock.now(), Action.SKIPPED, self._next_in_order(step), reason=reason.strip())

    def choose(self, label: str, clock: Clock) -> None:
        """Answer the current decision step and follow that answer's branch."""
        _, step = self._open()
        for choice in step.choices:
            if choice.label == label:
                self._leave(clock.now(), Action.CHOSEN, choice.next, choice=label)
                return
        answers = ", ".join(c.label for c in step.choices) or "none"
        raise ChecklistError(f"'{label}' is not an answer to '{step.text}' (answers: {answers})")

    def back(self, clock: Clock) -> None:
        """Undo the last move: the step left last is current again (its answer forgotten)."""
        if self.is_finished:
            raise ChecklistError("this checklist is finished; start a new run")
        if self.current is not None:
            if len(self.visits) == 1:
                raise ChecklistError("this is the first step; there is nothing to go back to")
            self.visits.pop()
        last = self.visits[-1]
        self.visits[-1] = Visit(last.step_id, clock.now())

    def set_note(self, text: str) -> None:
        """The note of the current step, without card numbers, IBANs or national ids."""
        visit, _ = self._open()
        if text.strip():
            self.notes[visit.step_id] = scrub_payment_and_ids(text)
        else:
            self.notes.pop(visit.step_id, None)

    def finish(self, outcome: Outcome, clock: Clock) -> None:
        """End the run.  ``resolved`` needs every step behind; the other outcomes (escalated,
        waiting, transferred) may end it early."""
        if self.is_finished:
            raise ChecklistError("this checklist is already finished")
        if outcome is Outcome.RESOLVED and not self.at_end:
            raise ChecklistError("finish the remaining steps before marking this resolved")
        at = clock.now()
        if self.visits[-1].action is None:
            self.visits[-1] = replace(self.visits[-1], left=at)
        self.outcome, self.finished = outcome, at

    # -- storage ---------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "sop": self.sop.to_json(),
            "sop_version": self.sop_version,
            "started": self.started.to_json(),
            "ticket": self.ticket,
            "visits": [
                {
                    "step_id": v.step_id,
                    "entered": v.entered.to_json(),
                    "left": v.left.to_json() if v.left else None,
                    "action": v.action.value if v.action else None,
                    "choice": v.choice,
                    "reason": v.reason,
                }
                for v in self.visits
            ],
            "notes": dict(self.notes),
            "outcome": self.outcome.value if self.outcome else None,
            "finished": self.finished.to_json() if self.finished else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChecklistRun:
        def when(value: object) -> Instant | None:
            return _instant(value) if value else None

        return cls(
            sop=Sop.from_json(data["sop"]),
            sop_version=int(data["sop_version"]),
            started=_instant(data["started"]),
            ticket=str(data.get("ticket", "")),
            visits=[
                Visit(
                    v["step_id"],
                    _instant(v["entered"]),
                    when(v.get("left")),
                    Action(v["action"]) if v.get("action") else None,
                    v.get("choice"),
                    v.get("reason"),
                )
                for v in data["visits"]
            ],
            notes={str(k): str(v) for k, v in data.get("notes", {}).items()},
            outcome=Outcome(data["outcome"]) if data.get("outcome") else None,
            finished=when(data.get("finished")),
        )


def _instant(value: object) -> Instant:
    """A time as saved, or the wall-clock ISO text of a file from before (see
    :data:`WALL_ONLY_RUN`)."""
    if isinstance(value, dict):
        return Instant.from_json(value)
    if not isinstance(value, str):
        raise TypeError(f"a time must be {{wall, mono, run_id}} or ISO text, not {value!r}")
    wall = dt.datetime.fromisoformat(value)
    wall = (wall if wall.tzinfo else wall.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    return Instant(wall, wall.timestamp(), WALL_ONLY_RUN)


class RunFile:
    """The run in progress, kept in ``data_dir/checklist-run.json`` (one per workstation)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / RUN_FILE

    def load(self) -> ChecklistRun | None:
        """The unfinished run left by the last session, if any."""
        run = self.read()
        return None if run is None or run.is_finished else run

    def read(self) -> ChecklistRun | None:
        """The run in the file, finished or not; a file written before notes were scrubbed
        is rewritten without their payment data and ids."""
        if not self.path.is_file():
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            run = ChecklistRun.from_json(data)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ChecklistError(
                f"cannot resume the checklist saved in {self.path}: {exc} "
                "(move the file aside to start afresh)"
            ) from exc
        clean = _scrubbed_notes(run.notes)
        if clean != run.notes:
            run.notes = clean
            self.save(run)
        return run

    def save(self, run: ChecklistRun) -> None:
        data = run.to_json()
        data["notes"] = _scrubbed_notes(run.notes)  # the door to the disk (PCI DSS)
        tmp = self.path.with_suffix(".json.tmp")
        try:
            tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
            tmp.chmod(0o600)  # step notes stay the agent's own
            tmp.replace(self.path)
        except OSError as exc:
            raise ChecklistError(
                f"cannot save the checklist to {self.path}: {exc.strerror or exc} "
                "(free some disk space)"
            ) from exc

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def _scrubbed_notes(notes: dict[str, str]) -> dict[str, str]:
    return {step: scrub_payment_and_ids(text) for step, text in notes.items()}
