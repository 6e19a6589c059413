"""The pieces of the ticketing use cases the app runs apart (app/ticket_work.py): switching
the timed ticket, the status an outcome sets, what a failure tells the agent, the shared desk."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_assist.app.context import AppContext
from agent_assist.app.ticket_work import (
    STATUS_FOR_OUTCOME,
    DeskAccess,
    Trouble,
    problem_of,
    record_sent,
    set_status_for,
    switch_to,
    ticket_id_of,
)
from agent_assist.app.tickets import NotConnectedError, TicketDesk
from agent_assist.connectors.base import (
    ConnectorAuthError,
    ConnectorError,
    ConnectorOfflineError,
)
from agent_assist.core.cache.store import Store
from agent_assist.core.errors import AgentAssistError
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.events import EventLog, EventType, Outcome
from tests.gui.fake_desk import FakeConnector, connected_desk


@pytest.fixture
def ctx(tiny_store: Store, data_dir: Path) -> Iterator[AppContext]:
    events = EventLog.in_dir(data_dir)
    with AppContext(data_dir, clock=FakeClock(), agent="t", store=tiny_store, events=events) as c:
        yield c


@pytest.fixture
def connector() -> FakeConnector:
    return FakeConnector()


desk_for = connected_desk


def open_tickets(ctx: AppContext) -> dict[str, bool]:
    """Open ticket -> paused."""
    return {s.timing.ticket: s.timing.paused for s in ctx.work.sessions.status()}


def test_switching_pauses_the_other_running_ticket(ctx: AppContext) -> None:
    state = switch_to(ctx.work, "rt:1")
    assert state.ticket is not None and state.ticket.ticket == "rt:1"
    switch_to(ctx.work, "rt:2")
    assert open_tickets(ctx) == {"rt:1": True, "rt:2": False}
    state = switch_to(ctx.work, "rt:1")  # back: the same session, resumed
    assert open_tickets(ctx) == {"rt:1": False, "rt:2": True}
    assert state.ticket is not None and state.ticket.ticket == "rt:1"
    started = [e for e in ctx.events.events("t") if e.type is EventType.TICKET_STARTED]
    assert [e.ticket for e in started] == ["rt:1", "rt:2"]
    switch_to(ctx.work, "rt:1")  # already running: nothing logged
    assert len(ctx.events.events("t")) == 5


def test_a_sent_macro_is_logged_on_its_ticket(ctx: AppContext) -> None:
    switch_to(ctx.work, "rt:1")
    switch_to(ctx.work, "rt:2")
    record_sent(ctx.work, "rt:1", "refund-approved")
    sent = [e for e in ctx.events.events("t") if e.type is EventType.MACRO_SENT]
    assert [(e.ticket, e.macro_id) for e in sent] == [("rt:1", "refund-approved")]


def test_every_outcome_has_a_status() -> None:
    assert set(STATUS_FOR_OUTCOME) == set(Outcome)
    assert STATUS_FOR_OUTCOME[Outcome.RESOLVED] == "resolved"
    assert STATUS_FOR_OUTCOME[Outcome.WAITING] == "pending"


def test_the_status_is_set_only_on_the_connected_tools_tickets(
    ctx: AppContext, connector: FakeConnector
) -> None:
    desk = desk_for(ctx, connector)
    assert set_status_for(desk, "rt:1", Outcome.WAITING) == "pending"
    assert set_status_for(desk, "zendesk:1", Outcome.RESOLVED) is None
    assert set_status_for(desk, "55501", Outcome.RESOLVED) is None
    assert connector.statuses == [("1", "pending")]


def test_no_tool_set_up_is_not_connected(ctx: AppContext, connector: FakeConnector) -> None:
    desk = TicketDesk(ctx, keyring=lambda: None, environ={}, opener=lambda *_: connector)
    with pytest.raises(NotConnectedError, match="agent-assist connect"):
        set_status_for(desk, "rt:1", Outcome.RESOLVED)


@pytest.mark.parametrize(
    ("key", "tool", "expected"),
    [
        ("rt:12", "rt", "12"),
        ("rt:12", "zendesk", None),
        ("55501", "rt", None),
        ("rt:x", "rt", None),
    ],
)
def test_ticket_id_of(key: str, tool: str, expected: str | None) -> None:
    assert ticket_id_of(key, tool) == expected


@pytest.mark.parametrize(
    ("exc", "trouble", "starts"),
    [
        (NotConnectedError("no tool"), Trouble.NOT_CONNECTED, "Not connected: no tool"),
        (ConnectorOfflineError("rt: GET /x timed out"), Trouble.OFFLINE, "Offline: rt: GET"),
        (ConnectorAuthError("rt: 401 on /x"), Trouble.REFUSED, "The ticketing tool refused"),
        (ConnectorError("rt: 500 on /x"), Trouble.FAILED, "rt: 500 on /x"),
        (AgentAssistError("other"), Trouble.FAILED, "other"),
    ],
)
def test_what_a_failure_tells_the_agent(
    exc: AgentAssistError, trouble: Trouble, starts: str
) -> None:
    problem = problem_of(exc)
    assert problem.trouble is trouble
    assert problem.text.startswith(starts)


def test_the_desk_is_made_once_and_used_by_one_job_at_a_time(
    ctx: AppContext, connector: FakeConnector
) -> None:
    made: list[TicketDesk] = []
    inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def factory() -> TicketDesk:
        made.append(desk_for(ctx, connector))
        return made[-1]

    access = DeskAccess(factory)

    def slow(desk: TicketDesk) -> None:
        inside.set()
        release.wait(10)
        order.append("slow")

    first = threading.Thread(target=access, args=(slow,))
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=access, args=(lambda d: order.append("fast"),))
    second.start()
    second.join(0.2)
    assert second.is_alive()  # waits for the first job
    release.set()
    first.join(10)
    second.join(10)
    assert order == ["slow", "fast"]
    assert len(made) == 1
