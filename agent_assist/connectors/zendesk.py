"""Zendesk Support (API v2): the agent's open tickets, their comments, replies and status.

Authentication is an API token: Basic ``{email}/token:{api_token}`` (``user`` is the agent's
e-mail address).  What it calls, and why:

* my open tickets: ``GET /api/v2/search.json?query=type:ticket assignee:me status<solved``
  (offset pages, following ``next_page``), then the requesters in one
  ``GET /api/v2/users/show_many.json?ids=…`` per 100 for their name and ``locale``;
* a ticket: ``GET /api/v2/tickets/{id}.json`` and ``/comments.json`` with cursor pages
  (``page[size]``; ``meta.has_more`` + ``links.next``); a comment is the customer's when its
  author's ``role`` is ``end-user``; ``html_body`` becomes plain text;
* reply / internal note / status / take: ``PUT /api/v2/tickets/{id}.json`` with a ``comment``
  (``public`` true or false), a ``status`` or an ``assignee_id`` (from ``users/me.json``);
* quality: the ticket's ``satisfaction_rating.score`` (good → 1, bad → 0) and the ticket
  metric's ``reopens``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator, Mapping
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
)
from agent_assist.connectors.http import HttpClient
from agent_assist.connectors.text import html_to_text, plain_text

TOOL = "zendesk"
STATUS_WORDS: dict[Status, str] = {
    "new": "new",
    "open": "open",
    "pending": "pending",
    "resolved": "solved",
    "closed": "closed",
}
SCORES = {"good": 1.0, "bad": 0.0}
"""``satisfaction_rating.score``; ``offered``/``unoffered`` mean no rating was given."""
MY_OPEN_QUERY = "type:ticket assignee:me status<solved"
SEARCH_MAX_PAGES = 10
"""The search API serves at most 1,000 results (10 pages of 100) and refuses page 11."""


def open_connector(
    url: str, user: str, secret: str, *, http_options: Mapping[str, Any] | None = None
) -> ZendeskConnector:
    """A connector for the Zendesk account at ``url`` (``https://{subdomain}.zendesk.com``),
    as the agent whose e-mail is ``user``, with API token ``secret``."""
    if not user.strip():
        raise ConnectorError("zendesk: the agent's e-mail address is needed (--user)")
    credentials = base64.b64encode(f"{user.strip()}/token:{secret}".encode()).decode()
    http = HttpClient(
        TOOL, url, headers={"Authorization": f"Basic {credentials}"}, **dict(http_options or {})
    )
    return ZendeskConnector(http)


class ZendeskConnector:
    """:class:`~agent_assist.connectors.base.Connector` for Zendesk Support."""

    tool = TOOL

    def __init__(self, http: HttpClient) -> None:
        self._http = http
        self._users: BoundedCache[int, dict[str, Any]] = BoundedCache()
        self._me: int | None = None

    def close(self) -> None:
        self._http.close()

    # -- reading -----------------------------------------------------------------------------
    def my_open_tickets(self) -> list[TicketSummary]:
        params = {"query": MY_OPEN_QUERY, "sort_by": "updated_at", "sort_order": "desc"}
        tickets = [
            hit
            for hit in self._offset_pages("/api/v2/search.json", {**params, "per_page": 100})
            if isinstance(hit, dict) and hit.get("result_type", "ticket") == "ticket"
        ]
        users = self._lookup_users(t.get("requester_id") for t in tickets)
        return [self._summary(t, users.get(t.get("requester_id"))) for t in tickets]

    def ticket(self, ticket_id: str) -> Ticket:
        tid = numeric_id(TOOL, ticket_id)
        data = as_dict(TOOL, self._http.json("GET", f"/api/v2/tickets/{tid}.json"), "a ticket")
        ticket = as_dict(TOOL, data.get("ticket"), "a ticket")
        comments = list(self._cursor_pages(f"/api/v2/tickets/{tid}/comments.json"))
        authors = {c.get("author_id") for c in comments if isinstance(c, dict)}
        users = self._lookup_users([ticket.get("requester_id"), *authors])
        requester_id = ticket.get("requester_id")
        messages = tuple(
            self._message(c, users, requester_id) for c in comments if isinstance(c, dict)
        )
        summary = self._summary(ticket, users.get(requester_id))
        return Ticket(summary, tuple(sorted(messages, key=lambda m: m.created)))

    def quality(self, ticket_id: str) -> Quality:
        tid = numeric_id(TOOL, ticket_id)
        data = as_dict(TOOL, self._http.json("GET", f"/api/v2/tickets/{tid}.json"), "a ticket")
        rating = as_dict(TOOL, data.get("ticket"), "a ticket").get("satisfaction_rating")
        score = rating.get("score") if isinstance(rating, dict) else None
        try:
            metric = self._http.json("GET", f"/api/v2/tickets/{tid}/metrics.json")
        except TicketNotFoundError:  # archived tickets have no metric
            reopened = None
        else:
            reopens = as_dict(TOOL, metric, "ticket metrics").get("ticket_metric", {})
            count = reopens.get("reopens") if isinstance(reopens, dict) else None
            reopened = count > 0 if isinstance(count, int) else None
        return Quality(SCORES.get(score) if isinstance(score, str) else None, reopened)

    # -- writing -----------------------------------------------------------------------------
    def reply(self, ticket_id: str, text: str, *, internal: bool = False) -> None:
        self._update(ticket_id, {"comment": {"body": text, "public": not internal}})

    def set_status(self, ticket_id: str, status: Status) -> None:
        self._update(ticket_id, {"status": STATUS_WORDS[status]})

    def take(self, ticket_id: str) -> None:
        self._update(ticket_id, {"assignee_id": self._my_id()})

    def _update(self, ticket_id: str, changes: dict[str, Any]) -> None:
        tid = numeric_id(TOOL, ticket_id)
        self._http.json("PUT", f"/api/v2/tickets/{tid}.json", body={"ticket": changes})

    # -- helpers -----------------------------------------------------------------------------
    def _my_id(self) -> int:
        if self._me is None:
            me = as_dict(TOOL, self._http.json("GET", "/api/v2/users/me.json"), "users/me")
            uid = as_dict(TOOL, me.get("user"), "users/me").get("id")
            if not isinstance(uid, int):
                raise ConnectorError("zendesk: users/me.json did not name the signed-in agent")
            self._me = uid
        return self._me

    def _offset_pages(self, path: str, params: dict[str, str | int]) -> Iterator[Any]:
        """Search results across offset pages, following ``next_page`` (same host only)."""
        page: dict[str, Any] = as_dict(TOOL, self._http.json("GET", path, params=params), path)
        for _ in range(SEARCH_MAX_PAGES):
            yield from as_list(TOOL, page.get("results", []), path)
            following = page.get("next_page")
            if not isinstance(following, str) or not following:
                return
            relative = same_tool_path(TOOL, self._http.base_url, following)
            page = as_dict(TOOL, self._http.json("GET", relative), path)

    def _cursor_pages(self, path: str) -> Iterator[Any]:
        """A ticket's comments across cursor pages (``meta.has_more`` / ``links.next``)."""
        params: dict[str, str | int] = {"page[size]": 100}
        page = as_dict(TOOL, self._http.json("GET", path, params=params), path)
        for _ in range(MAX_PAGES):
            yield from as_list(TOOL, page.get("comments", []), path)
            meta, links = page.get("meta") or {}, page.get("links") or {}
            following = links.get("next") if isinstance(links, dict) else None
            if not (isinstance(meta, dict) and meta.get("has_more")) or not following:
                return
            relative = same_tool_path(TOOL, self._http.base_url, str(following))
            page = as_dict(TOOL, self._http.json("GET", relative), path)

    def _lookup_users(self, ids: Iterable[Any]) -> dict[Any, dict[str, Any]]:
        """Users by id, from the cache or ``show_many`` (100 ids per call)."""
        wanted = {i for i in ids if isinstance(i, int)}
        missing = sorted(i for i in wanted if i not in self._users)
        for start in range(0, len(missing), 100):
            chunk = ",".join(str(i) for i in missing[start : start + 100])
            data = self._http.json("GET", "/api/v2/users/show_many.json", params={"ids": chunk})
            for user in as_list(TOOL, as_dict(TOOL, data, "users").get("users", []), "users"):
                if isinstance(user, dict) and isinstance(user.get("id"), int):
                    self._users.put(user["id"], user)
        return {i: u for i in wanted if (u := self._users.get(i)) is not None}

    def _summary(self, ticket: dict[str, Any], requester: dict[str, Any] | None) -> TicketSummary:
        locale = (requester or {}).get("locale")
        return TicketSummary(
            tool=TOOL,
            id=str(ticket.get("id", "")),
            subject=str(ticket.get("subject") or ticket.get("raw_subject") or ""),
            status=str(ticket.get("status", "")),
            requester_name=str((requester or {}).get("name") or ""),
            requester_locale=locale if isinstance(locale, str) and locale else None,
            updated=parse_time(TOOL, ticket.get("updated_at")),
        )

    @staticmethod
    def _message(
        comment: dict[str, Any], users: dict[Any, dict[str, Any]], requester_id: Any
    ) -> Message:
        author = users.get(comment.get("author_id"))
        if author is not None:
            from_customer = author.get("role") == "end-user"
        else:
            from_customer = comment.get("author_id") == requester_id
        html_body = comment.get("html_body")
        if isinstance(html_body, str) and html_body.strip():
            text = html_to_text(html_body)
        else:
            text = plain_text(str(comment.get("plain_body") or comment.get("body") or ""))
        return Message(
            author=str((author or {}).get("name") or ""),
            from_customer=from_customer,
            internal=not comment.get("public", True),
            text=text,
            created=parse_time(TOOL, comment.get("created_at")),
        )
