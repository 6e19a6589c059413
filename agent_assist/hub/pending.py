"""Phrasings waiting for a SOP's next publish (the gaps inbox's "covered by SOP X").

A lead who says a group of agents' queries is covered by SOP X wants the suggestion engine to
find X for those words.  The queries are queued here and written into X's ``phrasings`` the
next time X is published (by the console, the CLI or any client): the publish adds them to
the uploaded front matter (:mod:`agent_assist.core.knowledge.frontmatter`, which keeps the
author's layout), validates the result like any upload, and marks them applied with the
version they went out in, in the publish's own transaction.  Agents then receive them with
the SOP through the ordinary delta feed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from agent_assist.core.knowledge.frontmatter import FrontMatterEditError, add_to_list
from agent_assist.core.knowledge.models import Sop
from agent_assist.core.knowledge.reader import LoadedItem, LoadedPack
from agent_assist.hub.auth import now_text
from agent_assist.hub.db import Database, Tx

log = logging.getLogger(__name__)
MAX_PENDING_PER_SOP = 200
"""A front matter is no place for thousands of phrasings: the rest wait for the next one."""


def add(db: Database, sop_id: str, texts: Iterable[str], by: str) -> int:
    """Queue ``texts`` as phrasings of ``sop_id``; returns how many were new."""
    now = now_text()
    added = 0
    with db.transaction() as tx:
        for text in dict.fromkeys(t.strip() for t in texts):
            if text:
                added += tx.execute(
                    "INSERT INTO pending_phrasings (sop_id, text, added_by, added_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (sop_id, text) DO NOTHING",
                    (sop_id, text, by, now),
                ).rowcount
    return added


def listing(db: Database, sop_id: str | None = None) -> list[dict[str, Any]]:
    """Queued and applied phrasings (of one SOP, or all), waiting ones first."""
    where, params = ("WHERE sop_id = ?", (sop_id,)) if sop_id else ("", ())
    with db.read() as tx:
        rows = tx.execute(
            "SELECT sop_id, text, added_by, added_at, applied_version, applied_at "
            f"FROM pending_phrasings {where} ORDER BY applied_version IS NOT NULL, sop_id, "
            "added_at, text",
            params,
        ).fetchall()
    return [
        {
            "sop_id": r[0],
            "text": r[1],
            "added_by": r[2],
            "added_at": r[3],
            "applied_version": None if r[4] is None else int(r[4]),
            "applied_at": r[5],
            "pending": r[4] is None,
        }
        for r in rows
    ]


def waiting(db: Database, sop_ids: Iterable[str]) -> dict[str, list[str]]:
    ids = sorted(set(sop_ids))
    if not ids:
        return {}
    out: dict[str, list[str]] = {}
    with db.read() as tx:
        for sop_id in ids:
            rows = tx.execute(
                "SELECT text FROM pending_phrasings WHERE sop_id = ? AND applied_version IS NULL "
                "ORDER BY added_at, text LIMIT ?",
                (sop_id, MAX_PENDING_PER_SOP),
            ).fetchall()
            if rows:
                out[sop_id] = [str(r[0]) for r in rows]
    return out


def apply_to_upload(db: Database, files: dict[str, str], pack: LoadedPack) -> dict[str, list[str]]:
    """Write waiting phrasings into the uploaded SOPs' front matter (``files`` is changed in
    place); returns what was added per SOP id.  A SOP whose front matter cannot be edited
    safely keeps its phrasings waiting (logged), and its upload goes out as it was."""
    sops = {i.content.id: i for i in pack.items if isinstance(i.content, Sop)}
    _keep_applied(db, files, sops)
    applied: dict[str, list[str]] = {}
    for sop_id, texts in waiting(db, sops).items():
        item = sops[sop_id]
        try:
            files[item.source.path] = add_to_list(item.source.text, "phrasings", texts)
        except FrontMatterEditError as exc:
            log.warning("pending phrasings of SOP %s stay pending: %s", sop_id, exc)
            continue
        applied[sop_id] = texts
    return applied


def _keep_applied(db: Database, files: dict[str, str], sops: dict[str, LoadedItem]) -> None:
    """An upload of exactly the text a SOP had before its queued phrasings were applied is
    a stale copy (the lead's folder, not yet synced), not a decision to drop them: it is
    taken as the current version, so publishing the same folder twice keeps them."""
    with db.read() as tx:
        for sop_id, item in sops.items():
            row = tx.execute(
                "SELECT c.source_text, p.content_hash FROM items i "
                "JOIN changes c ON c.seq = i.seq "
                "JOIN changes p ON p.kind = i.kind AND p.id = i.id AND p.version = i.version - 1 "
                "AND p.op = 'upsert' "
                "WHERE i.kind = 'sop' AND i.id = ? AND i.retired = 0 AND EXISTS (SELECT 1 FROM "
                "pending_phrasings q WHERE q.sop_id = i.id AND q.applied_version = i.version)",
                (sop_id,),
            ).fetchone()
            if row is not None and row[1] == item.source.content_hash:
                files[item.source.path] = str(row[0])


def mark_applied(tx: Tx, applied: dict[str, list[str]], versions: dict[str, int]) -> None:
    """Record the version each SOP's waiting phrasings went out in (inside the publish's
    transaction; SOPs that were not published keep theirs waiting)."""
    now = now_text()
    for sop_id, texts in applied.items():
        version = versions.get(sop_id)
        if version is None:
            continue
        for text in texts:
            tx.execute(
                "UPDATE pending_phrasings SET applied_version = ?, applied_at = ? "
                "WHERE sop_id = ? AND text = ? AND applied_version IS NULL",
                (version, now, sop_id, text),
            )
