"""Editing one item on the hub: validate, publish, and the optional second lead's approval.

An edit is checked as part of its pack, exactly as ``agent-assist validate`` and a publish
check it: the item's pack is rebuilt from the hub's current items with the edited file in
place, so a reference to a macro that does not exist, or a step loop, is caught as the lead
types.  Publishing goes through :func:`agent_assist.hub.knowledge.publish` like any upload.

When the team setting :data:`APPROVAL_SETTING` is on, an edit becomes a draft that waits in
the approvals list until another lead approves it (then it is published, as its author,
with the approver named in the note) or rejects it with a reason.  A draft made on a version
that has since changed cannot be approved: the approver would approve something else.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge.checks import validate_pack
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.knowledge.problems import Problem, Severity
from agent_assist.core.knowledge.reader import FOLDERS, LoadedItem
from agent_assist.hub import knowledge
from agent_assist.hub.auth import now_text
from agent_assist.hub.catalog import catalog
from agent_assist.hub.db import Database

APPROVAL_SETTING = "publish_needs_approval"
MAX_PROBLEMS = 50


class DraftError(AgentAssistError):
    """An edit, draft or approval that cannot be done; ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Target:
    kind: Kind
    id: str
    pack: str
    locale: str
    path: str
    version: int
    """The current version (0 for a new item)."""


def target(db: Database, kind: Kind, item_id: str, pack: str | None = None) -> Target:
    """Where an edit of ``kind``/``item_id`` goes: its pack and file (new items need a pack
    that has current items, to take its locale and to check references against)."""
    cat = catalog(db)
    item = cat.get(kind, item_id)
    if item is not None:
        return Target(kind, item_id, item.pack, item.pack_locale, item.source_path, item.version)
    packs = cat.packs()
    if not pack or pack not in packs:
        known = ", ".join(sorted(packs)) or "none yet"
        raise DraftError(
            f"no current {kind.value} '{item_id}'; a new one needs one of the hub's packs "
            f"({known})",
            404,
        )
    return Target(kind, item_id, pack, packs[pack], f"{FOLDERS[kind]}/{item_id}.md", 0)


def _files(db: Database, t: Target, text: str) -> dict[str, str]:
    files = {i.source_path: i.source_text for i in catalog(db).items.values() if i.pack == t.pack}
    files[t.path] = text
    return files


def _pack_yaml(t: Target) -> str:
    return f"name: {t.pack}\nlocale: {t.locale}\n"


def validate(db: Database, t: Target, text: str) -> tuple[list[dict[str, Any]], LoadedItem | None]:
    """Problems of the edited file within its pack (errors first) and the parsed item."""
    files = _files(db, t, text)
    with tempfile.TemporaryDirectory(prefix="hub-edit-") as tmp:
        root = Path(tmp)
        (root / "pack.yaml").write_text(_pack_yaml(t), encoding="utf-8")
        for rel, body in files.items():
            (root / rel).parent.mkdir(exist_ok=True)
            (root / rel).write_text(body, encoding="utf-8")
        pack = validate_pack(root)
    mine = [p for p in pack.problems if p.file == t.path]
    loaded = next((i for i in pack.items if i.source.path == t.path), None)
    if loaded is not None and loaded.content.id != t.id:
        mine.insert(
            0,
            Problem(
                t.path,
                loaded.doc.line(("id",)),
                "id",
                f"the id must stay '{t.id}' (publish a new item to use another id)",
            ),
        )
    if loaded is not None and loaded.content.kind is not t.kind:
        loaded = None
    return [p.to_json() for p in mine[:MAX_PROBLEMS]], loaded


def _errors(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in problems if p.get("severity", Severity.ERROR.value) == "error"]


def needs_approval(db: Database) -> bool:
    with db.read() as tx:
        row = tx.execute(
            "SELECT value FROM settings WHERE name = ?", (APPROVAL_SETTING,)
        ).fetchone()
    return row is not None and row[0] == "1"


def set_needs_approval(db: Database, value: bool) -> None:
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO settings (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (APPROVAL_SETTING, "1" if value else "0"),
        )


def _publish(db: Database, t: Target, text: str, note: str, author: str) -> dict[str, Any]:
    upload = knowledge.Upload(_pack_yaml(t), _files(db, t, text), note=note)
    result = knowledge.publish(db, upload, author)
    return result.to_json()


