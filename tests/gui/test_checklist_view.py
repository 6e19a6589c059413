"""The checklist view's timers: read from the app's one clock, they show the report's times."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from agent_assist.app.context import AppContext
from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import Choice, Sop, Step
from agent_assist.core.worklog.checklist import ChecklistRun
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.durations import format_seconds, session_timing
from agent_assist.core.worklog.events import EventLog
from agent_assist.ui.checklist_view import ChecklistView
from agent_assist.ui.tasks import TaskManager

SOP = Sop(
    "refund",
    "Refund",
    steps=(
        Step("check", "Find the purchase"),
        Step("decide", "Eligible?", choices=(Choice("Yes", "approve"), Choice("No", "end"))),
        Step("approve", "Issue the refund"),
    ),
)


def test_step_times_survive_the_clock_being_set_back(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path
) -> None:
    clock = FakeClock()
    with EventLog.in_dir(data_dir) as log:
        ctx = AppContext(data_dir, clock=clock, agent="tester", store=tiny_store, events=log)
        work = ctx.work
        work.start("T-1")
        run = ChecklistRun.start(SOP, 1, work.clock, "T-1")
        work.checklist_started(run)
        view = ChecklistView(tasks, work)
        qtbot.addWidget(view)
        view.show_run(run)
        clock.advance(12)
        view.complete()
        qtbot.waitUntil(lambda: tasks.is_idle)
        clock.advance(30)
        clock.jump_wall(-3600)  # the agent sets the system clock back an hour
        clock.advance(20)
        view.on_tick_timeout()
        assert view.total.text() == "1m02s · this step 50s"
        view.choose("Yes")
        qtbot.waitUntil(lambda: tasks.is_idle)
        report = session_timing(log.events(ctx.agent_id), clock.now())
        decide = next(s for s in report.steps if s.step_id == "decide")
        assert decide.seconds == 50
        row = view.steps_model.index(1).data()
        assert row.endswith(f"·  {format_seconds(decide.seconds)}"), row
        view.close()
