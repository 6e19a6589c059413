"""What the three cloud connectors (Zendesk, Freshdesk, Zammad) share.

Small, pure helpers: ticket-id checking, vendor timestamps, following a "next page" URL only
back to the same tool, a page cap, the HTML a reply is sent as, and a bounded cache for the
users a ticket list names.  Bounds matter here: a tool that keeps answering "there is more"
must not keep the app busy forever, and a next-page link must never send the agent's
credentials to another host.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import OrderedDict
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from agent_assist.connectors.base import ConnectorError, TicketNotFoundError

MAX_PAGES = 50
"""The most pages one listing reads (50 x 100 tickets or comments is far beyond a queue)."""

_ID = re.compile(r"\d{1,18}")
_ADDRESS = re.compile(r"\s*<[^<>]*>\s*$")

K = TypeVar("K")
V = TypeVar("V")


def numeric_id(tool: str, ticket_id: str) -> str:
    """``ticket_id`` if it is a plain number (``tool:123`` is accepted too), else
    :class:`TicketNotFoundError`: ids become URL path segments, so nothing else may pass."""
    text = ticket_id.strip()
    prefix = f"{tool}:"
    if text.startswith(prefix):
        text = text[len(prefix) :]
    if not _ID.fullmatch(text):
        raise TicketNotFoundError(f"{tool}: '{text[:40]}' is not a ticket id (expected a number)")
    return text


def parse_time(tool: str, value: Any) -> dt.datetime:
    """A vendor's ISO-8601 timestamp (``Z`` or an offset) as an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        raise ConnectorError(f"{tool}: a timestamp is missing from the tool's reply")
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConnectorError(f"{tool}: unreadable timestamp '{value[:40]}' in the reply") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def same_tool_path(tool: str, base_url: str, url: str) -> str:
    """The path-and-query of a next-page ``url`` relative to ``base_url``; refuses a URL on
    another scheme, host or port (it would receive the agent's credentials)."""
    base, link = urlsplit(base_url), urlsplit(url)
    if not link.netloc:  # already relative
        path = link.path
    elif (link.scheme, link.netloc.lower()) != (base.scheme, base.netloc.lower()):
        raise ConnectorError(f"{tool}: the tool's next-page link points to another host; refused")
    else:
        path = link.path
        prefix = base.path.rstrip("/")
        if prefix and not path.startswith(prefix + "/"):
            raise ConnectorError(f"{tool}: the tool's next-page link leaves its API; refused")
        path = path[len(prefix) :]
    return path + (f"?{link.query}" if link.query else "")


def text_to_html(text: str) -> str:
    """Plain reply text as the simple HTML the tools store: escaped, one ``<p>`` per paragraph,
    ``<br>`` for single line breaks."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()) if p]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def display_name(sender: str) -> str:
    """``Maria Lopez <maria@example.com>`` → ``Maria Lopez`` (the address alone if no name)."""
    name = _ADDRESS.sub("", sender).strip().strip('"')
    if name:
        return name
    match = re.search(r"<([^<>]*)>", sender)
    return match.group(1).strip() if match else sender.strip()


def as_dict(tool: str, value: Any, what: str) -> dict[str, Any]:
    """``value`` if it is a JSON object, else a :class:`ConnectorError` naming ``what``."""
    if not isinstance(value, dict):
        raise ConnectorError(f"{tool}: unexpected reply for {what} (not a JSON object)")
    return value


def as_list(tool: str, value: Any, what: str) -> list[Any]:
    """``value`` if it is a JSON array, else a :class:`ConnectorError` naming ``what``."""
    if not isinstance(value, list):
        raise ConnectorError(f"{tool}: unexpected reply for {what} (not a JSON array)")
    return value


class BoundedCache(Generic[K, V]):
    """A small least-recently-used map (users and agents looked up by id): a long-running app
    meets many requesters, and memory must stay bounded."""

    def __init__(self, size: int = 500) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        if key not in self._items:
            return None
        self._items.move_to_end(key)
        return self._items[key]

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        return key in self._items
