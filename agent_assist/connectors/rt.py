"""Request Tracker 5 through its REST 2 API (``/REST/2.0``), tested live against a real RT.

Authentication (``docs/connectors.md``):

* an **auth token** (``1-<user id>-<hex>``, made under *Logged in as → Settings → Auth
  Tokens*) is sent as ``Authorization: token …`` on every call.  RT checks it against a
  password hash each time (about 0.2-0.4 s a call) and starts no web session for it, so the
  connector keeps calls few: one for the ticket list (requester names come along through
  ``fields[Requestor]``), three for a whole ticket;
* a **password** signs in once through ``POST /NoAuth/Login.html``; REST 2 accepts the web
  session's cookie at about 5-20 ms a call.  When the session expires (401) it signs in once
  more.

What RT returns and how it is read:

* lists page with ``page``/``per_page``; for a user who cannot see everything (any agent that
  is not a superuser) ``total`` and ``pages`` are null and there is no ``next_page``, so a
  full page means "ask for the next one" (bounded by :data:`MAX_PAGES`);
* a ticket's messages are its ``Create``/``Correspond``/``Comment`` transactions
  (``/ticket/{id}/history``) joined with their attachments (``/ticket/{id}/attachments``,
  where ``Content`` is text; ``GET /attachment/{id}`` would give it base64-encoded, which
  :func:`attachment_text` also reads);
* the requester's language is the user's ``Lang`` when set, else the ``Content-Language``
  header of their latest message (users created from e-mail have no ``Lang``);
* RT has no satisfaction rating; "reopened" is read from the history: a ``Status``
  transaction from an inactive status (resolved, rejected, deleted) back to an active one.

Status words: the app's generic ``pending`` is RT's ``stalled``, and ``closed`` is RT's
``resolved`` (RT's default lifecycle has no "closed").
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from agent_assist.connectors.base import (
    ConnectorAuthError,
    ConnectorError,
    Message,
    Quality,
    Status,
    Ticket,
    TicketSummary,
)
from agent_assist.connectors.http import HttpClient
from agent_assist.connectors.text import html_to_text, plain_text

TOOL = "rt"
MAX_PAGES = 20
PER_PAGE = 100
TOKEN_RE = re.compile(r"\A\d+-\d+-[0-9a-f]{32}\Z")
_ID = re.compile(r"\A\d{1,12}\Z")
STATUS_WORDS: dict[str, str] = {
    "new": "new",
    "open": "open",
    "pending": "stalled",
    "resolved": "resolved",
    "closed": "resolved",
}
INACTIVE = frozenset({"resolved", "rejected", "deleted"})
MESSAGE_TYPES = frozenset({"Create", "Correspond", "Comment"})
_SIGNED_OUT = frozenset({401, 302})
"""REST 2's answers to a request without a valid session: 401, or a redirect to the login
page when the cookie names a session that is not signed in."""
_SUMMARY_FIELDS = "Subject,Status,Requestor,LastUpdated"
_REQUESTOR_FIELDS = "RealName,EmailAddress,Lang"


class RTConnector:
    """One agent's connection to one RT.  ``http`` is already authenticated (token header) or
    has ``password`` to sign in with (web session)."""

    tool = TOOL

    def __init__(self, http: HttpClient, user: str, *, password: str | None = None) -> None:
        self.http = http
        self.user = user
        self._password = password
        self._signed_in = False

    # -- the Connector interface -------------------------------------------------------------
    def my_open_tickets(self) -> list[TicketSummary]:
        query = "Owner = '__CurrentUser__' AND Status = '__Active__'"
        params = {
            "query": query,
            "orderby": "LastUpdated",
            "order": "DESC",
            "fields": _SUMMARY_FIELDS,
            "fields[Requestor]": _REQUESTOR_FIELDS,
        }
        return [self._summary(item, None) for item in self._pages("/tickets", params)]

    def ticket(self, ticket_id: str) -> Ticket:
        tid = ticket_number(ticket_id)
        record = self._json("GET", f"/ticket/{tid}", {"fields[Requestor]": _REQUESTOR_FIELDS})
        requestors = {
            str(r.get("id", "")) for r in _list(record.get("Requestor")) if isinstance(r, dict)
        }
        history = list(
            self._pages(
                f"/ticket/{tid}/history",
                {"fields": "Type,Creator,Created", "fields[Creator]": _REQUESTOR_FIELDS},
            )
        )
        attachments: dict[str, list[dict[str, Any]]] = {}
        for item in self._pages(
            f"/ticket/{tid}/attachments",
            {"fields": "TransactionId,ContentType,Content,Headers"},
        ):
            transaction = str(_ref_id(item.get("TransactionId")))
            attachments.setdefault(transaction, []).append(item)
        messages: list[Message] = []
        locale: str | None = None
        people: dict[str, dict[str, Any]] = {}
        for txn in history:
            if txn.get("Type") not in MESSAGE_TYPES:
                continue
            parts = attachments.get(str(txn.get("id")), [])
            raw = txn.get("Creator")
            creator: dict[str, Any] = raw if isinstance(raw, dict) else {}
            from_customer = str(creator.get("id", "")) in requestors
            people[str(creator.get("id", ""))] = creator
            text = message_text(parts)
            if from_customer and txn.get("Type") != "Comment":
                locale = content_language(parts) or locale
            messages.append(
                Message(
                    author=str(creator.get("RealName") or creator.get("id") or ""),
                    from_customer=from_customer,
                    internal=txn.get("Type") == "Comment",
                    text=text,
                    created=parse_time(txn.get("Created")),
                )
            )
        # a single ticket's GET expands no fields: the requester's name and language come
        # from their own messages in the history, which does
        record = {**record, "Requestor": [people.get(r, {"id": r}) for r in sorted(requestors)]}
        return Ticket(self._summary(record, locale), tuple(messages))

    def reply(self, ticket_id: str, text: str, *, internal: bool = False) -> None:
        kind = "comment" if internal else "correspond"
        body = {"Content": text, "ContentType": "text/plain"}
        self._call("POST", f"/ticket/{ticket_number(ticket_id)}/{kind}", json_body=body)

    def set_status(self, ticket_id: str, status: Status) -> None:
        if status not in STATUS_WORDS:
            raise ConnectorError(
                f"rt: unknown status '{status}' (expected one of: {', '.join(STATUS_WORDS)})"
            )
        self._update(ticket_id, {"Status": STATUS_WORDS[status]})

    def take(self, ticket_id: str) -> None:
        self._update(ticket_id, {"Owner": self.user})

    def quality(self, ticket_id: str) -> Quality:
        tid = ticket_number(ticket_id)
        history = self._pages(f"/ticket/{tid}/history", {"fields": "Type,OldValue,NewValue"})
        reopened = any(
            t.get("Type") == "Status"
            and str(t.get("OldValue")) in INACTIVE
            and str(t.get("NewValue")) not in INACTIVE
            for t in history
        )
        return Quality(satisfaction=None, reopened=reopened)

    def close(self) -> None:
        self.http.close()

    # -- calls -------------------------------------------------------------------------------
    def version(self) -> str:
        """RT's version (``GET /rt``): what ``connect`` checks the credentials with."""
        return str(self._json("GET", "/rt").get("Version", ""))

    def _update(self, ticket_id: str, body: Mapping[str, str]) -> None:
        """``PUT /ticket/{id}``, then a read to confirm it.  RT answers 200 with a list of
        messages even when it refused a change (no right, a status its lifecycle does not
        allow), and the messages are free text, so the ticket itself is the one reliable
        answer."""
        path = f"/ticket/{ticket_number(ticket_id)}"
        said = _decoded(self._call("PUT", path, json_body=dict(body)))
        record = self._json("GET", path)
        for field, wanted in body.items():
            now = _ref_id(record.get(field))
            if str(now).lower() != wanted.lower():
                detail = "; ".join(str(x)[:150] for x in _list(said)) or "no reason given"
                raise ConnectorError(
                    f"rt: PUT /REST/2.0{path} did not set {field} to '{wanted}' "
                    f"(it is '{now}'): {detail}"
                )

    def _pages(self, path: str, params: Mapping[str, str]) -> Iterator[dict[str, Any]]:
        for page in range(1, MAX_PAGES + 1):
            data = self._json("GET", path, {**params, "page": str(page), "per_page": str(PER_PAGE)})
            items = [i for i in _list(data.get("items")) if isinstance(i, dict)]
            yield from items
            more = data.get("next_page") or (
                data.get("total") is None and len(items) >= int(data.get("per_page") or PER_PAGE)
            )
            if not more or not items:
                return

    def _json(self, method: str, path: str, params: Mapping[str, str] | None = None) -> Any:
        data = _decoded(self._call(method, path, params=params))
        if not isinstance(data, dict):
            raise ConnectorError(f"rt: {method} /REST/2.0{path} did not return a JSON object")
        return data

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> httpx.Response:
        if self._password is not None and not self._signed_in:
            self._sign_in()
        full = f"/REST/2.0{path}"
        if self._password is None:
            return self.http.request(method, full, params=params, json_body=json_body)
        response = self.http.request(
            method, full, params=params, json_body=json_body, ok_statuses=_SIGNED_OUT
        )
        if response.status_code not in _SIGNED_OUT:
            return response
        self._sign_in()  # the web session expired: once more
        return self.http.request(method, full, params=params, json_body=json_body)

    def _sign_in(self) -> None:
        """A web session for REST 2 (``POST /NoAuth/Login.html``).  RT answers 302 to the
        next page when the password was right and 200 with the login form when it was not;
        either way with a session cookie, which only the first makes signed in, so the check
        is one cheap REST call."""
        assert self._password is not None
        self.http.cookies.clear()
        self.http.request(
            "POST",
            "/NoAuth/Login.html",
            form={"user": self.user, "pass": self._password, "next": ""},
            ok_statuses=frozenset({302, 303}),
        )
        check = self.http.request("GET", "/REST/2.0/rt", ok_statuses=_SIGNED_OUT)
        if check.status_code in _SIGNED_OUT:
            raise ConnectorAuthError(
                f"rt: POST /NoAuth/Login.html: RT refused the user '{self.user}' and its "
                "password; run 'agent-assist connect rt' again"
            )
        self._signed_in = True

    def _summary(self, record: Mapping[str, Any], locale: str | None) -> TicketSummary:
        requestors = [r for r in _list(record.get("Requestor")) if isinstance(r, dict)]
        first = requestors[0] if requestors else {}
        lang = str(first.get("Lang") or "").strip()
        return TicketSummary(
            tool=TOOL,
            id=str(record.get("id", "")),
            subject=str(record.get("Subject") or ""),
            status=str(record.get("Status") or ""),
            requester_name=str(first.get("RealName") or first.get("id") or ""),
            requester_locale=lang or locale,
            updated=parse_time(record.get("LastUpdated")),
        )


