"""The checklist run: order, branches, required/optional, undo, timing, resume from disk."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from agent_assist.app.context import AppContext
from agent_assist.core.knowledge.models import Choice, Sop, Step
from agent_assist.core.worklog.checklist import ChecklistError, ChecklistRun, RunFile
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.durations import session_timing
from agent_assist.core.worklog.events import EventLog, Outcome

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


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_branching_run_records_the_path_taken(clock: FakeClock) -> None:
    run = ChecklistRun.start(SOP, 3, clock, "12345")
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


def test_the_other_branch_ends_at_end(clock: FakeClock) -> None:
    run = ChecklistRun.start(SOP, 1, clock)
    run.complete(clock)
    run.choose("No", clock)
    assert run.current is not None and run.current.id == "deny"
    run.choose("Done", clock)
    assert run.at_end


def test_required_steps_cannot_be_skipped_and_decisions_need_an_answer(clock: FakeClock) -> None:
    run = ChecklistRun.start(SOP, 1, clock)
    with pytest.raises(ChecklistError, match="required"):
        run.skip("busy", clock)
    run.complete(clock)
    with pytest.raises(ChecklistError, match="decision"):
        run.complete(clock)
    with pytest.raises(ChecklistError, match="not an answer"):
        run.choose("Maybe", clock)


def test_optional_skip_needs_a_reason(clock: FakeClock) -> None:
    run = ChecklistRun.start(SOP, 1, clock)
    run.complete(clock)
    run.choose("Yes", clock)
    run.complete(clock)
    with pytest.raises(ChecklistError, match="why"):
        run.skip("  ", clock)


def test_back_undoes_the_last_move(clock: FakeClock) -> None:
    run = ChecklistRun.start(SOP, 1, clock)
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


def test_resolved_needs_every_step_but_escalation_may_end_early(clock: FakeClock) -> None:
    run = ChecklistRun.start(SOP, 1, clock)
    with pytest.raises(ChecklistError, match="remaining steps"):
        run.finish(Outcome.RESOLVED, clock)
    run.finish(Outcome.ESCALATED, clock)
    assert run.is_finished
    with pytest.raises(ChecklistError, match="finished"):
        run.complete(clock)


def test_elapsed_per_step_and_total(clock: FakeClock) -> None:
    run = ChecklistRun.start(SOP, 1, clock)
    clock.advance(30)
    run.complete(clock)
    clock.advance(12)
    assert run.step_seconds("check", clock.now()) == 30
    assert run.step_seconds("decide", clock.now()) == 12
    assert run.total_seconds(clock.now()) == 42


def test_setting_the_clock_back_mid_step_does_not_change_the_step_time(clock: FakeClock) -> None:
    run = ChecklistRun.start(SOP, 1, clock)
    clock.advance(30)
    clock.jump_wall(-3600)  # the agent sets the system clock back an hour
    clock.advance(20)
    assert run.step_seconds("check", clock.now()) == 50
    assert run.total_seconds(clock.now()) == 50
    run.complete(clock)
    clock.jump_wall(+86400)  # ... and forward a day
    clock.advance(5)
    assert run.step_seconds("check", clock.now()) == 50
    assert run.step_seconds("decide", clock.now()) == 5
    assert run.total_seconds(clock.now()) == 55


def _set_back(clock: FakeClock) -> None:
    clock.advance(30)
    clock.jump_wall(-3600)
    clock.advance(20)


def _set_forward(clock: FakeClock) -> None:
    clock.advance(10)
    clock.jump_wall(2 * 3600)
    clock.advance(5)


def _suspend(clock: FakeClock) -> None:  # CLOCK_BOOTTIME counts the hour asleep
    clock.advance(40)
    clock.advance(3600)


def _restart(clock: FakeClock) -> None:  # crash and relaunch: across runs only the wall counts
    clock.advance(30)
    clock.restart(after_seconds=90)
    clock.advance(15)


@pytest.mark.parametrize(
    ("during_decide", "expected"),
    [(_set_back, 50), (_set_forward, 15), (_suspend, 3640), (_restart, 135)],
    ids=["wall-set-back", "wall-set-forward", "suspend", "restart"],
)
def test_step_timer_agrees_with_the_handle_time_report(
    tmp_path: Path, during_decide: Callable[[FakeClock], None], expected: float
) -> None:
    """The checklist's timer and the report, both built through the app's one clock."""
    clock = FakeClock()
    with AppContext(tmp_path, clock=clock, agent="t", events=EventLog.in_dir(tmp_path)) as ctx:
        work = ctx.work
        work.start("T-1")
        run = ChecklistRun.start(SOP, 1, clock, "T-1")
        work.checklist_started(run)
        clock.advance(12)
        run.complete(clock)
        work.checklist_moved(run, "check")
        during_decide(clock)
        resumed = work.resume_run()  # as the app does after a restart
        assert resumed is not None
        resumed.choose("Yes", clock)
        work.checklist_moved(resumed, "decide", choice="Yes")
        clock.advance(7)
        now = clock.now()
        report = session_timing(ctx.events.events(ctx.agent_id), now)
        reported = {step.step_id: step.seconds for step in report.steps}
        assert reported == {"check": 12, "decide": expected, "approve": 7}
        for step_id, seconds in reported.items():
            assert resumed.step_seconds(step_id, now) == seconds, step_id
        assert resumed.total_seconds(now) == report.handle_seconds


def test_notes_stay_per_step(clock: FakeClock) -> None:
    run = ChecklistRun.start(SOP, 1, clock)
    run.set_note("order 881")
    run.complete(clock)
    run.set_note("")
    assert run.notes == {"check": "order 881"}


def test_a_run_survives_a_restart(clock: FakeClock, tmp_path: Path) -> None:
    run = ChecklistRun.start(SOP, 2, clock, "777")
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


def test_the_run_file_keeps_wall_monotonic_and_run(clock: FakeClock, tmp_path: Path) -> None:
    run = ChecklistRun.start(SOP, 1, clock)
    clock.advance(2.5)
    run.complete(clock)
    RunFile(tmp_path).save(run)
    saved = json.loads((tmp_path / "checklist-run.json").read_text(encoding="utf-8"))
    assert saved["visits"][0]["left"] == {
        "wall": "2026-01-05T09:00:02.500000+00:00",
        "mono": 2.5,
        "run_id": "run-1",
    }


def test_a_run_file_of_the_previous_version_loads_and_counts_by_the_wall(
    clock: FakeClock, tmp_path: Path
) -> None:
    """Times saved as wall ISO text only: among themselves and against this run's times they
    compare by the wall clock (another run)."""
    run = ChecklistRun.start(SOP, 1, clock).to_json()
    run["started"] = "2026-01-05T08:58:00+00:00"
    run["visits"] = [
        {
            "step_id": "check",
            "entered": "2026-01-05T08:58:00+00:00",
            "left": "2026-01-05T08:59:00+00:00",
            "action": "done",
            "choice": None,
            "reason": None,
        },
        {"step_id": "decide", "entered": "2026-01-05T08:59:00+00:00", "action": None},
    ]
    (tmp_path / "checklist-run.json").write_text(json.dumps(run), encoding="utf-8")
    old = RunFile(tmp_path).load()
    assert old is not None and old.current is not None and old.current.id == "decide"
    clock.advance(30)  # 09:00:30 in this run
    assert old.step_seconds("check", clock.now()) == 60
    assert old.step_seconds("decide", clock.now()) == 90
    assert old.total_seconds(clock.now()) == 150
    old.choose("Yes", clock)
    RunFile(tmp_path).save(old)
    again = RunFile(tmp_path).load()
    assert again is not None and again.to_json() == old.to_json()
    assert again.step_seconds("decide", clock.now()) == 90


def test_a_damaged_run_file_is_a_known_error(tmp_path: Path) -> None:
    (tmp_path / "checklist-run.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ChecklistError, match="move the file aside"):
        RunFile(tmp_path).load()


def test_a_sop_without_steps_has_no_checklist() -> None:
    with pytest.raises(ChecklistError, match="no checklist"):
        ChecklistRun.start(Sop("x", "X"), 1, FakeClock())
