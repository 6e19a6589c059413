"""A Freshdesk API v2 fake that answers with the documented JSON.

Documentation followed: the Freshdesk API reference, https://developers.freshdesk.com/api/ —
sections *Authentication* (Basic with the API key as user name and ``X`` as password),
*Rate limit* (429 with ``Retry-After`` and ``X-Ratelimit-*`` headers), *Pagination* (``page``,
``per_page`` up to 100, the ``Link: <…>; rel="next"`` header), *Error handling* (401
``invalid_credentials``, 400 ``Validation failed`` with ``errors``), *Tickets* (View a Ticket
with ``include=requester,stats``; ``status`` 2 Open, 3 Pending, 4 Resolved, 5 Closed;
``responder_id``; Update a Ticket; Filter Tickets ``GET /api/v2/search/tickets?query="…"``
answering ``{"results", "total"}`` 30 per page, at most 10 pages), *Conversations* (List All
Conversations of a Ticket; Reply to a Ticket ``POST /tickets/{id}/reply``; Create a Note
``POST /tickets/{id}/notes`` with ``private``), *Contacts* (``name``, ``language``), *Agents*
(View Me ``/api/v2/agents/me``, ``contact.name``) and *Satisfaction Ratings* (View Ticket
Satisfaction Ratings; ``ratings.default_question`` on the scale 103 … -103).

The filter query accepts only the form a connector sends (``"agent_id:N AND (status:2 OR
status:3)"``); anything else gets the documented 400, so drift shows up as a failing test.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.server import FakeVendor, guarded, json_response
from tests.fakes.zendesk_fake import stamp

STATUSES = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}
QUERY = re.compile(r'^"agent_id:(\d+) AND \((status:\d+(?: OR status:\d+)*)\)"$')
SEARCH_PAGE = 30
SEARCH_PAGES = 10


def invalid(field_name: str, message: str) -> Response:
    error = {"field": field_name, "message": message, "code": "invalid_value"}
    return json_response({"description": "Validation failed", "errors": [error]}, 400)


@dataclass
class FreshdeskFake(FakeVendor):
    """An in-memory Freshdesk helpdesk with one agent using ``api_key``."""

    api_key: str = "fd-api-key-1"
    max_page_size: int = 100
    """The conversations page size cap (100 in Freshdesk); tests lower it to exercise paging."""
    search_page_size: int = SEARCH_PAGE
    contacts: dict[int, dict[str, Any]] = field(default_factory=dict)
    agents: dict[int, dict[str, Any]] = field(default_factory=dict)
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    conversations: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    ratings: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    stats: dict[int, dict[str, Any]] = field(default_factory=dict)
    base_url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(2000))
    clock: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))

    def __post_init__(self) -> None:
        self.me = self.add_agent("Alex Agent")

    def tick(self) -> str:
        self.clock += dt.timedelta(minutes=1)
        return stamp(self.clock)

    # -- seeding -----------------------------------------------------------------------------
    def add_contact(self, name: str, language: str = "en") -> int:
        cid = next(self._ids)
        self.contacts[cid] = {
            "id": cid,
            "name": name,
            "email": f"contact{cid}@example.com",
            "language": language,
            "time_zone": "Eastern Time (US & Canada)",
            "active": True,
            "created_at": self.tick(),
            "updated_at": self.tick(),
        }
        return cid

    def add_agent(self, name: str) -> int:
        aid = next(self._ids)
        now = self.tick()
        contact = {
            "active": True,
            "email": f"agent{aid}@example.com",
            "language": "en",
            "name": name,
            "time_zone": "UTC",
            "created_at": now,
            "updated_at": now,
        }
        self.agents[aid] = {
            "id": aid,
            "available": True,
            "occasional": False,
            "ticket_scope": 1,
            "type": "support_agent",
            "contact": contact,
            "created_at": now,
            "updated_at": now,
        }
        return aid

    def add_ticket(
        self,
        subject: str,
        requester: int,
        description: str,
        *,
        status: int = 2,
        responder: int | None = None,
        reopened: bool = False,
    ) -> int:
        tid = next(self._ids)
        now = self.tick()
        self.tickets[tid] = {
            "id": tid,
            "subject": subject,
            "description": description,
            "description_text": re.sub(r"<[^>]+>", "", description),
            "status": status,
            "priority": 1,
            "source": 1,
            "type": None,
            "requester_id": requester,
            "responder_id": responder,
            "group_id": None,
            "company_id": None,
            "cc_emails": [],
            "fwd_emails": [],
            "reply_cc_emails": [],
            "tags": [],
            "spam": False,
            "fr_escalated": False,
            "is_escalated": False,
            "due_by": now,
            "fr_due_by": now,
            "created_at": now,
            "updated_at": now,
        }
        self.conversations[tid] = []
        self.ratings[tid] = []
        self.stats[tid] = {"reopened_at": now if reopened else None}
        return tid

    def add_conversation(
        self, tid: int, user: int, html: str, *, incoming: bool, private: bool = False
    ) -> dict[str, Any]:
        now = self.tick()
        item = {
            "id": next(self._ids),
            "body": html,
            "body_text": re.sub(r"<[^>]+>", "", html),
            "incoming": incoming,
            "private": private,
            "user_id": user,
            "support_email": None if incoming else "support@example.freshdesk.com",
            "source": 2 if private else 0,
            "ticket_id": tid,
            "to_emails": [],
            "from_email": None,
            "cc_emails": [],
            "bcc_emails": [],
            "attachments": [],
            "created_at": now,
            "updated_at": now,
        }
        self.conversations[tid].append(item)
        self.tickets[tid]["updated_at"] = now
        return item

    def rate(self, tid: int, value: int) -> None:
        self.ratings[tid].append(
            {
                "id": next(self._ids),
                "survey_id": 1,
                "user_id": self.tickets[tid]["requester_id"],
                "agent_id": self.me,
                "feedback": "",
                "group_id": None,
                "ticket_id": tid,
                "ratings": {"default_question": value},
                "created_at": self.tick(),
                "updated_at": self.tick(),
            }
        )

    # -- protocol ----------------------------------------------------------------------------
    def authorized(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user = base64.b64decode(header[6:]).decode().partition(":")[0]
        except ValueError:
            return False
        return user == self.api_key

    def unauthorized(self) -> Response:
        return json_response(
            {
                "code": "invalid_credentials",
                "message": "You have to be logged in to perform this action.",
            },
            401,
        )

    def too_many(self, retry_after: int) -> Response:
        headers = {
            "Retry-After": str(retry_after),
            "X-Ratelimit-Total": "200",
            "X-Ratelimit-Remaining": "0",
            "X-Ratelimit-Used-CurrentRequest": "1",
        }
        return json_response(
            {"message": "You have exceeded the limit of requests per hour"}, 429, headers
        )

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/v2/agents/me", guarded(self, self.show_me)),
                Route("/api/v2/agents/{id:int}", guarded(self, self.show_agent)),
                Route("/api/v2/contacts/{id:int}", guarded(self, self.show_contact)),
                Route("/api/v2/search/tickets", guarded(self, self.search)),
                Route(
                    "/api/v2/tickets/{id:int}",
                    guarded(self, self.ticket),
                    methods=["GET", "PUT"],
                ),
                Route("/api/v2/tickets/{id:int}/conversations", guarded(self, self.list_convs)),
                Route(
                    "/api/v2/tickets/{id:int}/reply", guarded(self, self.reply), methods=["POST"]
                ),
                Route("/api/v2/tickets/{id:int}/notes", guarded(self, self.note), methods=["POST"]),
                Route(
                    "/api/v2/tickets/{id:int}/satisfaction_ratings",
                    guarded(self, self.list_ratings),
                ),
            ]
        )

    # -- endpoints ---------------------------------------------------------------------------
    @staticmethod
    def not_found() -> Response:
        return Response(status_code=404)

    def show_me(self, request: Request, body: Any) -> Response:
        return json_response(self.agents[self.me])

    def show_agent(self, request: Request, body: Any) -> Response:
        agent = self.agents.get(request.path_params["id"])
        return json_response(agent) if agent else self.not_found()

    def show_contact(self, request: Request, body: Any) -> Response:
        contact = self.contacts.get(request.path_params["id"])
        return json_response(contact) if contact else self.not_found()

    def search(self, request: Request, body: Any) -> Response:
        match = QUERY.match(request.query_params.get("query", ""))
        if match is None:
            return invalid("query", "The query is not in the supported form")
        page = int(request.query_params.get("page", 1))
        if not 1 <= page <= SEARCH_PAGES:
            return invalid("page", "It should be a Positive Number less than or equal to 10")
        agent = int(match.group(1))
        statuses = {int(s.split(":")[1]) for s in match.group(2).split(" OR ")}
        hits = [
            t
            for t in self.tickets.values()
            if t["responder_id"] == agent and t["status"] in statuses
        ]
        hits.sort(key=lambda t: t["created_at"], reverse=True)
        size = self.search_page_size
        return json_response({"results": hits[(page - 1) * size : page * size], "total": len(hits)})

    def ticket(self, request: Request, body: Any) -> Response:
        tid = request.path_params["id"]
        ticket = self.tickets.get(tid)
        if ticket is None:
            return self.not_found()
        if request.method == "PUT":
            return self.update(ticket, body)
        out = dict(ticket)
        includes = set(request.query_params.get("include", "").split(",")) - {""}
        if includes - {"requester", "stats", "conversations", "company"}:
            return invalid("include", "It should be one of: conversations,requester,company,stats")
        if "requester" in includes:
            contact = self.contacts[ticket["requester_id"]]
            out["requester"] = {k: contact.get(k) for k in ("id", "name", "email")} | {
                "mobile": None,
                "phone": None,
            }
        if "stats" in includes:
            out["stats"] = {
                "agent_responded_at": None,
                "requester_responded_at": None,
                "first_responded_at": None,
                "status_updated_at": ticket["updated_at"],
                "resolved_at": None,
                "closed_at": None,
                "pending_since": None,
                **self.stats[tid],
            }
        if "conversations" in includes:
            out["conversations"] = self.conversations[tid][:10]
        return json_response(out)

    def update(self, ticket: dict[str, Any], body: Any) -> Response:
        if not isinstance(body, dict) or not body:
            return invalid("body", "No fields to update")
        if "status" in body and body["status"] not in STATUSES:
            return invalid("status", "It should be one of these values: '2,3,4,5'")
        if "responder_id" in body and body["responder_id"] not in self.agents:
            return invalid("responder_id", "There is no agent matching the given responder_id")
        unknown = set(body) - {"status", "responder_id"}
        if unknown:
            return invalid(sorted(unknown)[0], "Unexpected/invalid field in request")
        ticket.update(body)
        ticket["updated_at"] = self.tick()
        return json_response(ticket)

    def list_convs(self, request: Request, body: Any) -> Response:
        tid = request.path_params["id"]
        if tid not in self.tickets:
            return self.not_found()
        per_page = int(request.query_params.get("per_page", 30))
        if not 1 <= per_page <= 100:
            return invalid("per_page", "It should be a Positive Number less than or equal to 100")
        per_page = min(per_page, self.max_page_size)
        page = int(request.query_params.get("page", 1))
        items = self.conversations[tid]
        headers = {}
        if page * per_page < len(items):
            url = f"{self.base_url}/api/v2/tickets/{tid}/conversations"
            headers["Link"] = f'<{url}?page={page + 1}&per_page={per_page}>; rel="next"'
        return json_response(items[(page - 1) * per_page : page * per_page], headers=headers)

    def _post(self, request: Request, body: Any, *, private: bool) -> Response:
        tid = request.path_params["id"]
        if tid not in self.tickets:
            return self.not_found()
        if not isinstance(body, dict) or not str(body.get("body", "")).strip():
            return invalid("body", "Mandatory attribute missing")
        item = self.add_conversation(
            tid,
            self.me,
            str(body["body"]),
            incoming=False,
            private=private and bool(body.get("private", True)),
        )
        return json_response(item, 201)

    def reply(self, request: Request, body: Any) -> Response:
        return self._post(request, body, private=False)

    def note(self, request: Request, body: Any) -> Response:
        return self._post(request, body, private=True)

    def list_ratings(self, request: Request, body: Any) -> Response:
        tid = request.path_params["id"]
        if tid not in self.tickets:
            return self.not_found()
        return json_response(self.ratings[tid])