# -- opening -------------------------------------------------------------------------------
def open_connector(
    url: str, user: str, secret: str, *, http_options: Mapping[str, Any] | None = None
) -> RTConnector:
    """A connector for the RT at ``url`` (its web address, e.g. ``https://rt.example.com``),
    as ``user``, with ``secret`` an auth token (recognised by its shape) or the password."""
    if not user.strip():
        raise ConnectorError("rt: the RT user name is needed (--user)")
    if not secret:
        raise ConnectorError("rt: no token or password was given")
    base = url.rstrip("/").removesuffix("/REST/2.0")
    options = dict(http_options or {})
    # RT's CSRF check refuses a session's changes without a Referer of its own
    headers = {"Referer": base + "/"}
    if TOKEN_RE.match(secret.strip()):
        headers["Authorization"] = f"token {secret.strip()}"
        return RTConnector(HttpClient(TOOL, base, headers=headers, **options), user.strip())
    http = HttpClient(TOOL, base, headers=headers, **options)
    return RTConnector(http, user.strip(), password=secret)


# -- reading RT's JSON ---------------------------------------------------------------------
def ticket_number(ticket_id: str) -> str:
    """``ticket_id`` checked to be an RT ticket number (it goes into URL paths)."""
    text = ticket_id.strip().removeprefix("rt:").removeprefix("#")
    if not _ID.match(text):
        raise ConnectorError(f"rt: '{ticket_id[:40]}' is not an RT ticket number")
    return text


