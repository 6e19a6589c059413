"""A Zammad REST API (v1) fake that answers with the documented JSON.

Documentation followed (the source of https://docs.zammad.org/en/latest/api/):

- Introduction (``Authorization: Token token=…``; ``?page=&per_page=`` paging with no total,
  cycle until a page comes back short; ``sort_by``/``order_by``; ``expand``):
  https://docs.zammad.org/en/latest/api/intro.html
- Tickets (List, Search ``{"tickets": [ids], "tickets_count", "assets": {"Ticket", "User",
  …}}``, Show, Update with ``state``/``owner_id``): https://docs.zammad.org/en/latest/api/ticket/index.html
- Articles (``GET /api/v1/ticket_articles/by_ticket/{id}``, ``POST /api/v1/ticket_articles``
  with ``content_type``, ``type``, ``internal``): https://docs.zammad.org/en/latest/api/ticket/articles.html
- States (``GET /api/v1/ticket_states``; the default ``new``, ``open``, ``pending reminder``,
  ``closed``, ``merged``, ``pending close``): https://docs.zammad.org/en/latest/api/ticket/states.html
- Users (``/api/v1/users/me``, ``/api/v1/users/{id}``, ``preferences.locale``):
  https://docs.zammad.org/en/latest/api/user.html
- Ticket history (``GET /api/v1/ticket_history/{id}`` → ``{"history": [...], "assets"}``, each
  entry with ``object``, ``type``, ``attribute``, ``value_from``, ``value_to`` as built by
  ``History.list``): https://github.com/zammad/zammad/blob/develop/app/models/history.rb

Zammad's docs describe no API rate limit; a hosted instance or its reverse proxy answers
``429 Too Many Requests`` with ``Retry-After`` (RFC 6585), which is what :meth:`throttle` does.
Errors are Zammad's ``{"error": …, "error_human": …}`` bodies.  The search accepts only the
query a connector sends (``owner.id:N AND state.name:(…)``); anything else is refused.
"""

from __future__ import annotations

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

STATES = {1: "new", 2: "open", 3: "pending reminder", 4: "closed", 5: "merged", 7: "pending close"}
PENDING = {"pending reminder", "pending close"}
SENDERS = {1: "Agent", 2: "Customer", 3: "System"}
TYPES = {1: "email", 5: "web", 10: "note"}
QUERY = re.compile(r"^owner\.id:(\d+) AND state\.name:\((.+)\)$")


