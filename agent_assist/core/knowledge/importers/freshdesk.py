"""Freshdesk canned responses as pack macro drafts.

Shapes, from https://developers.freshdesk.com/api/#canned-responses: ``GET
/api/v2/canned_response_folders/{id}/responses`` returns a list of ``{"id", "title",
"folder_id", "content", "content_html", "attachments", ...}``; ``GET /api/v2/canned_responses/
{id}`` one of them.  A folder (``{"id", "name", "canned_responses": [...]}``), or a list of
folders each holding its responses, is accepted too, so a whole account's export can be one
file; the folder's name becomes a tag (else ``freshdesk-folder-<id>``), as do the groups a
response is visible to.  ``content_html`` is the reply (made Markdown); ``content``, the plain
text Freshdesk derives from it, is used only when there is no HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent_assist.core.knowledge.importers.common import (
    ConvertError,
    Draft,
    JsonReader,
    Note,
    Parsed,
    add_tag,
    one_line,
    type_name,
)
from agent_assist.core.knowledge.importers.placeholders import (
    AGENT_FIRST_NAME,
    AGENT_NAME,
    CUSTOMER_EMAIL,
    CUSTOMER_FIRST_NAME,
    CUSTOMER_LAST_NAME,
    CUSTOMER_NAME,
    LIQUID,
    TICKET_ID,
    TICKET_SUBJECT,
    Syntax,
)

SYNTAX = Syntax(
    "Freshdesk",
    LIQUID,
    {
        "ticket.requester.firstname": CUSTOMER_FIRST_NAME,
        "ticket.requester.name": CUSTOMER_NAME,
        "ticket.requester.lastname": CUSTOMER_LAST_NAME,
        "ticket.requester.email": CUSTOMER_EMAIL,
        "ticket.id": TICKET_ID,
        "ticket.subject": TICKET_SUBJECT,
        "ticket.agent.name": AGENT_NAME,
        "ticket.agent.firstname": AGENT_FIRST_NAME,
    },
    liquid=True,
)
_FOLDER_KEYS = ("canned_responses", "responses")
PERSONAL = 1
"""``visibility`` of a response only its author sees (0: all agents, 2: some groups)."""


def _folder_responses(folder: dict[str, Any]) -> tuple[str, Any] | None:
    for key in _FOLDER_KEYS:
        if key in folder:
            return key, folder[key]
    return None


def _draft(item: dict[str, Any], path: str, folder: str, r: JsonReader, parsed: Parsed) -> None:
    vendor_id = r.ident(item, "id", path)
    title = one_line(r.text(item, "title", path) or "")
    html = r.text(item, "content_html", path)
    plain = r.text(item, "content", path)
    draft = Draft(path, vendor_id, title, html or plain or "", bool(html), ["freshdesk"])
    if not title:
        draft.title = f"Freshdesk response {vendor_id}" if vendor_id else "Untitled response"
        draft.notes.append(f"no title: named '{draft.title}'")
    draft.comments.append(f"Freshdesk canned response {vendor_id or '(no id)'} ({path})")
    folder_id = r.ident(item, "folder_id", path)
    add_tag(draft.tags, folder or (f"freshdesk-folder-{folder_id}" if folder_id else ""))
    visibility = item.get("visibility")
    if visibility == PERSONAL:
        add_tag(draft.tags, "personal")
    for group in r.ids(item, "group_ids", path):
        add_tag(draft.tags, f"freshdesk-group-{group}")
    attachments = item.get("attachments")
    if attachments:
        names = [
            str(a.get("name", "?")) if isinstance(a, dict) else "?"
            for a in r.items(attachments, f"{path}.attachments")
        ]
        draft.comments.append(f"attachments not carried over: {', '.join(names)}")
        draft.notes.append(f"attachments not carried over: {', '.join(names)[:200]}")
    if html is None and plain is None:
        parsed.skipped.append(
            Note(
                draft.label,
                "no content_html or content (a folder view lists titles only: export GET "
                "/api/v2/canned_response_folders/{id}/responses instead)",
            )
        )
        return
    parsed.drafts.append(draft)


def _folder(folder: dict[str, Any], path: str, r: JsonReader, parsed: Parsed) -> None:
    found = _folder_responses(folder)
    assert found is not None
    key, responses = found
    name = one_line(r.text(folder, "name", path) or "")
    for i, raw in enumerate(r.items(responses, f"{path}.{key}" if path else key)):
        rpath = f"{path}.{key}[{i}]" if path else f"{key}[{i}]"
        _draft(r.obj(raw, rpath), rpath, name, r, parsed)


def parse(data: Any, file: Path, *, include_inactive: bool = False) -> Parsed:
    """``include_inactive`` is accepted for a uniform interface: Freshdesk responses have no
    active flag."""
    parsed = Parsed()
    r = JsonReader(file)
    if isinstance(data, dict) and _folder_responses(data) is not None:
        _folder(data, "", r, parsed)
    elif isinstance(data, dict) and ("content_html" in data or "content" in data):
        _draft(data, "$", "", r, parsed)
    elif isinstance(data, list):
        for i, raw in enumerate(r.items(data, "")):
            item = r.obj(raw, f"[{i}]")
            if _folder_responses(item) is not None:
                _folder(item, f"[{i}]", r, parsed)
            else:
                _draft(item, f"[{i}]", "", r, parsed)
    else:
        got = "an object without 'canned_responses'" if isinstance(data, dict) else type_name(data)
        raise ConvertError(
            f"{file}: expected Freshdesk canned responses (the list GET /api/v2/"
            f"canned_response_folders/{{id}}/responses returns, or folders holding "
            f"'canned_responses'), got {got}"
        )
    return parsed
