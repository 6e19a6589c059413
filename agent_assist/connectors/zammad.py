"""Zammad (REST API v1): the agent's open tickets, their articles, replies and state.

Authentication is an access token: ``Authorization: Token token={secret}`` (``user`` is not
needed).  What it calls, and why:

* my open tickets: ``GET /api/v1/users/me`` (the agent's id) and
  ``GET /api/v1/tickets/search?query=owner.id:{me} AND state.name:(new OR open OR …)`` page by
  page (``page``/``per_page``; Zammad gives no total, so reading stops at a short page); the
  requesters come in the reply's ``assets.User`` (name, ``preferences.locale``), the state names
  from ``GET /api/v1/ticket_states`` (read once);
* a ticket: ``GET /api/v1/tickets/{id}``, its customer ``GET /api/v1/users/{id}`` and
  ``GET /api/v1/ticket_articles/by_ticket/{id}``; ``sender`` ``Customer`` marks the customer's
  articles, ``internal`` the notes, ``text/html`` bodies become plain text;
* reply / internal note: ``POST /api/v1/ticket_articles`` (an ``email`` to the customer, or an
  ``internal`` ``note``);
* state / take: ``PUT /api/v1/tickets/{id}`` with ``state`` (a pending state needs a
  ``pending_time``: one day ahead) or ``owner_id``;
* quality: Zammad has no satisfaction rating; reopened means the ticket history
  (``GET /api/v1/ticket_history/{id}``) shows its state leaving ``closed``.

The search's field syntax needs Zammad's Elasticsearch index (on in every standard install).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from agent_assist.connectors.base import (
    ConnectorError,
    Message,
    Quality,
    Status,
    Ticket,
    TicketNotFoundError,
    TicketSummary,
)
from agent_assist.connectors.cloud import (
    MAX_PAGES,
    BoundedCache,
    as_dict,
    as_list,
    display_name,
    numeric_id,
    parse_time,
    text_to_html,
)
from agent_assist.connectors.http import HttpClient
from agent_assist.connectors.text import html_to_text, plain_text

TOOL = "zammad"
STATE_NAMES: dict[Status, str] = {
    "new": "new",
    "open": "open",
    "pending": "pending reminder",
    "resolved": "closed",  # Zammad has no "solved": closing is resolving
    "closed": "closed",
}
OPEN_STATES = ("new", "open", "pending reminder")
CLOSED_STATES = frozenset({"closed", "merged"})
PENDING_FOR = dt.timedelta(days=1)
PAGE_SIZE = 100
SENDER_IDS = {1: "Agent", 2: "Customer", 3: "System"}
"""Zammad's default article senders, for replies that carry only ``sender_id``."""