def submit(
    db: Database, t: Target, text: str, note: str, author: str, base_version: int | None = None
) -> dict[str, Any]:
    """Publish the edit now, or file it as a draft when the team requires approval.
    ``base_version`` is the version the editor opened: a newer one means someone else
    published meanwhile, and the edit is refused rather than silently overwriting theirs."""
    if base_version is not None and base_version != t.version:
        raise DraftError(
            f"{t.kind.value} '{t.id}' is at version {t.version} now, not {base_version} as "
            "when you opened it; reopen it to see the other change"
        )
    problems, _ = validate(db, t, text)
    if _errors(problems):
        raise DraftError(f"the {t.kind.value} has {len(_errors(problems))} error(s)", 422)
    if needs_approval(db):
        return {"draft": _file_draft(db, t, text, note, author), "published": []}
    return {"draft": None, **_publish(db, t, text, note, author)}


def _file_draft(db: Database, t: Target, text: str, note: str, author: str) -> int:
    with db.transaction() as tx:
        draft_id = knowledge.next_seqs(tx, "drafts", 1)
        tx.execute(
            "INSERT INTO drafts (id, kind, item_id, pack, source_path, source_text, "
            "base_version, note, author, created_at, status) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
            (
                draft_id,
                t.kind.value,
                t.id,
                t.pack,
                t.path,
                text,
                t.version,
                note,
                author,
                now_text(),
            ),
        )
    return draft_id


DRAFT_COLUMNS = (
    "id",
    "kind",
    "item_id",
    "pack",
    "source_path",
    "source_text",
    "base_version",
    "note",
    "author",
    "created_at",
    "status",
    "decided_by",
    "decided_at",
    "reason",
    "published_version",
)


def drafts(db: Database, status: str | None = "pending", limit: int = 200) -> list[dict[str, Any]]:
    where, params = ("WHERE status = ?", (status,)) if status else ("", ())
    with db.read() as tx:
        rows = tx.execute(
            f"SELECT {', '.join(DRAFT_COLUMNS)} FROM drafts {where} ORDER BY id DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
    return [dict(zip(DRAFT_COLUMNS, r, strict=True)) for r in rows]


def draft(db: Database, draft_id: int) -> dict[str, Any]:
    with db.read() as tx:
        row = tx.execute(
            f"SELECT {', '.join(DRAFT_COLUMNS)} FROM drafts WHERE id = ?", (draft_id,)
        ).fetchone()
    if row is None:
        raise DraftError(f"no draft {draft_id}", 404)
    return dict(zip(DRAFT_COLUMNS, row, strict=True))


def _pending(db: Database, draft_id: int, by: str) -> dict[str, Any]:
    d = draft(db, draft_id)
    if d["status"] != "pending":
        raise DraftError(f"draft {draft_id} is {d['status']} already")
    if d["author"] == by:
        raise DraftError(f"draft {draft_id} is yours; another lead must approve or reject it", 403)
    return d


def _close(
    db: Database, draft_id: int, status: str, by: str, reason: str, version: int | None
) -> None:
    with db.transaction() as tx:
        tx.execute(
            "UPDATE drafts SET status = ?, decided_by = ?, decided_at = ?, reason = ?, "
            "published_version = ? WHERE id = ? AND status = 'pending'",
            (status, by, now_text(), reason, version, draft_id),
        )


def approve(db: Database, draft_id: int, by: str) -> dict[str, Any]:
    """Publish draft ``draft_id`` as its author, naming the approver in the note."""
    d = _pending(db, draft_id, by)
    t = target(db, Kind(d["kind"]), d["item_id"], d["pack"])
    if t.version != d["base_version"]:
        raise DraftError(
            f"{d['kind']} '{d['item_id']}' changed since draft {draft_id} was made (version "
            f"{t.version}, draft on {d['base_version']}); reject it and edit again"
        )
    note = f"{d['note']} (approved by {by})".strip()
    result = _publish(db, t, d["source_text"], note, d["author"])
    version = next((p["version"] for p in result["published"] if p["id"] == t.id), None)
    _close(db, draft_id, "approved", by, "", version)
    return {"draft": draft_id, **result}


def reject(db: Database, draft_id: int, by: str, reason: str) -> dict[str, Any]:
    _pending(db, draft_id, by)
    _close(db, draft_id, "rejected", by, reason, None)
    return {"draft": draft_id, "status": "rejected"}
