"""The Freshdesk connector against a faithful fake of the API v2 on a real socket.

Covers every operation of the connector interface, paging (the ticket filter's 30-a-page
results and the conversations' ``Link`` header, the fake's conversation page cut to 2),
429 + ``Retry-After``, 401, 404, connection refused, and that no customer text is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from agent_assist.connectors import registry
from agent_assist.connectors.base import (
    ConnectorAuthError,
    ConnectorOfflineError,
    ConnectorRateLimitedError,
    TicketNotFoundError,
)
from agent_assist.connectors.freshdesk import FreshdeskConnector, open_connector
from tests.fakes.freshdesk_fake import FreshdeskFake
from tests.fakes.server import free_port, serve

FAST = {"backoff": 0.01, "attempts": 2, "retry_budget": 10.0}
FIRST = "<div>Hola, I was <b>charged twice</b> for my coins.</div>"
LATEST = (
    "<div>Still waiting for the refund of order 7781.</div>"
    "<blockquote>On Monday you wrote: We are on it</blockquote>"
)
SECRET_WORDS = ("charged twice", "order 7781", "We are on it", "refund promised")


class Desk:
    """Maria's ticket (the conversation), 30 more of mine (two filter pages), one resolved,
    one of another agent."""

    def __init__(self, fake: FreshdeskFake) -> None:
        self.maria = fake.add_contact("Maria Lopez", language="es")
        self.bob = fake.add_contact("Bob Stone", language="en")
        other = fake.add_agent("Olga Other")
        me = fake.me
        self.conversation = fake.add_ticket(
            "Double charge", self.maria, FIRST, responder=me, reopened=True
        )
        fake.add_conversation(self.conversation, me, "<p>We are on it</p>", incoming=False)
        fake.add_conversation(
            self.conversation,
            me,
            "<p>refund promised by billing</p>",
            incoming=False,
            private=True,
        )
        fake.add_conversation(self.conversation, self.maria, LATEST, incoming=True)
        fake.rate(self.conversation, -101)
        fake.rate(self.conversation, 103)  # the newest rating counts
        self.mine = [
            fake.add_ticket(f"Question {n}", self.bob, "<p>q</p>", responder=me, status=3)
            for n in range(30)
        ]
        self.resolved = fake.add_ticket("Old", self.bob, "<p>z</p>", responder=me, status=4)
        self.theirs = fake.add_ticket("Theirs", self.bob, "<p>w</p>", responder=other)
        fake.add_conversation(self.conversation, self.maria, "<p>any news?</p>", incoming=True)


@pytest.fixture
def fake() -> Iterator[FreshdeskFake]:
    fake = FreshdeskFake(max_page_size=2)
    with serve(fake.app()) as url:
        fake.base_url = url
        yield fake


@pytest.fixture
def desk(fake: FreshdeskFake) -> Desk:
    return Desk(fake)


@pytest.fixture
def freshdesk(fake: FreshdeskFake) -> Iterator[FreshdeskConnector]:
    connector = registry.open_connector(
        "freshdesk", fake.base_url, "", fake.api_key, http_options=FAST
    )
    assert isinstance(connector, FreshdeskConnector)
    yield connector
    connector.close()


def test_my_open_tickets_reads_every_filter_page(
    fake: FreshdeskFake, desk: Desk, freshdesk: FreshdeskConnector
) -> None:
    tickets = freshdesk.my_open_tickets()

    assert {t.id for t in tickets} == {str(desk.conversation), *map(str, desk.mine)}
    assert [r.query.count("page=") for r in fake.seen("GET", "/api/v2/search/tickets")] == [1, 1]
    assert tickets[0].id == str(desk.conversation)  # updated last
    maria = tickets[0]
    assert (maria.tool, maria.subject, maria.status) == ("freshdesk", "Double charge", "Open")
    assert (maria.requester_name, maria.requester_locale) == ("Maria Lopez", "es")
    assert {t.status for t in tickets[1:]} == {"Pending"}
    assert len(fake.seen("GET", "/api/v2/contacts/")) == 2  # one per requester, cached


def test_ticket_reads_every_conversation_page_as_plain_text(
    fake: FreshdeskFake, desk: Desk, freshdesk: FreshdeskConnector
) -> None:
    ticket = freshdesk.ticket(str(desk.conversation))

    assert len(fake.seen("GET", f"/api/v2/tickets/{desk.conversation}/conversations")) == 2
    assert [(m.author, m.from_customer, m.internal) for m in ticket.messages] == [
        ("Maria Lopez", True, False),
        ("Alex Agent", False, False),
        ("Alex Agent", False, True),
        ("Maria Lopez", True, False),
        ("Maria Lopez", True, False),
    ]
    assert ticket.messages[0].text == "Hola, I was charged twice for my coins."
    assert ticket.messages[3].text == "Still waiting for the refund of order 7781."
    assert ticket.latest_customer_text == "any news?"
    assert ticket.summary.requester_locale == "es"


def test_public_reply_and_internal_note(
    fake: FreshdeskFake, desk: Desk, freshdesk: FreshdeskConnector
) -> None:
    ticket = str(desk.mine[0])
    freshdesk.reply(ticket, "Hi Bob,\nyour login <works> again.")
    freshdesk.reply(ticket, "checked the logs", internal=True)

    assert [r.body for r in fake.seen("POST", f"/api/v2/tickets/{ticket}/reply")] == [
        {"body": "<p>Hi Bob,<br>your login &lt;works&gt; again.</p>"}
    ]
    assert [r.body for r in fake.seen("POST", f"/api/v2/tickets/{ticket}/notes")] == [
        {"body": "<p>checked the logs</p>", "private": True}
    ]
    reply, note = freshdesk.ticket(ticket).messages[-2:]
    assert (reply.author, reply.from_customer, reply.internal) == ("Alex Agent", False, False)
    assert reply.text == "Hi Bob,\nyour login <works> again."
    assert (note.internal, note.text) == (True, "checked the logs")


@pytest.mark.parametrize(
    ("status", "number"),
    [("new", 2), ("open", 2), ("pending", 3), ("resolved", 4), ("closed", 5)],
)
def test_set_status_sends_freshdesk_numbers(
    fake: FreshdeskFake, desk: Desk, freshdesk: FreshdeskConnector, status: Any, number: int
) -> None:
    freshdesk.set_status(str(desk.theirs), status)

    assert fake.tickets[desk.theirs]["status"] == number


def test_take_assigns_to_me(fake: FreshdeskFake, desk: Desk, freshdesk: FreshdeskConnector) -> None:
    assert str(desk.theirs) not in {t.id for t in freshdesk.my_open_tickets()}

    freshdesk.take(str(desk.theirs))

    assert fake.tickets[desk.theirs]["responder_id"] == fake.me
    assert str(desk.theirs) in {t.id for t in freshdesk.my_open_tickets()}
    assert len(fake.seen("GET", "/api/v2/agents/me")) == 1


def test_quality_reads_the_newest_rating_and_reopens(
    fake: FreshdeskFake, desk: Desk, freshdesk: FreshdeskConnector
) -> None:
    fake.rate(desk.mine[1], -103)
    fake.rate(desk.mine[2], 101)

    assert freshdesk.quality(str(desk.conversation)).satisfaction == 1.0
    assert freshdesk.quality(str(desk.conversation)).reopened is True
    assert freshdesk.quality(str(desk.mine[1])).satisfaction == 0.0
    assert freshdesk.quality(str(desk.mine[2])).satisfaction == pytest.approx(4 / 6)
    unrated = freshdesk.quality(str(desk.mine[3]))
    assert (unrated.satisfaction, unrated.reopened) == (None, False)


def test_rate_limit_waits_for_retry_after(
    fake: FreshdeskFake, desk: Desk, freshdesk: FreshdeskConnector
) -> None:
    fake.throttle(times=1, retry_after=1)

    freshdesk.take(str(desk.theirs))

    refused, retried = fake.requests[0], fake.requests[1]
    assert refused.path == retried.path == "/api/v2/agents/me"
    assert retried.at - refused.at >= 1.0
    assert fake.tickets[desk.theirs]["responder_id"] == fake.me


def test_rate_limit_beyond_the_budget_is_reported(fake: FreshdeskFake, desk: Desk) -> None:
    connector = open_connector(
        fake.base_url, "", fake.api_key, http_options={**FAST, "retry_budget": 2.0}
    )
    fake.throttle(times=5, retry_after=3600)

    with pytest.raises(ConnectorRateLimitedError, match=r"freshdesk: POST .*/reply: .*429"):
        connector.reply(str(desk.theirs), "hello")
    assert len(fake.requests) == 1
    connector.close()


def test_wrong_key_is_a_clear_auth_error(fake: FreshdeskFake, desk: Desk) -> None:
    connector = open_connector(fake.base_url, "", "not-the-key", http_options=FAST)

    with pytest.raises(ConnectorAuthError) as caught:
        connector.ticket(str(desk.conversation))
    message = str(caught.value)
    assert message.startswith(f"freshdesk: GET /api/v2/tickets/{desk.conversation}")
    assert "401" in message and "agent-assist connect freshdesk" in message
    assert "not-the-key" not in message
    connector.close()


def test_missing_ticket_and_bad_id(
    fake: FreshdeskFake, desk: Desk, freshdesk: FreshdeskConnector
) -> None:
    with pytest.raises(TicketNotFoundError, match=r"/api/v2/tickets/999999: not found"):
        freshdesk.ticket("999999")
    with pytest.raises(TicketNotFoundError, match=r"/api/v2/tickets/999999: not found"):
        freshdesk.set_status("999999", "resolved")
    count = len(fake.requests)
    with pytest.raises(TicketNotFoundError, match="not a ticket id"):
        freshdesk.take("1/../../agents")
    assert len(fake.requests) == count


def test_connection_refused_is_offline() -> None:
    connector = open_connector(f"http://127.0.0.1:{free_port()}", "", "k", http_options=FAST)

    with pytest.raises(ConnectorOfflineError, match=r"freshdesk: POST /api/v2/tickets/1/reply"):
        connector.reply("1", "hello")
    connector.close()


def test_customer_text_never_reaches_the_log(
    desk: Desk, freshdesk: FreshdeskConnector, fake: FreshdeskFake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.throttle(times=1, retry_after=1)

    freshdesk.my_open_tickets()
    freshdesk.ticket(str(desk.conversation))
    freshdesk.reply(str(desk.conversation), "Hi Maria, the refund promised is on its way")
    freshdesk.set_status(str(desk.conversation), "resolved")
    freshdesk.quality(str(desk.conversation))

    assert any("/api/v2/tickets/" in r.getMessage() for r in caplog.records)
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for words in (*SECRET_WORDS, "Maria", "Lopez", fake.api_key):
        assert words not in logged