def open_connector(
    url: str, user: str, secret: str, *, http_options: Mapping[str, Any] | None = None
) -> ZammadConnector:
    """A connector for the Zammad at ``url`` with the agent's access token ``secret``
    (rights: ``ticket.agent``); ``user`` is unused (the token names the agent)."""
    del user
    headers = {"Authorization": f"Token token={secret}"}
    return ZammadConnector(HttpClient(TOOL, url, headers=headers, **dict(http_options or {})))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ZammadConnector:
    """:class:`~agent_assist.connectors.base.Connector` for Zammad.  ``clock`` dates the
    reminder of a pending state."""

    tool = TOOL

    def __init__(self, http: HttpClient, clock: Callable[[], dt.datetime] = _now) -> None:
        self._http = http
        self._clock = clock
        self._users: BoundedCache[int, dict[str, Any]] = BoundedCache()
        self._states: dict[int, str] | None = None
        self._me: int | None = None

    def close(self) -> None:
        self._http.close()

    # -- reading -----------------------------------------------------------------------------
    def my_open_tickets(self) -> list[TicketSummary]:
        states = " OR ".join(f'"{s}"' if " " in s else s for s in OPEN_STATES)
        query = f"owner.id:{self._my_id()} AND state.name:({states})"
        summaries: list[TicketSummary] = []
        for page in range(1, MAX_PAGES + 1):
            params: dict[str, str | int] = {
                "query": query,
                "page": page,
                "per_page": PAGE_SIZE,
                "sort_by": "updated_at",
                "order_by": "desc",
            }
            found = self._http.json("GET", "/api/v1/tickets/search", params=params)
            data = as_dict(TOOL, found, "the ticket search")
            ids = as_list(TOOL, data.get("tickets", []), "the ticket search")
            assets = as_dict(TOOL, data.get("assets") or {}, "the search's assets")
            tickets = assets.get("Ticket") or {}
            for user in (assets.get("User") or {}).values():
                if isinstance(user, dict) and isinstance(user.get("id"), int):
                    self._users.put(user["id"], user)
            for tid in ids:
                ticket = tickets.get(str(tid)) if isinstance(tickets, dict) else None
                if isinstance(ticket, dict):
                    summaries.append(self._summary(ticket, self._user(ticket.get("customer_id"))))
            if len(ids) < PAGE_SIZE:
                break
        return summaries

    def ticket(self, ticket_id: str) -> Ticket:
        tid = numeric_id(TOOL, ticket_id)
        ticket = as_dict(TOOL, self._http.json("GET", f"/api/v1/tickets/{tid}"), "a ticket")
        customer = self._user(ticket.get("customer_id"))
        articles = as_list(
            TOOL, self._http.json("GET", f"/api/v1/ticket_articles/by_ticket/{tid}"), "articles"
        )
        messages = [self._message(a) for a in articles if isinstance(a, dict)]
        messages.sort(key=lambda m: m.created)
        return Ticket(self._summary(ticket, customer), tuple(messages))

    def quality(self, ticket_id: str) -> Quality:
        tid = numeric_id(TOOL, ticket_id)
        data = as_dict(TOOL, self._http.json("GET", f"/api/v1/ticket_history/{tid}"), "history")
        reopened = any(
            isinstance(h, dict)
            and h.get("attribute") == "state"
            and h.get("value_from") in CLOSED_STATES
            and h.get("value_to") not in CLOSED_STATES
            for h in as_list(TOOL, data.get("history", []), "history")
        )
        return Quality(satisfaction=None, reopened=reopened)

    # -- writing -----------------------------------------------------------------------------
    def reply(self, ticket_id: str, text: str, *, internal: bool = False) -> None:
        tid = numeric_id(TOOL, ticket_id)
        article: dict[str, Any] = {
            "ticket_id": int(tid),
            "body": text_to_html(text),
            "content_type": "text/html",
            "sender": "Agent",
            "internal": internal,
            "type": "note" if internal else "email",
        }
        if not internal:  # an e-mail to the customer needs its address and a subject
            ticket = as_dict(TOOL, self._http.json("GET", f"/api/v1/tickets/{tid}"), "a ticket")
            customer = self._user(ticket.get("customer_id"))
            if not customer.get("email"):
                raise ConnectorError(
                    f"zammad: ticket {tid}'s customer has no e-mail address to reply to"
                )
            article["to"] = customer["email"]
            article["subject"] = str(ticket.get("title") or "")
        self._http.json("POST", "/api/v1/ticket_articles", body=article)

    def set_status(self, ticket_id: str, status: Status) -> None:
        tid = numeric_id(TOOL, ticket_id)
        change: dict[str, Any] = {"state": STATE_NAMES[status]}
        if status == "pending":
            change["pending_time"] = (self._clock() + PENDING_FOR).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._http.json("PUT", f"/api/v1/tickets/{tid}", body=change)

    def take(self, ticket_id: str) -> None:
        tid = numeric_id(TOOL, ticket_id)
        self._http.json("PUT", f"/api/v1/tickets/{tid}", body={"owner_id": self._my_id()})

    # -- helpers -----------------------------------------------------------------------------
    def _my_id(self) -> int:
        if self._me is None:
            me = as_dict(TOOL, self._http.json("GET", "/api/v1/users/me"), "users/me")
            if not isinstance(me.get("id"), int):
                raise ConnectorError("zammad: /api/v1/users/me did not name the agent")
            self._me = int(me["id"])
        return self._me

    def _state_name(self, state_id: Any) -> str:
        if self._states is None:
            states = as_list(TOOL, self._http.json("GET", "/api/v1/ticket_states"), "states")
            self._states = {
                s["id"]: str(s.get("name", ""))
                for s in states
                if isinstance(s, dict) and isinstance(s.get("id"), int)
            }
        return self._states.get(state_id, "") if isinstance(state_id, int) else ""

    def _user(self, user_id: Any) -> dict[str, Any]:
        """A user (name, e-mail, locale) from the cache or ``/api/v1/users/{id}``."""
        if not isinstance(user_id, int):
            return {}
        user = self._users.get(user_id)
        if user is None:
            try:
                user = as_dict(TOOL, self._http.json("GET", f"/api/v1/users/{user_id}"), "a user")
            except TicketNotFoundError:  # a deleted user
                user = {}
            self._users.put(user_id, user)
        return user

    def _summary(self, ticket: dict[str, Any], customer: dict[str, Any]) -> TicketSummary:
        preferences = customer.get("preferences")
        locale = preferences.get("locale") if isinstance(preferences, dict) else None
        return TicketSummary(
            tool=TOOL,
            id=str(ticket.get("id", "")),
            subject=str(ticket.get("title") or ""),
            status=self._state_name(ticket.get("state_id")),
            requester_name=_full_name(customer),
            requester_locale=locale if isinstance(locale, str) and locale else None,
            updated=parse_time(TOOL, ticket.get("updated_at")),
        )

    @staticmethod
    def _message(article: dict[str, Any]) -> Message:
        body = str(article.get("body") or "")
        html = str(article.get("content_type", "")).startswith("text/html")
        sender_id = article.get("sender_id")
        sender = article.get("sender") or SENDER_IDS.get(
            sender_id if isinstance(sender_id, int) else 0
        )
        return Message(
            author=display_name(str(article.get("from") or article.get("created_by") or "")),
            from_customer=sender == "Customer",
            internal=bool(article.get("internal")),
            text=html_to_text(body) if html else plain_text(body),
            created=parse_time(TOOL, article.get("created_at")),
        )


def _full_name(user: dict[str, Any]) -> str:
    name = " ".join(str(user.get(k) or "").strip() for k in ("firstname", "lastname")).strip()
    return name or str(user.get("email") or user.get("login") or "")
