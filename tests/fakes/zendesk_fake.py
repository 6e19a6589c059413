"""A Zendesk Support API v2 fake that answers with the documented JSON.

Documentation followed (shapes, status codes, paging):

- Tickets (JSON format, Show Ticket, Update Ticket, ``satisfaction_rating``):
  https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/
- Ticket comments (``body``/``html_body``/``plain_body``/``public``/``author_id``; created only
  through ``PUT /api/v2/tickets/{id}.json`` with a ``comment``):
  https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_comments/
- Search (``results`` with ``result_type``, ``next_page``/``previous_page``/``count``, at most 100
  per page): https://developer.zendesk.com/api-reference/ticketing/ticket-management/search/
- Users (``name``, ``locale``, ``role``; ``users/me.json``; ``show_many.json?ids=``):
  https://developer.zendesk.com/api-reference/ticketing/users/users/
- Ticket metrics (``ticket_metric.reopens``):
  https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_metrics/
- Pagination (cursor: ``page[size]``, ``page[after]``, ``meta.has_more``, ``links.next``):
  https://developer.zendesk.com/api-reference/introduction/pagination/
- Rate limits (429 with ``Retry-After`` in seconds):
  https://developer.zendesk.com/api-reference/introduction/rate-limits/
- Security and authentication (Basic ``{email_address}/token:{api_token}``; 401
  ``{"error": "Couldn't authenticate you"}``):
  https://developer.zendesk.com/api-reference/introduction/security-and-auth/

The search endpoint understands only the query terms a connector needs (``type:ticket``,
``assignee:me``, ``status<solved``) and answers anything else with 400, so a connector that
drifts from what it was tested with fails here instead of silently matching everything.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.server import FakeVendor, guarded, json_response

STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
NOT_FOUND = {"error": "RecordNotFound", "description": "Not found"}


def stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class ZendeskFake(FakeVendor):
    """An in-memory Zendesk account with one agent (``agent_email`` / ``api_token``)."""

    agent_email: str = "agent@example.com"
    api_token: str = "zd-api-token-1"
    max_page_size: int = 100
    """The server's page size cap (100 for Zendesk); tests lower it to exercise paging."""
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    metrics: dict[int, dict[str, Any]] = field(default_factory=dict)
    base_url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    clock: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))

    def __post_init__(self) -> None:
        self.me = self.add_user("Alex Agent", role="agent", locale="en-US", email=self.agent_email)

    # -- seeding -----------------------------------------------------------------------------
    def tick(self) -> str:
        self.clock += dt.timedelta(minutes=1)
        return stamp(self.clock)

    def add_user(
        self, name: str, *, role: str = "end-user", locale: str = "en-US", email: str = ""
    ) -> int:
        uid = next(self._ids)
        self.users[uid] = {
            "id": uid,
            "url": f"{self.base_url}/api/v2/users/{uid}.json",
            "name": name,
            "email": email or f"user{uid}@example.com",
            "role": role,
            "locale": locale,
            "locale_id": 1,
            "time_zone": "UTC",
            "active": True,
            "created_at": self.tick(),
        }
        return uid

    def add_ticket(
        self,
        subject: str,
        requester: int,
        comments: list[tuple[int, str, bool]],
        *,
        status: str = "open",
        assignee: int | None = None,
        satisfaction: str = "unoffered",
        reopens: int = 0,
    ) -> int:
        """A ticket whose conversation is ``(author_id, html_body, public)`` comments."""
        tid = next(self._ids)
        created = self.tick()
        self.tickets[tid] = {
            "id": tid,
            "url": f"{self.base_url}/api/v2/tickets/{tid}.json",
            "subject": subject,
            "raw_subject": subject,
            "description": "",
            "status": status,
            "priority": "normal",
            "type": "question",
            "requester_id": requester,
            "submitter_id": requester,
            "assignee_id": assignee,
            "group_id": None,
            "tags": [],
            "via": {"channel": "email"},
            "satisfaction_rating": {"score": satisfaction},
            "created_at": created,
            "updated_at": created,
        }
        self.comments[tid] = []
        for author, html, public in comments:
            self._comment(tid, author, html, public)
        self.metrics[tid] = {"id": tid + 5000, "ticket_id": tid, "reopens": reopens, "replies": 1}
        return tid

    def _comment(self, tid: int, author: int, html: str, public: bool, plain: str = "") -> None:
        from bs4 import BeautifulSoup

        text = plain or BeautifulSoup(html, "html.parser").get_text()
        comment = {
            "id": next(self._ids),
            "type": "Comment",
            "author_id": author,
            "body": text,
            "html_body": html if html else f'<div class="zd-comment"><p>{text}</p></div>',
            "plain_body": text,
            "public": public,
            "attachments": [],
            "audit_id": next(self._ids),
            "via": {"channel": "api"},
            "metadata": {},
            "created_at": self.tick(),
        }
        self.comments[tid].append(comment)
        if not self.tickets[tid]["description"]:
            self.tickets[tid]["description"] = text
        self.tickets[tid]["updated_at"] = comment["created_at"]

    # -- protocol --------------------------------------------------------------------------
    def authorized(self, request: Request) -> bool:
        expected = f"{self.agent_email}/token:{self.api_token}".encode()
        header = request.headers.get("authorization", "")
        return header == "Basic " + base64.b64encode(expected).decode()

    def unauthorized(self) -> Response:
        return json_response({"error": "Couldn't authenticate you"}, 401)

    def app(self) -> Starlette:
        routes = [
            Route("/api/v2/users/me.json", guarded(self, self.show_me)),
            Route("/api/v2/users/show_many.json", guarded(self, self.show_many)),
            Route("/api/v2/users/{id:int}.json", guarded(self, self.show_user)),
            Route("/api/v2/search.json", guarded(self, self.search)),
            Route("/api/v2/tickets/{id:int}/comments.json", guarded(self, self.list_comments)),
            Route("/api/v2/tickets/{id:int}/metrics.json", guarded(self, self.show_metrics)),
            Route(
                "/api/v2/tickets/{id:int}.json",
                guarded(self, self.ticket),
                methods=["GET", "PUT"],
            ),
        ]
        return Starlette(routes=routes)

    # -- endpoints ---------------------------------------------------------------------------
    def show_me(self, request: Request, body: Any) -> Response:
        return json_response({"user": self.users[self.me]})

    def show_user(self, request: Request, body: Any) -> Response:
        user = self.users.get(request.path_params["id"])
        return json_response({"user": user}) if user else json_response(NOT_FOUND, 404)

    def show_many(self, request: Request, body: Any) -> Response:
        ids = [int(i) for i in request.query_params.get("ids", "").split(",") if i.strip()]
        if len(ids) > 100:
            return json_response({"error": "InvalidEndpoint", "description": "ids > 100"}, 400)
        return json_response({"users": [self.users[i] for i in ids if i in self.users]})

    def search(self, request: Request, body: Any) -> Response:
        terms = request.query_params.get("query", "").split()
        unknown = set(terms) - {"type:ticket", "assignee:me", "status<solved"}
        if unknown or "type:ticket" not in terms:
            return json_response({"error": "unsupported query", "description": str(terms)}, 400)
        hits = [t for t in self.tickets.values() if t["status"] not in ("deleted",)]
        if "assignee:me" in terms:
            hits = [t for t in hits if t["assignee_id"] == self.me]
        if "status<solved" in terms:
            hits = [t for t in hits if STATUSES.index(t["status"]) < STATUSES.index("solved")]
        if request.query_params.get("sort_by") == "updated_at":
            desc = request.query_params.get("sort_order", "desc") == "desc"
            hits.sort(key=lambda t: t["updated_at"], reverse=desc)
        per_page = min(int(request.query_params.get("per_page", 100)), self.max_page_size)
        page = int(request.query_params.get("page", 1))
        chunk = hits[(page - 1) * per_page : page * per_page]
        params = dict(request.query_params)

        def link(number: int) -> str:
            return f"{self.base_url}/api/v2/search.json?" + urlencode({**params, "page": number})

        return json_response(
            {
                "results": [{**t, "result_type": "ticket"} for t in chunk],
                "facets": None,
                "next_page": link(page + 1) if page * per_page < len(hits) else None,
                "previous_page": link(page - 1) if page > 1 else None,
                "count": len(hits),
            }
        )

    def ticket(self, request: Request, body: Any) -> Response:
        tid = request.path_params["id"]
        ticket = self.tickets.get(tid)
        if ticket is None:
            return json_response(NOT_FOUND, 404)
        if request.method == "GET":
            return json_response({"ticket": ticket})
        update = (body or {}).get("ticket")
        if not isinstance(update, dict):
            return json_response({"error": "InvalidEndpoint", "description": "no ticket"}, 400)
        if "status" in update and update["status"] not in STATUSES:
            details = {"status": [{"description": f"Status: {update['status']} is not valid"}]}
            return json_response(
                {
                    "error": "RecordInvalid",
                    "description": "Record validation errors",
                    "details": details,
                },
                422,
            )
        for key in ("status", "assignee_id"):
            if key in update:
                ticket[key] = update[key]
        comment = update.get("comment")
        if isinstance(comment, dict):
            html = str(comment.get("html_body", ""))
            plain = str(comment.get("body", ""))
            self._comment(tid, self.me, html, bool(comment.get("public", True)), plain)
        ticket["updated_at"] = self.tick()
        return json_response({"ticket": ticket, "audit": {"id": next(self._ids), "events": []}})

    def list_comments(self, request: Request, body: Any) -> Response:
        tid = request.path_params["id"]
        if tid not in self.tickets:
            return json_response(NOT_FOUND, 404)
        comments = self.comments[tid]
        if request.query_params.get("sort_order") == "desc":
            comments = comments[::-1]
        size = request.query_params.get("page[size]")
        if size is None:  # offset pagination: the documented default
            return json_response(
                {
                    "comments": comments,
                    "next_page": None,
                    "previous_page": None,
                    "count": len(comments),
                }
            )
        per_page = min(int(size), self.max_page_size)
        start = int(request.query_params.get("page[after]", "0") or 0)
        chunk = comments[start : start + per_page]
        more = start + per_page < len(comments)
        after = str(start + per_page)
        path = f"{self.base_url}/api/v2/tickets/{tid}/comments.json?"
        next_link = path + urlencode({"page[size]": per_page, "page[after]": after})
        return json_response(
            {
                "comments": chunk,
                "meta": {
                    "has_more": more,
                    "after_cursor": after if more else None,
                    "before_cursor": str(start),
                },
                "links": {"next": next_link if more else None, "prev": None},
            }
        )

    def show_metrics(self, request: Request, body: Any) -> Response:
        metric = self.metrics.get(request.path_params["id"])
        return json_response({"ticket_metric": metric}) if metric else json_response(NOT_FOUND, 404)
