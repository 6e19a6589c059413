"""The Zammad connector against a faithful fake of the REST API v1 on a real socket.

Covers every operation of the connector interface, paging (the search's ``page``/``per_page``
with no total, the fake's page size cut to 100 → 2 pages for 101 tickets), 429 +
``Retry-After``, 401, 404, connection refused, and that no customer text is logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from agent_assist.connectors import registry
from agent_assist.connectors.base import (
    ConnectorAuthError,
    ConnectorOfflineError,
    ConnectorRateLimitedError,
    Quality,
    TicketNotFoundError,
)
from agent_assist.connectors.http import HttpClient
from agent_assist.connectors.zammad import ZammadConnector, open_connector
from tests.fakes.server import free_port, serve
from tests.fakes.zammad_fake import ZammadFake

FAST = {"backoff": 0.01, "attempts": 2, "retry_budget": 10.0}
FIRST = "<div>Hola, I was <b>charged twice</b> for my coins.</div>"
LATEST = "Still waiting for the refund of order 7781.\n\nOn Monday Alex wrote:\n> We are on it"
SECRET_WORDS = ("charged twice", "order 7781", "We are on it", "refund promised")


class Desk:
    """Maria's ticket (the conversation), 100 more of mine (two search pages), one closed,
    one of another agent."""

    def __init__(self, fake: ZammadFake) -> None:
        self.maria = fake.add_user("Maria", "Lopez", locale="es-es")
        self.bob = fake.add_user("Bob", "Stone")
        other = fake.add_user("Olga", "Other", role_ids=[2])
        me = fake.me
        self.conversation = fake.add_ticket("Double charge", self.maria, owner=me)
        fake.add_article(self.conversation, self.maria, FIRST, sender="Customer")
        fake.add_article(self.conversation, me, "<p>We are on it</p>", sender="Agent")
        fake.add_article(
            self.conversation, me, "<p>refund promised by billing</p>", sender="Agent",
            internal=True, kind="note",
        )  # fmt: skip
        fake.add_article(
            self.conversation, self.maria, LATEST, sender="Customer", content_type="text/plain"
        )
        fake.change_state(self.conversation, "closed")
        fake.change_state(self.conversation, "open")  # reopened
        self.mine = [
            fake.add_ticket(f"Question {n}", self.bob, owner=me, state="pending reminder")
            for n in range(100)
        ]
        self.closed = fake.add_ticket("Old", self.bob, owner=me, state="closed")
        self.theirs = fake.add_ticket("Theirs", self.bob, owner=other, state="new")


@pytest.fixture
def fake() -> Iterator[ZammadFake]:
    fake = ZammadFake()
    with serve(fake.app()) as url:
        fake.base_url = url
        yield fake


@pytest.fixture
def desk(fake: ZammadFake) -> Desk:
    return Desk(fake)


@pytest.fixture
def zammad(fake: ZammadFake) -> Iterator[ZammadConnector]:
    connector = registry.open_connector("zammad", fake.base_url, "", fake.token, http_options=FAST)
    assert isinstance(connector, ZammadConnector)
    yield connector
    connector.close()


def test_my_open_tickets_reads_pages_until_a_short_one(
    fake: ZammadFake, desk: Desk, zammad: ZammadConnector
) -> None:
    tickets = zammad.my_open_tickets()

    assert {t.id for t in tickets} == {str(desk.conversation), *map(str, desk.mine)}
    assert len(fake.seen("GET", "/api/v1/tickets/search")) == 2
    assert tickets[-1].id == str(desk.conversation)  # updated first, sorted newest first
    maria = tickets[-1]
    assert (maria.tool, maria.subject, maria.status) == ("zammad", "Double charge", "open")
    assert (maria.requester_name, maria.requester_locale) == ("Maria Lopez", "es-es")
    assert {t.status for t in tickets[:-1]} == {"pending reminder"}
    assert tickets[0].requester_locale is None  # Bob never chose a language
    users = [r.path for r in fake.seen("GET", "/api/v1/users/")]
    assert users == ["/api/v1/users/me"]  # the requesters came in the search's assets


def test_ticket_reads_articles_as_plain_text(desk: Desk, zammad: ZammadConnector) -> None:
    ticket = zammad.ticket(str(desk.conversation))

    assert [(m.author, m.from_customer, m.internal) for m in ticket.messages] == [
        ("Maria Lopez", True, False),
        ("Alex Agent", False, False),
        ("Alex Agent", False, True),
        ("Maria Lopez", True, False),
    ]
    assert ticket.messages[0].text == "Hola, I was charged twice for my coins."
    assert ticket.latest_customer_text == "Still waiting for the refund of order 7781."
    assert ticket.summary.requester_locale == "es-es"


def test_public_reply_and_internal_note(
    fake: ZammadFake, desk: Desk, zammad: ZammadConnector
) -> None:
    zammad.reply(str(desk.conversation), "Hi Maria,\nthe refund is on its way.")
    zammad.reply(str(desk.conversation), "checked billing", internal=True)

    posted = [r.body for r in fake.seen("POST", "/api/v1/ticket_articles")]
    maria = fake.users[desk.maria]["email"]
    assert posted == [
        {"ticket_id": desk.conversation, "body": "<p>Hi Maria,<br>the refund is on its way.</p>",
         "content_type": "text/html", "sender": "Agent", "internal": False, "type": "email",
         "to": maria, "subject": "Double charge"},
        {"ticket_id": desk.conversation, "body": "<p>checked billing</p>",
         "content_type": "text/html", "sender": "Agent", "internal": True, "type": "note"},
    ]  # fmt: skip
    reply, note = zammad.ticket(str(desk.conversation)).messages[-2:]
    assert (reply.author, reply.from_customer, reply.internal) == ("Alex Agent", False, False)
    assert reply.text == "Hi Maria,\nthe refund is on its way."
    assert (note.internal, note.text) == (True, "checked billing")


@pytest.mark.parametrize(
    ("status", "state"),
    [("new", "new"), ("open", "open"), ("pending", "pending reminder"), ("resolved", "closed"),
     ("closed", "closed")],
)  # fmt: skip
def test_set_status_maps_to_zammad_states(
    fake: ZammadFake, desk: Desk, status: Any, state: str
) -> None:
    now = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    http = HttpClient(
        "zammad", fake.base_url, headers={"Authorization": f"Token token={fake.token}"}
    )
    connector = ZammadConnector(http, clock=lambda: now)

    connector.set_status(str(desk.theirs), status)

    assert fake.history[desk.theirs][-1]["value_to"] == state
    sent = fake.seen("PUT", f"/api/v1/tickets/{desk.theirs}")[-1].body
    if status == "pending":
        assert sent == {"state": "pending reminder", "pending_time": "2026-03-03T12:00:00Z"}
    else:
        assert sent == {"state": state}
    connector.close()


def test_take_assigns_to_me(fake: ZammadFake, desk: Desk, zammad: ZammadConnector) -> None:
    assert str(desk.theirs) not in {t.id for t in zammad.my_open_tickets()}

    zammad.take(str(desk.theirs))

    assert fake.tickets[desk.theirs]["owner_id"] == fake.me
    assert str(desk.theirs) in {t.id for t in zammad.my_open_tickets()}
    assert len(fake.seen("GET", "/api/v1/users/me")) == 1


def test_quality_reads_reopens_from_the_history(
    fake: ZammadFake, desk: Desk, zammad: ZammadConnector
) -> None:
    fake.change_state(desk.mine[0], "closed")

    assert zammad.quality(str(desk.conversation)) == Quality(satisfaction=None, reopened=True)
    closed_once = zammad.quality(str(desk.mine[0]))
    assert (closed_once.satisfaction, closed_once.reopened) == (None, False)


def test_rate_limit_waits_for_retry_after(
    fake: ZammadFake, desk: Desk, zammad: ZammadConnector
) -> None:
    fake.throttle(times=1, retry_after=1)

    zammad.reply(str(desk.conversation), "note", internal=True)

    refused, retried = fake.requests[0], fake.requests[1]
    assert refused.path == retried.path == "/api/v1/ticket_articles"
    assert retried.at - refused.at >= 1.0
    assert len(fake.articles[desk.conversation]) == 5  # posted once


def test_rate_limit_beyond_the_budget_is_reported(fake: ZammadFake, desk: Desk) -> None:
    connector = open_connector(
        fake.base_url, "", fake.token, http_options={**FAST, "retry_budget": 2.0}
    )
    fake.throttle(times=5, retry_after=120)

    with pytest.raises(ConnectorRateLimitedError, match=r"zammad: GET /api/v1/users/me: .*429"):
        connector.my_open_tickets()
    connector.close()


def test_wrong_token_is_a_clear_auth_error(fake: ZammadFake, desk: Desk) -> None:
    connector = open_connector(fake.base_url, "", "stale-token", http_options=FAST)

    with pytest.raises(ConnectorAuthError) as caught:
        connector.take(str(desk.theirs))
    message = str(caught.value)
    assert message.startswith("zammad: GET /api/v1/users/me")
    assert "401" in message and "agent-assist connect zammad" in message
    assert "stale-token" not in message
    connector.close()


def test_missing_ticket_and_bad_id(fake: ZammadFake, desk: Desk, zammad: ZammadConnector) -> None:
    with pytest.raises(TicketNotFoundError, match=r"/api/v1/tickets/999999: not found"):
        zammad.ticket("999999")
    count = len(fake.requests)
    with pytest.raises(TicketNotFoundError, match="not a ticket id"):
        zammad.quality("1 OR 1=1")
    assert len(fake.requests) == count


def test_connection_refused_is_offline() -> None:
    connector = open_connector(f"http://127.0.0.1:{free_port()}", "", "t", http_options=FAST)

    with pytest.raises(ConnectorOfflineError, match=r"zammad: GET /api/v1/tickets/7 failed"):
        connector.ticket("7")
    connector.close()


def test_customer_text_never_reaches_the_log(
    desk: Desk, zammad: ZammadConnector, fake: ZammadFake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.throttle(times=1, retry_after=1)

    zammad.my_open_tickets()
    zammad.ticket(str(desk.conversation))
    zammad.reply(str(desk.conversation), "Hi Maria, the refund promised is on its way")
    zammad.set_status(str(desk.conversation), "resolved")
    zammad.quality(str(desk.conversation))

    assert any("/api/v1/tickets/" in r.getMessage() for r in caplog.records)
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for words in (*SECRET_WORDS, "Maria", "Lopez", fake.token):
        assert words not in logged