def stamp(when: dt.datetime) -> str:
    """Zammad's timestamp form: milliseconds and ``Z``."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def error(status: int, message: str) -> Response:
    return json_response({"error": message, "error_human": message}, status)


@dataclass
class ZammadFake(FakeVendor):
    """An in-memory Zammad with one agent using the access token ``token``."""

    token: str = "zm-token-1"
    max_page_size: int = 100
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    articles: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    history: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    base_url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(3000))
    clock: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))

    def __post_init__(self) -> None:
        self.me = self.add_user("Alex", "Agent", locale="en-us", role_ids=[2])

    def tick(self) -> str:
        self.clock += dt.timedelta(minutes=1)
        return stamp(self.clock)

    # -- seeding -----------------------------------------------------------------------------
    def add_user(
        self, first: str, last: str, *, locale: str | None = None, role_ids: list[int] | None = None
    ) -> int:
        uid = next(self._ids)
        email = f"{first.lower()}{uid}@example.com"
        now = self.tick()
        self.users[uid] = {
            "id": uid, "login": email, "firstname": first, "lastname": last, "email": email,
            "organization_id": None, "active": True, "vip": False, "note": "",
            "preferences": {"locale": locale} if locale else {},
            "role_ids": role_ids or [3], "group_ids": {}, "created_at": now, "updated_at": now,
        }  # fmt: skip
        return uid

    def add_ticket(self, title: str, customer: int, *, state: str = "open", owner: int = 1) -> int:
        tid = next(self._ids)
        now = self.tick()
        state_id = next(i for i, name in STATES.items() if name == state)
        self.tickets[tid] = {
            "id": tid, "group_id": 1, "priority_id": 2, "state_id": state_id,
            "organization_id": None, "number": str(22000 + tid), "title": title,
            "owner_id": owner, "customer_id": customer, "note": None, "pending_time": None,
            "article_count": 0, "type": None, "preferences": {}, "updated_by_id": customer,
            "created_by_id": customer, "created_at": now, "updated_at": now,
        }  # fmt: skip
        self.articles[tid] = []
        self.history[tid] = []
        return tid

    def add_article(
        self, tid: int, author: int, body: str, *, sender: str, internal: bool = False,
        content_type: str = "text/html", kind: str = "email", to: str = "", subject: str = "",
    ) -> dict[str, Any]:  # fmt: skip
        user = self.users[author]
        now = self.tick()
        article = {
            "id": next(self._ids), "ticket_id": tid,
            "type_id": next(i for i, n in TYPES.items() if n == kind),
            "sender_id": next(i for i, n in SENDERS.items() if n == sender),
            "from": f"{user['firstname']} {user['lastname']} <{user['email']}>",
            "to": to, "cc": None, "subject": subject or self.tickets[tid]["title"],
            "reply_to": None, "message_id": None, "content_type": content_type, "body": body,
            "internal": internal, "preferences": {}, "updated_by_id": author,
            "created_by_id": author, "origin_by_id": None, "created_at": now, "updated_at": now,
            "attachments": [], "sender": sender, "type": kind, "created_by": user["login"],
            "updated_by": user["login"],
        }  # fmt: skip
        self.articles[tid].append(article)
        self.tickets[tid]["article_count"] += 1
        self.tickets[tid]["updated_at"] = now
        return article

    def change_state(self, tid: int, state: str) -> None:
        ticket = self.tickets[tid]
        old = STATES[ticket["state_id"]]
        ticket["state_id"] = next(i for i, name in STATES.items() if name == state)
        self.history[tid].append(
            {"id": next(self._ids), "o_id": tid, "object": "Ticket", "type": "updated",
             "attribute": "state", "value_from": old, "value_to": state,
             "id_from": None, "id_to": None, "created_by_id": self.me, "created_at": self.tick()}
        )  # fmt: skip

    # -- protocol ----------------------------------------------------------------------------
    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization", "") == f"Token token={self.token}"

    def unauthorized(self) -> Response:
        return error(401, "authentication failed")

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/v1/users/me", guarded(self, self.show_me)),
                Route("/api/v1/users/{id:int}", guarded(self, self.show_user)),
                Route("/api/v1/ticket_states", guarded(self, self.list_states)),
                Route("/api/v1/tickets/search", guarded(self, self.search)),
                Route(
                    "/api/v1/tickets/{id:int}", guarded(self, self.ticket), methods=["GET", "PUT"]
                ),
                Route("/api/v1/ticket_articles/by_ticket/{id:int}", guarded(self, self.by_ticket)),
                Route("/api/v1/ticket_articles", guarded(self, self.create), methods=["POST"]),
                Route("/api/v1/ticket_history/{id:int}", guarded(self, self.show_history)),
            ]
        )

    # -- endpoints ---------------------------------------------------------------------------
    def show_me(self, request: Request, body: Any) -> Response:
        return json_response(self.users[self.me])

    def show_user(self, request: Request, body: Any) -> Response:
        uid = request.path_params["id"]
        user = self.users.get(uid)
        return json_response(user) if user else error(404, f"Couldn't find User with 'id'={uid}")

    def list_states(self, request: Request, body: Any) -> Response:
        return json_response(
            [{"id": i, "name": n, "active": True, "state_type_id": i} for i, n in STATES.items()]
        )

    def search(self, request: Request, body: Any) -> Response:
        match = QUERY.match(request.query_params.get("query", ""))
        if match is None:
            return error(422, "unsupported search query")
        names = {n.strip().strip('"') for n in match.group(2).split(" OR ")}
        hits = [
            t for t in self.tickets.values()
            if t["owner_id"] == int(match.group(1)) and STATES[t["state_id"]] in names
        ]  # fmt: skip
        if request.query_params.get("sort_by") == "updated_at":
            desc = request.query_params.get("order_by") == "desc"
            hits.sort(key=lambda t: t["updated_at"], reverse=desc)
        per_page = min(int(request.query_params.get("per_page", 50)), self.max_page_size)
        page = int(request.query_params.get("page", 1))
        chunk = hits[(page - 1) * per_page : page * per_page]
        users = {str(t["customer_id"]): self.users[t["customer_id"]] for t in chunk}
        return json_response(
            {
                "tickets": [t["id"] for t in chunk],
                "tickets_count": len(chunk),
                "assets": {"Ticket": {str(t["id"]): t for t in chunk}, "User": users},
            }
        )

    def ticket(self, request: Request, body: Any) -> Response:
        tid = request.path_params["id"]
        ticket = self.tickets.get(tid)
        if ticket is None:
            return error(404, f"Couldn't find Ticket with 'id'={tid}")
        if request.method == "GET":
            return json_response(ticket)
        if not isinstance(body, dict):
            return error(422, "Need at least one attribute to update")
        if "owner_id" in body:
            if body["owner_id"] not in self.users:
                return error(422, "Invalid value for param 'owner_id'")
            ticket["owner_id"] = body["owner_id"]
        if "state" in body:
            if body["state"] not in STATES.values():
                return error(422, f"No lookup value found for 'state': {body['state']!r}")
            if body["state"] in PENDING and not body.get("pending_time"):
                return error(422, "Missing required value for field 'pending_time'!")
            ticket["pending_time"] = body.get("pending_time")
            self.change_state(tid, body["state"])
        ticket["updated_at"] = self.tick()
        return json_response(ticket)

    def by_ticket(self, request: Request, body: Any) -> Response:
        tid = request.path_params["id"]
        if tid not in self.tickets:
            return error(404, f"Couldn't find Ticket with 'id'={tid}")
        return json_response(self.articles[tid])

    def create(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict) or body.get("ticket_id") not in self.tickets:
            return error(422, "Need ticket_id of an existing ticket")
        if not str(body.get("body", "")).strip():
            return error(422, "Need body")
        if body.get("type", "note") not in TYPES.values():
            return error(422, f"No lookup value found for 'type': {body.get('type')!r}")
        article = self.add_article(
            body["ticket_id"], self.me, str(body["body"]), sender=str(body.get("sender", "Agent")),
            internal=bool(body.get("internal", False)),
            content_type=str(body.get("content_type", "text/plain")),
            kind=str(body.get("type", "note")), to=str(body.get("to", "")),
            subject=str(body.get("subject", "")),
        )  # fmt: skip
        return json_response(article, 201)

    def show_history(self, request: Request, body: Any) -> Response:
        tid = request.path_params["id"]
        if tid not in self.tickets:
            return error(404, f"Couldn't find Ticket with 'id'={tid}")
        return json_response({"history": self.history[tid], "assets": {}})
