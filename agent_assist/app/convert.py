"""Convert a helpdesk's export of reply templates into a knowledge pack (``agent-assist convert``).

The importers live in :mod:`agent_assist.core.knowledge.importers`; they are imported only
when a conversion runs, so the command line does not pay for the HTML converter at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent_assist.core.knowledge.importers import Report

TOOLS = {
    "zendesk-macros": "Zendesk macros: the JSON of GET /api/v2/macros",
    "freshdesk-canned": "Freshdesk canned responses: the JSON of GET "
    "/api/v2/canned_response_folders/{id}/responses (or folders holding them)",
    "zammad-text-modules": "Zammad text modules: the JSON of GET /api/v1/text_modules",
}
"""The importers, by the name the command takes (the core's ``TOOLS`` has the same keys)."""


def convert(
    tool: str,
    source: Path,
    dest: Path,
    *,
    name: str | None = None,
    locale: str = "en",
    include_inactive: bool = False,
    force: bool = False,
) -> Report:
    """Write the pack ``dest`` from the export ``source`` of ``tool``; see
    :func:`agent_assist.core.knowledge.importers.convert`."""
    from agent_assist.core.knowledge.importers import convert as run

    return run(
        tool,
        source,
        dest,
        name=name,
        locale=locale,
        include_inactive=include_inactive,
        force=force,
    )
