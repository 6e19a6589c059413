"""SOP reviews: who owns each SOP, when its review is due, and "verified".

``review_due`` lives in the SOP's front matter (the pack format's own field, which badges
overdue SOPs on the desktop).  An owner is set on the hub by a lead; until then it is whoever
published the SOP last.  "Verified" writes the next due date into the front matter (keeping
the author's layout, :mod:`agent_assist.core.knowledge.frontmatter`) and publishes that as a
new version with the lead's note, through the same path as the editor (so a team that
requires a second lead's approval gets a draft).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from agent_assist.core.knowledge.frontmatter import FrontMatterEditError, set_scalar
from agent_assist.core.knowledge.models import Kind
from agent_assist.hub import drafts
from agent_assist.hub.auth import NAME_RE, now_text
from agent_assist.hub.catalog import catalog
from agent_assist.hub.db import Database

DUE_SOON_DAYS = 30
DEFAULT_INTERVAL_DAYS = 180


def owners(db: Database) -> dict[tuple[str, str], str]:
    with db.read() as tx:
        rows = tx.execute("SELECT kind, id, owner FROM owners").fetchall()
    return {(str(r[0]), str(r[1])): str(r[2]) for r in rows}


def set_owner(db: Database, kind: Kind, item_id: str, owner: str, by: str) -> None:
    if catalog(db).get(kind, item_id) is None:
        raise drafts.DraftError(f"no current {kind.value} '{item_id}'", 404)
    if not NAME_RE.match(owner):
        raise drafts.DraftError(f"'{owner[:100]}' is not a name (letters, digits, . _ @ -)", 422)
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO owners (kind, id, owner, set_by, set_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (kind, id) DO UPDATE SET owner = excluded.owner, "
            "set_by = excluded.set_by, set_at = excluded.set_at",
            (kind.value, item_id, owner, by, now_text()),
        )


def reviews(db: Database, today: dt.date, soon_days: int = DUE_SOON_DAYS) -> dict[str, Any]:
    """Every current SOP with its owner and review state: overdue, due soon (within
    ``soon_days``), scheduled, or no date."""
    owned = owners(db)
    rows = []
    for item in catalog(db).of_kind(Kind.SOP):
        due = item.sop.review_due if item.sop else None
        if due is None:
            state = "none"
        elif due < today:
            state = "overdue"
        elif due <= today + dt.timedelta(days=soon_days):
            state = "due_soon"
        else:
            state = "scheduled"
        rows.append(
            {
                "sop_id": item.id,
                "title": item.title,
                "version": item.version,
                "owner": owned.get((Kind.SOP.value, item.id), item.author),
                "owner_set": (Kind.SOP.value, item.id) in owned,
                "review_due": due.isoformat() if due else None,
                "days_left": (due - today).days if due else None,
                "state": state,
                "last_published": item.published_at,
            }
        )
    rows.sort(key=lambda r: (r["review_due"] is None, r["review_due"] or "", r["sop_id"]))
    return {
        "today": today.isoformat(),
        "soon_days": soon_days,
        "overdue": [r for r in rows if r["state"] == "overdue"],
        "due_soon": [r for r in rows if r["state"] == "due_soon"],
        "sops": rows,
    }


def review_counts(db: Database, today: dt.date) -> dict[str, int]:
    """The overview's tile: overdue and due-soon SOPs."""
    data = reviews(db, today)
    return {"overdue": len(data["overdue"]), "due_soon": len(data["due_soon"])}


def verify(
    db: Database, sop_id: str, next_due: dt.date, note: str, by: str, today: dt.date
) -> dict[str, Any]:
    """The SOP was reviewed: set ``review_due`` to ``next_due`` and publish that change."""
    if next_due <= today:
        raise drafts.DraftError(
            f"the next review date {next_due.isoformat()} is not in the future", 422
        )
    t = drafts.target(db, Kind.SOP, sop_id)
    item = catalog(db).get(Kind.SOP, sop_id)
    assert item is not None  # target() found it
    try:
        text = set_scalar(item.source_text, "review_due", next_due.isoformat())
    except FrontMatterEditError as exc:
        raise drafts.DraftError(f"SOP '{sop_id}': {exc}", 422) from None
    note = note.strip() or f"Reviewed; next review {next_due.isoformat()}"
    return drafts.submit(db, t, text, note, by, base_version=item.version)