def parse_time(value: Any) -> dt.datetime:
    """RT's ``2026-12-02T01:27:49Z`` (UTC) as an aware datetime; RT's "not set"
    (``1970-01-01T00:00:00Z``) and anything unreadable as the epoch."""
    try:
        when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def attachment_text(item: Mapping[str, Any], *, base64_encoded: bool = False) -> str:
    """An attachment's ``Content`` as text: lists (``?fields=Content``) give text,
    ``GET /attachment/{id}`` gives base64."""
    content = item.get("Content")
    if not isinstance(content, str):
        return ""
    if not base64_encoded:
        return content
    try:
        raw = base64.b64decode(content, validate=False)
    except (binascii.Error, ValueError):
        return ""
    return raw.decode(_charset(item) or "utf-8", errors="replace")


def message_text(parts: list[dict[str, Any]]) -> str:
    """The readable text of one transaction: its first inline text/plain part, else its
    first text/html part converted; file attachments are skipped."""
    inline = [p for p in parts if not _is_file(p)]
    for kind, convert in (("text/plain", plain_text), ("text/html", html_to_text)):
        for part in inline:
            if str(part.get("ContentType", "")).lower().startswith(kind):
                text = convert(attachment_text(part))
                if text:
                    return text
    return ""


def content_language(parts: list[dict[str, Any]]) -> str | None:
    """The ``Content-Language`` header of a transaction's parts (the first one given)."""
    for part in parts:
        value = header(part, "Content-Language")
        if value:
            first = value.split(",")[0].strip()
            if re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", first):
                return first
    return None


def header(part: Mapping[str, Any], name: str) -> str | None:
    """One header of an attachment's ``Headers`` text (case-insensitive), or None."""
    prefix = name.lower() + ":"
    for line in str(part.get("Headers") or "").splitlines():
        if line.lower().startswith(prefix):
            return line[len(prefix) :].strip()
    return None


def _is_file(part: Mapping[str, Any]) -> bool:
    disposition = (header(part, "Content-Disposition") or "").lower()
    return disposition.startswith("attachment")


def _charset(part: Mapping[str, Any]) -> str | None:
    match = re.search(r'charset="?([\w.-]+)', header(part, "Content-Type") or "", re.I)
    return match.group(1) if match else None


def _ref_id(value: Any) -> Any:
    """RT gives a reference either as its id or as ``{"id": …, "type": …, "_url": …}``."""
    return value.get("id") if isinstance(value, dict) else value


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _decoded(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise ConnectorError(
            f"rt: {response.request.method} {response.request.url.path} returned "
            f"{response.status_code} with a body that is not JSON"
        ) from None
