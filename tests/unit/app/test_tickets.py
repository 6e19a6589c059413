"""The ticketing-tool use cases over an in-memory connector: placeholder filling from the
ticket, refusals naming the field, offline replies, the ticket's timer, quality events.
(The real connector is tested live against Request Tracker 5:
``tests/integration/test_rt_live.py``.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_assist.app.context import AppContext
from agent_assist.app.tickets import TOKEN_ENV, NotConnectedError, TicketDesk
from agent_assist.connectors.base import (
    ConnectorOfflineError,
    Message,
    Quality,
    Status,
    Ticket,
    TicketSummary,
)
from agent_assist.core.cache.store import Store
from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge.macros import MacroContext, MacroError, first_name
from agent_assist.core.settings import Settings
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.core.worklog.durations import session_timing
from agent_assist.core.worklog.events import EventLog, EventType, Outcome

WHEN = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
TEXT = "My card was charged twice for the same order, please refund the duplicate charge"


class MemoryConnector:
    """The Connector interface over a dict: what the app asks, and what it was told."""

    tool = "rt"

    def __init__(self) -> None:
        self.tickets: dict[str, Ticket] = {}
        self.posted: list[tuple[str, str, bool]] = []
        self.statuses: list[tuple[str, Status]] = []
        self.offline = False
        self.quality_of: dict[str, Quality] = {}
        self.closed = False

    def add(self, ticket_id: str, requester: str, text: str = TEXT) -> None:
        summary = TicketSummary("rt", ticket_id, "Charged twice", "new", requester, "es", WHEN)
        message = Message(requester, True, False, text, WHEN)
        self.tickets[ticket_id] = Ticket(summary, (message,))

    def my_open_tickets(self) -> list[TicketSummary]:
        return [t.summary for t in self.tickets.values()]

    def ticket(self, ticket_id: str) -> Ticket:
        return self.tickets[ticket_id]

    def reply(self, ticket_id: str, text: str, *, internal: bool = False) -> None:
        if self.offline:
            raise ConnectorOfflineError("rt: POST /REST/2.0/ticket/1/correspond failed")
        self.posted.append((ticket_id, text, internal))

    def set_status(self, ticket_id: str, status: Status) -> None:
        self.statuses.append((ticket_id, status))

    def take(self, ticket_id: str) -> None:
        pass

    def quality(self, ticket_id: str) -> Quality:
        return self.quality_of.get(ticket_id, Quality(None, None))

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ctx(demo_store: Store, data_dir: Path, clock: FakeClock) -> Iterator[AppContext]:
    events = EventLog.in_dir(data_dir)
    with AppContext(data_dir, clock=clock, agent="t", store=demo_store, events=events) as ctx:
        ctx.settings.set(Settings.agent_name, "Alex Agent")
        yield ctx


@pytest.fixture
def tool() -> MemoryConnector:
    connector = MemoryConnector()
    connector.add("7", "Maria Lopez")
    return connector


@pytest.fixture
def desk(ctx: AppContext, tool: MemoryConnector) -> TicketDesk:
    opened: list[tuple[str, str, str, str]] = []

    def opener(name: str, url: str, user: str, secret: str) -> MemoryConnector:
        opened.append((name, url, user, secret))
        return tool

    desk = TicketDesk(ctx, keyring=lambda: None, environ={}, opener=opener)
    desk.connect("rt", "http://127.0.0.1:9/", "agent", "s3cret")
    return desk


def test_connect_remembers_the_tool_and_keeps_the_secret_out_of_the_settings(
    ctx: AppContext, desk: TicketDesk
) -> None:
    assert desk.config is not None and desk.config.url == "http://127.0.0.1:9"
    assert (ctx.settings.ticketing_tool, ctx.settings.ticketing_user) == ("rt", "agent")
    assert "s3cret" not in (ctx.data_dir / "settings.json").read_text(encoding="utf-8")


def test_a_plain_http_tool_elsewhere_is_refused(ctx: AppContext, tool: MemoryConnector) -> None:
    desk = TicketDesk(ctx, keyring=lambda: None, environ={}, opener=lambda *a: tool)
    with pytest.raises(AgentAssistError, match="plain http"):
        desk.connect("rt", "http://rt.example.com", "agent", "x")


def test_without_a_secret_the_desk_says_how_to_give_one(
    ctx: AppContext, tool: MemoryConnector
) -> None:
    desk = TicketDesk(ctx, keyring=lambda: None, environ={}, opener=lambda *a: tool)
    with pytest.raises(NotConnectedError, match="no ticketing tool is connected"):
        desk.my_tickets()
    with pytest.raises(NotConnectedError, match=TOKEN_ENV):
        desk.connect("rt", "https://rt.example.com", "agent", None)
    env = TicketDesk(ctx, keyring=lambda: None, environ={TOKEN_ENV: "t"}, opener=lambda *a: tool)
    assert env.connect("rt", "https://rt.example.com", "agent", None).secret_kept_in == (
        "environment"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7", ("rt", "7")), ("rt:7", ("rt", "7")), ("#7", ("rt", "7")), (" rt:12 ", ("rt", "12"))],
)
def test_references(desk: TicketDesk, text: str, expected: tuple[str, str]) -> None:
    assert desk.ref(text) == expected


@pytest.mark.parametrize(("text", "words"), [("zendesk:7", "connected tool is rt"), ("x", "not")])
def test_bad_references(desk: TicketDesk, text: str, words: str) -> None:
    with pytest.raises(AgentAssistError, match=words):
        desk.ref(text)


def test_a_reply_to_maria_lopez_starts_hi_maria_and_is_logged_on_the_ticket(
    desk: TicketDesk, tool: MemoryConnector, ctx: AppContext
) -> None:
    reply = desk.reply("rt:7", "duplicate-charge-authorisation", {"amount": "€12.99"})
    assert reply.posted and reply.text.startswith("Hi Maria,\n")
    assert "€12.99" in reply.text and reply.text.rstrip().endswith("Clipwave Payments Operations")
    assert "Alex Agent" in reply.text
    assert tool.posted == [("7", reply.text, False)]
    kinds = [(e.type, e.ticket, e.macro_id) for e in ctx.events.events("t")]
    assert kinds == [
        (EventType.TICKET_STARTED, "rt:7", None),
        (EventType.MACRO_SENT, "rt:7", "duplicate-charge-authorisation"),
    ]


def test_a_missing_required_field_is_refused_by_name_and_nothing_is_posted(
    desk: TicketDesk, tool: MemoryConnector
) -> None:
    with pytest.raises(MacroError, match=r"amount: Amount of the pending authorisation is req"):
        desk.reply("7", "duplicate-charge-authorisation")
    with pytest.raises(MacroError, match=r"has no field colour"):
        desk.reply("7", "duplicate-charge-authorisation", {"amount": "1", "colour": "red"})
    assert tool.posted == []


def test_the_agents_field_wins_over_the_ticket(desk: TicketDesk) -> None:
    values = {"amount": "5", "customer_name": "Mari"}
    _, text = desk.fill(desk.show("7"), "duplicate-charge-authorisation", values)
    assert text.startswith("Hi Mari,")


def test_a_customer_without_a_name_gets_the_default(
    desk: TicketDesk, tool: MemoryConnector
) -> None:
    tool.add("8", "someone@example.com")
    _, text = desk.fill(desk.show("8"), "duplicate-charge-authorisation", {"amount": "5"})
    assert text.startswith("Hi there,")


def test_offline_the_filled_reply_comes_back_unposted_with_the_reason(
    desk: TicketDesk, tool: MemoryConnector, ctx: AppContext
) -> None:
    tool.offline = True
    reply = desk.reply("7", "duplicate-charge-authorisation", {"amount": "5"}, status="resolved")
    assert not reply.posted and reply.text.startswith("Hi Maria,")
    assert reply.problem is not None and "failed" in reply.problem
    assert tool.statuses == []
    assert EventType.MACRO_SENT not in [e.type for e in ctx.events.events("t")]


def test_resolving_sets_the_status_and_ends_the_tickets_session(
    desk: TicketDesk, tool: MemoryConnector, ctx: AppContext, clock: FakeClock
) -> None:
    desk.suggest("7")
    clock.advance(90)
    reply = desk.reply("7", "duplicate-charge-authorisation", {"amount": "5"}, status="resolved")
    assert reply.status == "resolved" and reply.session_ended
    assert tool.statuses == [("7", "resolved")]
    events = ctx.events.events("t")
    timing = session_timing(events)
    assert (timing.ticket, timing.outcome, timing.handle_seconds) == ("rt:7", Outcome.RESOLVED, 90)


def test_suggest_searches_with_the_latest_customer_words_and_starts_the_timer(
    desk: TicketDesk, ctx: AppContext
) -> None:
    ticket, rows = desk.suggest("7", limit=3)
    assert ticket.latest_customer_text == TEXT
    assert rows and rows[0].id == "duplicate-charge"
    assert rows == ctx.search.rows(TEXT, limit=3)
    assert [(s.timing.ticket, s.timing.paused) for s in ctx.work.sessions.status()] == [
        ("rt:7", False)
    ]
    ctx.work.sessions.pause("rt:7")
    desk.suggest("rt:7")  # a paused ticket is resumed, not started twice
    assert [(s.timing.ticket, s.timing.paused) for s in ctx.work.sessions.status()] == [
        ("rt:7", False)
    ]


def test_quality_is_logged_once_per_change_and_counts_no_time(
    desk: TicketDesk, tool: MemoryConnector, ctx: AppContext, clock: FakeClock
) -> None:
    desk.suggest("7")
    clock.advance(60)
    ctx.work.end(Outcome.RESOLVED, "rt:7")
    clock.advance(3600)
    assert desk.record_quality() == 0  # the tool says nothing yet
    tool.quality_of["7"] = Quality(None, True)
    assert desk.record_quality() == 1
    assert desk.record_quality() == 0
    events = ctx.events.events("t")
    quality = [e for e in events if e.type is EventType.TICKET_QUALITY]
    assert [(q.ticket, q.reopened, q.satisfaction) for q in quality] == [("rt:7", True, None)]
    assert quality[0].session_id == events[0].session_id
    assert session_timing(events).handle_seconds == 60  # the hour after the end is no work


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("Maria Lopez", "Maria"),
        ("Lopez, Maria", "Maria"),
        ("  Maria  ", "Maria"),
        ("maria@example.com", ""),
        ("", ""),
    ],
)
def test_first_name(name: str, first: str) -> None:
    assert first_name(name) == first


def test_sources_of_a_macro_context() -> None:
    context = MacroContext("Alex", "7", requester_name="Maria Lopez", ticket_subject="Twice")
    assert [
        context.source(s)
        for s in ("requester.first_name", "requester.name", "ticket.id", "ticket.subject")
    ] == ["Maria", "Maria Lopez", "7", "Twice"]
    assert context.source("agent.name") == "Alex" and context.source(None) == ""
