"""Every version of an item and what changed between any two of them.

A diff has three parts a lead reads differently: the front-matter fields that changed (old
and new value side by side), the checklist step by step (the desktop's own
:func:`step_diff`, steps matched by id), and a line diff of the Markdown body.  Old versions
are re-read from the source text the hub keeps for every version, with the pack reader.
"""

from __future__ import annotations

import difflib
from typing import Any

from agent_assist.core.knowledge.diffs import step_diff
from agent_assist.core.knowledge.models import Kind, Sop
from agent_assist.core.knowledge.reader import parse_item
from agent_assist.core.knowledge.yamlsource import YamlSyntaxError, parse_yaml, split_front_matter
from agent_assist.hub.db import Database
from agent_assist.hub.knowledge import UnknownItemError, history

MAX_DIFF_LINES = 2_000
"""A diff longer than this is cut (and says so): a page, not a dump."""


def item_versions(db: Database, kind: Kind, item_id: str) -> list[dict[str, Any]]:
    """Versions oldest first, with author, time and note (retirements marked)."""
    return history(db, kind, item_id)


def version_source(db: Database, kind: Kind, item_id: str, version: int) -> dict[str, Any]:
    """The stored file of one version."""
    with db.read() as tx:
        row = tx.execute(
            "SELECT source_path, source_text, author, published_at, note, pack FROM changes "
            "WHERE kind = ? AND id = ? AND version = ? AND op = 'upsert'",
            (kind.value, item_id, version),
        ).fetchone()
    if row is None:
        raise UnknownItemError(kind.value, f"{item_id}' version '{version}")
    return {
        "kind": kind.value,
        "id": item_id,
        "version": version,
        "source_path": row[0],
        "source_text": row[1],
        "author": row[2],
        "published_at": row[3],
        "note": row[4],
        "pack": row[5],
    }


def _front(text: str) -> tuple[dict[str, Any], str]:
    parts = split_front_matter(text)
    if parts is None:
        return {}, text
    try:
        value = parse_yaml(parts[0], first_line=2).value
    except YamlSyntaxError:
        value = None
    return (value if isinstance(value, dict) else {}), parts[1]


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, str]]:
    """Top-level fields that differ (``steps`` is left to the step diff)."""
    keys = [k for k in dict.fromkeys([*old, *new]) if k != "steps"]
    return [
        {"field": str(k), "old": _show(old.get(k)), "new": _show(new.get(k))}
        for k in keys
        if old.get(k) != new.get(k)
    ]


def body_diff(old: str, new: str) -> list[dict[str, str]]:
    """A unified line diff as rows ``{"op": " "|"+"|"-"|"@", "text": ...}``."""
    rows: list[dict[str, str]] = []
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), lineterm="", n=3, fromfile="a", tofile="b"
    )
    for line in list(lines)[2:]:
        if len(rows) >= MAX_DIFF_LINES:
            rows.append({"op": "@", "text": f"(diff cut at {MAX_DIFF_LINES} lines)"})
            break
        op = "@" if line.startswith("@@") else line[:1] or " "
        rows.append({"op": op, "text": line if op == "@" else line[1:]})
    return rows


def _steps(kind: Kind, a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]] | None:
    if kind is not Kind.SOP:
        return None
    items = [parse_item(v["source_text"], v["source_path"], kind, "en")[0] for v in (a, b)]
    old, new = (i.content if i is not None else None for i in items)
    if not isinstance(old, Sop) or not isinstance(new, Sop):
        return None
    return [
        {
            "change": c.change.value,
            "step_id": c.step_id,
            "text": c.text,
            "old_text": c.old.text if c.old else None,
            "details": list(c.details),
        }
        for c in step_diff(old, new)
    ]


def diff(db: Database, kind: Kind, item_id: str, a: int, b: int) -> dict[str, Any]:
    """What changed from version ``a`` to version ``b`` (either order)."""
    va, vb = (version_source(db, kind, item_id, v) for v in (a, b))
    front_a, body_a = _front(va["source_text"])
    front_b, body_b = _front(vb["source_text"])
    return {
        "kind": kind.value,
        "id": item_id,
        "a": {k: va[k] for k in ("version", "author", "published_at", "note")},
        "b": {k: vb[k] for k in ("version", "author", "published_at", "note")},
        "fields": field_changes(front_a, front_b),
        "steps": _steps(kind, va, vb),
        "body": body_diff(body_a, body_b),
        "identical": va["source_text"] == vb["source_text"],
    }
