"""The Zendesk connector against a faithful fake of the Support API v2 on a real socket.

Covers every operation of the connector interface, paging (search offset pages and comment
cursor pages, the fake's page size cut to 2), 429 + ``Retry-After``, 401, 404, connection
refused, and that no customer text reaches a log record.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from agent_assist.connectors import registry
from agent_assist.connectors.base import (
    ConnectorAuthError,
    ConnectorError,
    ConnectorOfflineError,
    ConnectorRateLimitedError,
    TicketNotFoundError,
)
from agent_assist.connectors.zendesk import ZendeskConnector, open_connector
from tests.fakes.server import free_port, serve
from tests.fakes.zendesk_fake import ZendeskFake

FAST = {"backoff": 0.01, "attempts": 2, "retry_budget": 10.0}
FIRST = "<div><p>Hola, I was <b>charged twice</b> for my coins.</p></div>"
LATEST = (
    "<div>Still waiting for the refund of order 7781.</div>"
    '<div class="gmail_quote">On Mon, Alex wrote:<blockquote>We are on it</blockquote></div>'
)
SECRET_WORDS = ("charged twice", "order 7781", "We are on it", "refund promised")


class Desk:
    """The seeded account: Maria's ticket (the conversation), two more of mine, one solved,
    one of another agent."""

    def __init__(self, fake: ZendeskFake) -> None:
        self.maria = fake.add_user("Maria Lopez", locale="es")
        self.bob = fake.add_user("Bob Stone", locale="en-GB")
        other = fake.add_user("Olga Other", role="agent")
        me = fake.me
        self.conversation = fake.add_ticket(
            "Double charge",
            self.maria,
            [
                (self.maria, FIRST, True),
                (me, "<p>We are on it</p>", True),
                (me, "<p>refund promised by billing</p>", False),
                (self.maria, LATEST, True),
            ],
            assignee=me,
            satisfaction="good",
            reopens=1,
        )
        self.second = fake.add_ticket(
            "Login",
            self.bob,
            [(self.bob, "<p>x</p>", True)],
            assignee=me,
            status="pending",
            satisfaction="bad",
        )
        self.third = fake.add_ticket(
            "Coins", self.bob, [(self.bob, "<p>y</p>", True)], assignee=me, status="new"
        )
        self.solved = fake.add_ticket(
            "Old", self.bob, [(self.bob, "<p>z</p>", True)], assignee=me, status="solved"
        )
        self.theirs = fake.add_ticket(
            "Theirs", self.bob, [(self.bob, "<p>w</p>", True)], assignee=other
        )


@pytest.fixture
def fake() -> Iterator[ZendeskFake]:
    fake = ZendeskFake(max_page_size=2)
    with serve(fake.app()) as url:
        fake.base_url = url
        yield fake


@pytest.fixture
def desk(fake: ZendeskFake) -> Desk:
    return Desk(fake)


@pytest.fixture
def zendesk(fake: ZendeskFake) -> Iterator[ZendeskConnector]:
    connector = registry.open_connector(
        "zendesk", fake.base_url, fake.agent_email, fake.api_token, http_options=FAST
    )
    assert isinstance(connector, ZendeskConnector)
    yield connector
    connector.close()


def test_my_open_tickets_follows_every_page(
    fake: ZendeskFake, desk: Desk, zendesk: ZendeskConnector
) -> None:
    tickets = zendesk.my_open_tickets()

    assert [t.id for t in tickets] == [str(desk.third), str(desk.second), str(desk.conversation)]
    assert len(fake.seen("GET", "/api/v2/search.json")) == 2  # 3 hits, 2 per page
    maria = tickets[-1]
    assert (maria.tool, maria.subject, maria.status) == ("zendesk", "Double charge", "open")
    assert (maria.requester_name, maria.requester_locale) == ("Maria Lopez", "es")
    assert maria.ref == f"zendesk:{desk.conversation}"
    assert maria.updated.tzinfo is not None
    assert {t.status for t in tickets} == {"open", "pending", "new"}


def test_ticket_reads_every_comment_page_as_plain_text(
    fake: ZendeskFake, desk: Desk, zendesk: ZendeskConnector
) -> None:
    ticket = zendesk.ticket(str(desk.conversation))

    assert len(fake.seen("GET", f"/api/v2/tickets/{desk.conversation}/comments.json")) == 2
    assert [m.author for m in ticket.messages] == [
        "Maria Lopez",
        "Alex Agent",
        "Alex Agent",
        "Maria Lopez",
    ]
    assert [(m.from_customer, m.internal) for m in ticket.messages] == [
        (True, False),
        (False, False),
        (False, True),
        (True, False),
    ]
    assert ticket.messages[0].text == "Hola, I was charged twice for my coins."
    assert ticket.latest_customer_text == "Still waiting for the refund of order 7781."
    assert all("<" not in m.text for m in ticket.messages)
    assert ticket.summary.requester_locale == "es"


def test_public_reply_and_internal_note(
    fake: ZendeskFake, desk: Desk, zendesk: ZendeskConnector
) -> None:
    zendesk.reply(str(desk.second), "Hi Bob,\nyour login works again.")
    zendesk.reply(str(desk.second), "checked the logs", internal=True)

    puts = [r.body for r in fake.seen("PUT", f"/api/v2/tickets/{desk.second}.json")]
    assert puts == [
        {"ticket": {"comment": {"body": "Hi Bob,\nyour login works again.", "public": True}}},
        {"ticket": {"comment": {"body": "checked the logs", "public": False}}},
    ]
    reply, note = zendesk.ticket(str(desk.second)).messages[-2:]
    assert (reply.author, reply.from_customer, reply.internal) == ("Alex Agent", False, False)
    assert reply.text == "Hi Bob,\nyour login works again."
    assert (note.internal, note.text) == (True, "checked the logs")


@pytest.mark.parametrize(
    ("status", "word"),
    [
        ("new", "new"),
        ("open", "open"),
        ("pending", "pending"),
        ("resolved", "solved"),
        ("closed", "closed"),
    ],
)
def test_set_status_maps_to_zendesk_words(
    fake: ZendeskFake, desk: Desk, zendesk: ZendeskConnector, status: Any, word: str
) -> None:
    zendesk.set_status(str(desk.third), status)

    assert fake.tickets[desk.third]["status"] == word


def test_take_assigns_to_me(fake: ZendeskFake, desk: Desk, zendesk: ZendeskConnector) -> None:
    assert str(desk.theirs) not in {t.id for t in zendesk.my_open_tickets()}

    zendesk.take(str(desk.theirs))

    assert fake.tickets[desk.theirs]["assignee_id"] == fake.me
    assert str(desk.theirs) in {t.id for t in zendesk.my_open_tickets()}
    assert len(fake.seen("GET", "/api/v2/users/me.json")) == 1


def test_quality_reads_satisfaction_and_reopens(desk: Desk, zendesk: ZendeskConnector) -> None:
    good = zendesk.quality(str(desk.conversation))
    bad = zendesk.quality(str(desk.second))
    unrated = zendesk.quality(str(desk.third))

    assert (good.satisfaction, good.reopened) == (1.0, True)
    assert (bad.satisfaction, bad.reopened) == (0.0, False)
    assert (unrated.satisfaction, unrated.reopened) == (None, False)


def test_rate_limit_waits_for_retry_after(
    fake: ZendeskFake, desk: Desk, zendesk: ZendeskConnector
) -> None:
    fake.throttle(times=1, retry_after=1)

    assert zendesk.ticket(str(desk.third)).summary.subject == "Coins"

    refused, retried = fake.requests[0], fake.requests[1]
    assert refused.path == retried.path == f"/api/v2/tickets/{desk.third}.json"
    assert retried.at - refused.at >= 1.0


def test_rate_limit_beyond_the_budget_is_reported(fake: ZendeskFake, desk: Desk) -> None:
    connector = open_connector(
        fake.base_url,
        fake.agent_email,
        fake.api_token,
        http_options={**FAST, "retry_budget": 2.0},
    )
    fake.throttle(times=5, retry_after=60)

    with pytest.raises(ConnectorRateLimitedError, match=r"zendesk: GET .*429.*retry after 60"):
        connector.ticket(str(desk.third))
    assert len(fake.requests) == 1
    connector.close()


def test_wrong_token_is_a_clear_auth_error(fake: ZendeskFake, desk: Desk) -> None:
    connector = open_connector(fake.base_url, fake.agent_email, "wrong-token", http_options=FAST)

    with pytest.raises(ConnectorAuthError) as caught:
        connector.my_open_tickets()
    message = str(caught.value)
    assert message.startswith("zendesk: GET /api/v2/search.json")
    assert "401" in message and "agent-assist connect zendesk" in message
    assert "wrong-token" not in message
    connector.close()


def test_missing_ticket_and_bad_id(
    fake: ZendeskFake, desk: Desk, zendesk: ZendeskConnector
) -> None:
    with pytest.raises(TicketNotFoundError, match=r"/api/v2/tickets/999999\.json: not found"):
        zendesk.ticket("999999")
    count = len(fake.requests)
    with pytest.raises(TicketNotFoundError, match="not a ticket id"):
        zendesk.reply("../users/1", "hello")
    assert len(fake.requests) == count


def test_next_page_link_to_another_host_is_refused(
    fake: ZendeskFake, desk: Desk, zendesk: ZendeskConnector
) -> None:
    fake.base_url = f"http://127.0.0.1:{free_port()}"  # the fake's links now point elsewhere

    with pytest.raises(ConnectorError, match="another host"):
        zendesk.my_open_tickets()


def test_connection_refused_is_offline() -> None:
    connector = open_connector(
        f"http://127.0.0.1:{free_port()}", "agent@example.com", "t", http_options=FAST
    )

    with pytest.raises(ConnectorOfflineError, match=r"zendesk: GET /api/v2/search\.json failed"):
        connector.my_open_tickets()
    connector.close()


def test_customer_text_never_reaches_the_log(
    desk: Desk, zendesk: ZendeskConnector, fake: ZendeskFake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.throttle(times=1, retry_after=1)

    zendesk.my_open_tickets()
    zendesk.ticket(str(desk.conversation))
    zendesk.reply(str(desk.conversation), "Hi Maria, the refund promised is on its way")
    zendesk.set_status(str(desk.conversation), "resolved")
    zendesk.quality(str(desk.conversation))

    assert any("/api/v2/tickets/" in r.getMessage() for r in caplog.records)
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for words in (*SECRET_WORDS, "Maria", "Lopez", fake.api_token, fake.agent_email):
        assert words not in logged
