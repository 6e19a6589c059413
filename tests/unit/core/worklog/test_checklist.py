"""The checklist run: order, branches, required/optional, undo, timing, resume from disk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from agent_assist.core.knowledge.models import Choice, Sop, Step
from agent_assist.core.worklog.checklist import ChecklistError, ChecklistRun, RunFile
from agent_assist.core.worklog.events import Outcome

SOP = Sop(
    id="refund",
    title="Refund",
    steps=(
        Step("check", "Find the purchase"),
        Step("decide", "Eligible?", choices=(Choice("Yes", "approve"), Choice("No", "deny"))),
        Step("deny", "Explain the policy", choices=(Choice("Done", "end"),)),
        Step("approve", "Issue the refund", macro="refund-approved"),
        Step("tell", "Tell the customer", required=False),
    ),
)


class Ticks:
    def __init__(self) -> None:
        self.at = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Ticks:
    return Ticks()


def test_branching_run_records_the_path_taken(clock: Ticks) -> None:
    run = ChecklistRun.start(SOP, 3, "12345", clock)
    run.complete(clock)
    run.choose("Yes", clock)
    assert run.current is not None and run.current.id == "approve"
    run.complete(clock)
    run.skip("customer already knows", clock)
    assert run.at_end
    run.finish(Outcome.RESOLVED, clock)
    assert run.path() == [
        ("check", "done", None),
        ("decide", "chosen", "Yes"),
        ("approve", "done", None),
        ("tell", "skipped", None),
    ]


def test_the_other_branch_ends_at_end(clock: Ticks) -> None:
    run = ChecklistRun.start(SOP, 1, now=clock)
    run.complete(clock)
    run.choose("No", clock)
    assert run.current is not None and run.current.id == "deny"
    run.choose("Done", clock)
    assert run.at_end


def test_required_steps_cannot_be_skipped_and_decisions_need_an_answer(clock: Ticks) -> None:
    run = ChecklistRun.start(SOP, 1, now=clock)
    with pytest.raises(ChecklistError, match="required"):
        run.skip("busy", clock)
    run.complete(clock)
    with pytest.raises(ChecklistError, match="decision"):
        run.complete(clock)
    with pytest.raises(ChecklistError, match="not an answer"):
        run.choose("Maybe", clock)


def test_optional_skip_needs_a_reason(clock: Ticks) -> None:
    run = ChecklistRun.start(SOP, 1, now=clock)
    run.complete(clock)
    run.choose("Yes", clock)
    run.complete(clock)
    with pytest.raises(ChecklistError, match="why"):
        run.skip("  ", clock)


def test_back_undoes_the_last_move(clock: Ticks) -> None:
    run = ChecklistRun.start(SOP, 1, now=clock)
    with pytest.raises(ChecklistError, match="first step"):
        run.back(clock)
    run.complete(clock)
    run.choose("No", clock)
    run.back(clock)
    assert run.current is not None and run.current.id == "decide"
    run.choose("Yes", clock)
    assert run.path()[-1] == ("decide", "chosen", "Yes")
    run.complete(clock)
    run.skip("known", clock)
    run.back(clock)  # from the end, back to the last step
    assert run.current is not None and run.current.id == "tell"


def test_resolved_needs_every_step_but_escalation_may_end_early(clock: Ticks) -> None:
    run = ChecklistRun.start(SOP, 1, now=clock)
    with pytest.raises(ChecklistError, match="remaining steps"):
        run.finish(Outcome.RESOLVED, clock)
    run.finish(Outcome.ESCALATED, clock)
    assert run.is_finished
    with pytest.raises(ChecklistError, match="finished"):
        run.complete(clock)


def test_elapsed_per_step_and_total(clock: Ticks) -> None:
    run = ChecklistRun.start(SOP, 1, now=clock)
    clock.advance(30)
    run.complete(clock)
    clock.advance(12)
    assert run.step_seconds("check", clock()) == 30
    assert run.step_seconds("decide", clock()) == 12
    assert run.total_seconds(clock()) == 42


def test_notes_stay_per_step(clock: Ticks) -> None:
    run = ChecklistRun.start(SOP, 1, now=clock)
    run.set_note("order 881")
    run.complete(clock)
    run.set_note("")
    assert run.notes == {"check": "order 881"}


def test_a_run_survives_a_restart(clock: Ticks, tmp_path: Path) -> None:
    run = ChecklistRun.start(SOP, 2, "777", clock)
    run.set_note("private note")
    run.complete(clock)
    run.choose("Yes", clock)
    RunFile(tmp_path).save(run)
    again = RunFile(tmp_path).load()
    assert again is not None
    assert again.to_json() == run.to_json()
    assert again.current is not None and again.current.id == "approve"
    again.finish(Outcome.WAITING, clock)
    RunFile(tmp_path).save(again)
    assert RunFile(tmp_path).load() is None  # a finished run is not resumed


def test_a_damaged_run_file_is_a_known_error(tmp_path: Path) -> None:
    (tmp_path / "checklist-run.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ChecklistError, match="move the file aside"):
        RunFile(tmp_path).load()


def test_a_sop_without_steps_has_no_checklist() -> None:
    with pytest.raises(ChecklistError, match="no checklist"):
        ChecklistRun.start(Sop("x", "X"), 1)
