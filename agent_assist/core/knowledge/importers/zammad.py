"""Zammad text modules (``GET /api/v1/text_modules``) as pack macro drafts.

Shape, from Zammad's own text module model (zammad/zammad
``app/assets/javascripts/app/models/text_module.coffee``: ``name``, ``keywords``, ``content``,
``note``, ``active``, ``group_ids``) and its variables reference
(https://admin-docs.zammad.org/en/latest/misc/variables.html, ``#{object.attribute}``): a
list of ``{"id", "name", "keywords", "content", "note", "active", "group_ids", ...}``; with
``?expand=true`` (foreign keys resolved) each also names its ``groups``.  ``content`` is rich
text (HTML) and is made Markdown.  Keywords become tags, as do groups (their names when
expanded, else ``zammad-group-<id>``).  ``#{ticket.number}`` is the number agents and
customers see, so it maps to the pack's ``ticket_id``.
"""

from __future__ import annotations

import re
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
    AGENT_LAST_NAME,
    AGENT_NAME,
    CUSTOMER_EMAIL,
    CUSTOMER_FIRST_NAME,
    CUSTOMER_LAST_NAME,
    CUSTOMER_NAME,
    TICKET_ID,
    TICKET_SUBJECT,
    ZAMMAD,
    Syntax,
)

SYNTAX = Syntax(
    "Zammad",
    ZAMMAD,
    {
        "ticket.customer.firstname": CUSTOMER_FIRST_NAME,
        "ticket.customer.fullname": CUSTOMER_NAME,
        "ticket.customer.lastname": CUSTOMER_LAST_NAME,
        "ticket.customer.email": CUSTOMER_EMAIL,
        "ticket.number": TICKET_ID,
        "ticket.title": TICKET_SUBJECT,
        "user.fullname": AGENT_NAME,
        "user.firstname": AGENT_FIRST_NAME,
        "user.lastname": AGENT_LAST_NAME,
    },
)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_KEYWORD_SPLIT = re.compile(r"[,;\s]+")


def _draft(item: dict[str, Any], path: str, r: JsonReader) -> Draft:
    vendor_id = r.ident(item, "id", path)
    title = one_line(r.text(item, "name", path) or "")
    content = r.text(item, "content", path) or ""
    draft = Draft(path, vendor_id, title, content, bool(_HTML_TAG.search(content)), ["zammad"])
    if not title:
        draft.title = f"Zammad text module {vendor_id}" if vendor_id else "Untitled text module"
        draft.notes.append(f"no name: named '{draft.title}'")
    draft.comments.append(f"Zammad text module {vendor_id or '(no id)'} ({path})")
    if note := r.text(item, "note", path):
        draft.comments.append(f"note: {note}")
    for keyword in _KEYWORD_SPLIT.split(r.text(item, "keywords", path) or ""):
        add_tag(draft.tags, keyword)
    groups = item.get("groups")
    if groups is not None:
        for i, group in enumerate(r.items(groups, f"{path}.groups")):
            if not isinstance(group, str):
                raise r.fail(f"{path}.groups[{i}]", f"expected text, got {type_name(group)}")
            add_tag(draft.tags, group)
    else:
        for group_id in r.ids(item, "group_ids", path):
            add_tag(draft.tags, f"zammad-group-{group_id}")
    return draft


def parse(data: Any, file: Path, *, include_inactive: bool = False) -> Parsed:
    parsed = Parsed()
    r = JsonReader(file)
    if isinstance(data, dict) and "name" in data and "content" in data:
        modules, base = [data], "$"  # GET /api/v1/text_modules/{id}
    elif isinstance(data, list):
        modules, base = r.items(data, ""), ""
    else:
        got = "an object that is not a text module" if isinstance(data, dict) else type_name(data)
        raise ConvertError(
            f"{file}: expected Zammad text modules (the list GET /api/v1/text_modules "
            f"returns), got {got}"
        )
    for i, raw in enumerate(modules):
        path = base or f"[{i}]"
        item = r.obj(raw, path)
        draft = _draft(item, path, r)
        if not r.flag(item, "active", path, True):
            if not include_inactive:
                parsed.skipped.append(
                    Note(draft.label, "inactive in Zammad (use --include-inactive to convert it)")
                )
                continue
            add_tag(draft.tags, "inactive")
        parsed.drafts.append(draft)
    return parsed
