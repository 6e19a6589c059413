"""Open a connector by the tool's name.

Each tool's module is imported only when asked for, so a broken or missing one affects only
its own tool, and start-up pays for none of them.  Every module exposes
``open_connector(url, user, secret, *, http_options) -> Connector``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from agent_assist.connectors.base import Connector, ConnectorError

TOOLS: dict[str, str] = {
    "rt": "Request Tracker 5",
    "zendesk": "Zendesk",
    "freshdesk": "Freshdesk",
    "zammad": "Zammad",
}
"""Tool name → what people call it."""


def open_connector(
    tool: str,
    url: str,
    user: str,
    secret: str,
    *,
    http_options: Mapping[str, Any] | None = None,
) -> Connector:
    """The connector for ``tool`` at ``url``, signed in as ``user`` with ``secret`` (a token,
    an API key or a password, as the tool wants).  ``http_options`` go to
    :class:`~agent_assist.connectors.http.HttpClient` (tests pass a transport or a shorter
    retry budget)."""
    if tool not in TOOLS:
        raise ConnectorError(
            f"unknown ticketing tool '{tool}' (expected one of: {', '.join(TOOLS)})"
        )
    module = importlib.import_module(f"agent_assist.connectors.{tool}")
    opener = module.open_connector
    connector: Connector = opener(url, user, secret, http_options=dict(http_options or {}))
    return connector
