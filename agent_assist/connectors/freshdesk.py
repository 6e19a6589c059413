"""Freshdesk (API v2): the agent's open tickets, their conversations, replies and status.

Authentication is the agent's API key as a Basic user name with ``X`` as password (``user`` is
not needed).  What it calls, and why:

* my open tickets: ``GET /api/v2/agents/me`` (the agent's id), then the documented filter
  ``GET /api/v2/search/tickets?query="agent_id:{me} AND (status:2 OR status:3)"`` page by page
  (30 a page, at most 10 pages: the API's own limit), and each requester's contact
  (``/api/v2/contacts/{id}``, cached) for the name and ``language``;
* a ticket: ``GET /api/v2/tickets/{id}?include=requester`` (the first message is the ticket's
  ``description``) and ``/conversations`` page by page through the ``Link: rel="next"``
  header (``include=conversations`` would stop at ten); ``incoming`` conversations are the
  customer's, ``private`` ones are notes;
* reply: ``POST …/reply``; internal note: ``POST …/notes`` with ``private: true`` (bodies are
  HTML, so the plain reply is escaped into paragraphs);
* status / take: ``PUT /api/v2/tickets/{id}`` with ``status`` (2 open, 3 pending, 4 resolved,
  5 closed) or ``responder_id``;
* quality: the newest of ``/api/v2/tickets/{id}/satisfaction_ratings`` (``default_question``
  on the 103 … -103 scale, mapped onto 1 … 0) and ``stats.reopened_at``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
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
    numeric_id,
    parse_time,
    same_tool_path,
    text_to_html,
)
from agent_assist.connectors.http import HttpClient
from agent_assist.connectors.text import html_to_text, plain_text

TOOL = "freshdesk"
STATUS_NUMBERS: dict[Status, int] = {
    "new": 2,  # Freshdesk has no "new": a new ticket is Open
    "open": 2,
    "pending": 3,
    "resolved": 4,
    "closed": 5,
}
STATUS_NAMES = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}
OPEN_STATUSES = (2, 3)
SEARCH_PAGE_SIZE = 30
SEARCH_MAX_PAGES = 10
RATING_SCALE = {103: 1.0, 102: 5 / 6, 101: 4 / 6, 100: 0.5, -101: 2 / 6, -102: 1 / 6, -103: 0.0}
"""``ratings.default_question``: custom surveys use all seven points, classic surveys 103
(happy), 100 (neutral) and -103 (unhappy)."""
_NEXT = re.compile(r'<([^<>]+)>\s*;\s*rel="?next"?')


def open_connector(
    url: str, user: str, secret: str, *, http_options: Mapping[str, Any] | None = None
) -> FreshdeskConnector:
    """A connector for the helpdesk at ``url`` (``https://{domain}.freshdesk.com``) with the
    agent's API key ``secret``; ``user`` is unused (the key names the agent)."""
    del user
    http = HttpClient(TOOL, url, auth=(secret, "X"), **dict(http_options or {}))
    return FreshdeskConnector(http)


class FreshdeskConnector:
    """:class:`~agent_assist.connectors.base.Connector` for Freshdesk."""

    tool = TOOL

    def __init__(self, http: HttpClient) -> None:
        self._http = http
        self._contacts: BoundedCache[int, dict[str, Any]] = BoundedCache()
        self._agents: BoundedCache[int, str] = BoundedCache()
        self._me: int | None = None

    def close(self) -> None:
        self._http.close()

    # -- reading -----------------------------------------------------------------------------
    def my_open_tickets(self) -> list[TicketSummary]:
        statuses = " OR ".join(f"status:{s}" for s in OPEN_STATUSES)
        query = f'"agent_id:{self._my_id()} AND ({statuses})"'
        tickets: list[dict[str, Any]] = []
        for page in range(1, SEARCH_MAX_PAGES + 1):
            data = as_dict(
                TOOL,
                self._http.json(
                    "GET", "/api/v2/search/tickets", params={"query": query, "page": page}
                ),
                "the ticket filter",
            )
            results = [
                r for r in as_list(TOOL, data.get("results", []), "results") if isinstance(r, dict)
            ]
            tickets.extend(results)
            total = data.get("total")
            if len(results) < SEARCH_PAGE_SIZE or (
                isinstance(total, int) and len(tickets) >= total
            ):
                break
        summaries = [self._summary(t, self._contact(t.get("requester_id"))) for t in tickets]
        return sorted(summaries, key=lambda s: s.updated, reverse=True)

    def ticket(self, ticket_id: str) -> Ticket:
        tid = numeric_id(TOOL, ticket_id)
        ticket = as_dict(
            TOOL,
            self._http.json("GET", f"/api/v2/tickets/{tid}", params={"include": "requester"}),
            "a ticket",
        )
        requester_id = ticket.get("requester_id")
        contact = self._contact(requester_id)
        requester_name = str(contact.get("name") or "")
        first = Message(
            author=requester_name,
            from_customer=True,
            internal=False,
            text=self._text(ticket.get("description"), ticket.get("description_text")),
            created=parse_time(TOOL, ticket.get("created_at")),
        )
        messages = [first]
        for conv in self._conversations(tid):
            mine = conv.get("user_id") == requester_id
            author = requester_name if mine else self._agent_name(conv.get("user_id"))
            messages.append(
                Message(
                    author=author,
                    from_customer=bool(conv.get("incoming")) or mine,
                    internal=bool(conv.get("private")),
                    text=self._text(conv.get("body"), conv.get("body_text")),
                    created=parse_time(TOOL, conv.get("created_at")),
                )
            )
        messages.sort(key=lambda m: m.created)
        return Ticket(self._summary(ticket, contact), tuple(messages))

    def quality(self, ticket_id: str) -> Quality:
        tid = numeric_id(TOOL, ticket_id)
        rated = as_list(
            TOOL,
            self._http.json("GET", f"/api/v2/tickets/{tid}/satisfaction_ratings") or [],
            "satisfaction ratings",
        )
        ratings = [r for r in rated if isinstance(r, dict) and isinstance(r.get("ratings"), dict)]
        satisfaction = None
        if ratings:
            newest = max(ratings, key=lambda r: str(r.get("created_at", "")))
            satisfaction = RATING_SCALE.get(newest["ratings"].get("default_question"))
        ticket = as_dict(
            TOOL,
            self._http.json("GET", f"/api/v2/tickets/{tid}", params={"include": "stats"}),
            "a ticket",
        )
        stats = ticket.get("stats")
        reopened = bool(stats.get("reopened_at")) if isinstance(stats, dict) else None
        return Quality(satisfaction, reopened)

    # -- writing -----------------------------------------------------------------------------
    def reply(self, ticket_id: str, text: str, *, internal: bool = False) -> None:
        tid = numeric_id(TOOL, ticket_id)
        if internal:
            body: dict[str, Any] = {"body": text_to_html(text), "private": True}
            self._http.json("POST", f"/api/v2/tickets/{tid}/notes", body=body)
        else:
            self._http.json(
                "POST", f"/api/v2/tickets/{tid}/reply", body={"body": text_to_html(text)}
            )

    def set_status(self, ticket_id: str, status: Status) -> None:
        tid = numeric_id(TOOL, ticket_id)
        self._http.json("PUT", f"/api/v2/tickets/{tid}", body={"status": STATUS_NUMBERS[status]})

    def take(self, ticket_id: str) -> None:
        tid = numeric_id(TOOL, ticket_id)
        self._http.json("PUT", f"/api/v2/tickets/{tid}", body={"responder_id": self._my_id()})

    # -- helpers -----------------------------------------------------------------------------
    def _my_id(self) -> int:
        if self._me is None:
            me = as_dict(TOOL, self._http.json("GET", "/api/v2/agents/me"), "agents/me")
            if not isinstance(me.get("id"), int):
                raise ConnectorError("freshdesk: /api/v2/agents/me did not name the agent")
            self._me = int(me["id"])
        return self._me

    def _conversations(self, tid: str) -> Iterator[dict[str, Any]]:
        """A ticket's conversations across pages, following the ``Link`` header."""
        path = f"/api/v2/tickets/{tid}/conversations"
        response = self._http.request("GET", path, params={"per_page": 100})
        for _ in range(MAX_PAGES):
            try:
                items = json.loads(response.content or b"[]")
            except ValueError:
                raise ConnectorError(
                    f"freshdesk: GET {path} returned a body that is not JSON"
                ) from None
            for item in as_list(TOOL, items, "conversations"):
                if isinstance(item, dict):
                    yield item
            match = _NEXT.search(response.headers.get("Link", ""))
            if match is None:
                return
            response = self._http.request(
                "GET", same_tool_path(TOOL, self._http.base_url, match.group(1))
            )

    def _contact(self, contact_id: Any) -> dict[str, Any]:
        """A requester's contact (name, language); empty if the tool no longer has it."""
        if not isinstance(contact_id, int):
            return {}
        cached = self._contacts.get(contact_id)
        if cached is None:
            try:
                data = self._http.json("GET", f"/api/v2/contacts/{contact_id}")
            except TicketNotFoundError:  # a deleted contact, or an agent as requester
                data = {}
            cached = as_dict(TOOL, data or {}, "a contact")
            self._contacts.put(contact_id, cached)
        return cached

    def _agent_name(self, agent_id: Any) -> str:
        if not isinstance(agent_id, int):
            return ""
        name = self._agents.get(agent_id)
        if name is None:
            try:
                agent = as_dict(TOOL, self._http.json("GET", f"/api/v2/agents/{agent_id}"), "agent")
            except TicketNotFoundError:  # a CC'd contact or a deleted agent
                agent = {}
            contact = agent.get("contact")
            name = str(contact.get("name") or "") if isinstance(contact, dict) else ""
            self._agents.put(agent_id, name)
        return name

    @staticmethod
    def _text(html: Any, text: Any) -> str:
        if isinstance(html, str) and html.strip():
            return html_to_text(html)
        return plain_text(str(text or ""))

    @staticmethod
    def _summary(ticket: dict[str, Any], contact: dict[str, Any]) -> TicketSummary:
        status = ticket.get("status")
        language = contact.get("language")
        return TicketSummary(
            tool=TOOL,
            id=str(ticket.get("id", "")),
            subject=str(ticket.get("subject") or ""),
            status=STATUS_NAMES.get(status, str(status)) if isinstance(status, int) else "",
            requester_name=str(contact.get("name") or ""),
            requester_locale=language if isinstance(language, str) and language else None,
            updated=parse_time(TOOL, ticket.get("updated_at")),
        )
