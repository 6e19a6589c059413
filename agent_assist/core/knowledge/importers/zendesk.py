"""Zendesk macros (``GET /api/v2/macros``) as pack macro drafts.

Shape, from https://developer.zendesk.com/api-reference/ticketing/business-rules/macros/ and
the actions reference (https://developer.zendesk.com/documentation/ticketing/reference-guides/
actions-reference/): ``{"macros": [{"id", "title", "active", "description", "restriction",
"actions": [{"field", "value"}]}], "next_page", ...}``.  The reply is the ``comment_value``
action (text, or a list such as ``["channel:all", "text"]``) or ``comment_value_html``;
``comment_mode_is_public: false`` makes it an internal note.  Other actions (status, priority,
assignee, tags) have no place in a pack macro: they are kept as a comment in the file and
noted.  Titles nest with ``::`` ("Billing::Refunds::Approved"): the outer parts become tags,
and so does the restriction (``zendesk-group-<id>``, ``zendesk-personal``).
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
from agent_assist.core.knowledge.problems import excerpt

SYNTAX = Syntax(
    "Zendesk",
    LIQUID,
    {
        "ticket.requester.first_name": CUSTOMER_FIRST_NAME,
        "ticket.requester.name": CUSTOMER_NAME,
        "ticket.requester.last_name": CUSTOMER_LAST_NAME,
        "ticket.requester.email": CUSTOMER_EMAIL,
        "ticket.id": TICKET_ID,
        "ticket.title": TICKET_SUBJECT,
        "current_user.name": AGENT_NAME,
        "current_user.first_name": AGENT_FIRST_NAME,
    },
    liquid=True,
)
_REPLY_FIELDS = ("comment_value", "comment_value_html", "comment_mode_is_public")


def _macro_list(data: Any, r: JsonReader, parsed: Parsed) -> tuple[list[Any], str]:
    """The macros of any shape the API returns: a list page, one macro, or a bare list."""
    if isinstance(data, list):
        return r.items(data, ""), ""
    if isinstance(data, dict) and "macros" in data:
        if data.get("next_page"):
            parsed.notes.append(
                Note(
                    "next_page",
                    "the export has more pages: only this page was converted (fetch every "
                    "page and join their macros)",
                )
            )
        return r.items(data["macros"], "macros"), "macros"
    if isinstance(data, dict) and "macro" in data:
        return [r.obj(data["macro"], "macro")], "macro"
    got = "an object without 'macros'" if isinstance(data, dict) else type_name(data)
    raise ConvertError(
        f'{r.file}: expected a Zendesk macros export ({{"macros": [...]}} as GET '
        f"/api/v2/macros returns it), got {got}"
    )


def _comment_text(value: Any, path: str, r: JsonReader, draft: Draft) -> str:
    """``comment_value``'s text: a string, or ``["channel:<name>", "text"]``."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        if len(value) > 1 and value[0].startswith("channel:") and value[0] != "channel:all":
            draft.comments.append(f"reply only for {value[0]}")
        return str(value[-1])
    raise r.fail(
        path,
        f'expected text or a list of text such as ["channel:all", "..."], got {type_name(value)}',
    )


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def _draft(item: dict[str, Any], path: str, r: JsonReader) -> Draft:
    vendor_id = r.ident(item, "id", path)
    title = one_line(r.text(item, "title", path) or "")
    draft = Draft(path, vendor_id, title, "", False, ["zendesk"])
    if not title:
        draft.title = f"Zendesk macro {vendor_id}" if vendor_id else "Untitled Zendesk macro"
        draft.notes.append(f"no title: named '{draft.title}'")
    draft.comments.append(f"Zendesk macro {vendor_id or '(no id)'} ({path})")
    if description := r.text(item, "description", path):
        draft.comments.append(f"description: {description}")
    for part in draft.title.split("::")[:-1]:
        add_tag(draft.tags, part)
    _restriction(item.get("restriction"), f"{path}.restriction", r, draft)
    plain: list[str] = []
    html: list[str] = []
    dropped: list[str] = []
    actions = item.get("actions")
    for i, raw in enumerate(r.items(actions, f"{path}.actions") if actions is not None else []):
        apath = f"{path}.actions[{i}]"
        action = r.obj(raw, apath)
        name = r.text(action, "field", apath)
        if not name:
            raise r.fail(f"{apath}.field", "is missing (expected the name of the action)")
        value = action.get("value")
        if name == "comment_value":
            plain.append(_comment_text(value, f"{apath}.value", r, draft))
        elif name == "comment_value_html":
            if not isinstance(value, str):
                raise r.fail(f"{apath}.value", f"expected HTML text, got {type_name(value)}")
            html.append(value)
        elif name == "comment_mode_is_public":
            if str(value).lower() == "false":
                add_tag(draft.tags, "internal-note")
        else:
            dropped.append(f"{name}={excerpt(_shown(value), 40)}")
    if dropped:
        draft.comments.append(f"actions not carried over: {', '.join(dropped)}")
        draft.notes.append(f"actions not carried over (kept as a comment): {', '.join(dropped)}")
    draft.html = bool(html)
    draft.body = "\n\n".join(html if html else plain)
    return draft


def _restriction(value: Any, path: str, r: JsonReader, draft: Draft) -> None:
    """``{"type": "Group", "id": 1, "ids": [1, 2]}`` or ``{"type": "User", "id": 4}`` as tags."""
    if value is None:
        return
    restriction = r.obj(value, path)
    kind = (r.text(restriction, "type", path) or "").lower()
    if kind == "user":
        add_tag(draft.tags, "zendesk-personal")
        return
    ids = r.ids(restriction, "ids", path) or [r.ident(restriction, "id", path)]
    for one in ids:
        add_tag(draft.tags, f"zendesk-{kind or 'restricted'}-{one}")


def parse(data: Any, file: Path, *, include_inactive: bool = False) -> Parsed:
    parsed = Parsed()
    r = JsonReader(file)
    macros, base = _macro_list(data, r, parsed)
    for i, raw in enumerate(macros):
        path = f"{base}[{i}]" if base != "macro" else base
        item = r.obj(raw, path)
        draft = _draft(item, path, r)
        if not r.flag(item, "active", path, True):
            if not include_inactive:
                parsed.skipped.append(
                    Note(draft.label, "inactive in Zendesk (use --include-inactive to convert it)")
                )
                continue
            add_tag(draft.tags, "inactive")
        parsed.drafts.append(draft)
    return parsed
