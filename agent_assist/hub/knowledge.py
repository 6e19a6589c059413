"""Publishing: immutable item versions, retirements and the delta feed built from them.

A publish is validated with the very checks ``agent-assist validate`` runs (the uploaded
files are written to a temporary pack folder and read by :func:`validate_pack`), then applied
in one transaction: a pack with an error publishes nothing, and a half-applied publish can
never be seen.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent_assist.core.knowledge.checks import validate_pack
from agent_assist.core.knowledge.models import Kind, Sop
from agent_assist.core.knowledge.problems import Problem
from agent_assist.hub import pending
from agent_assist.hub.auth import now_text
from agent_assist.hub.db import Database, Tx, notify

FILE_PATH_RE = re.compile(r"(sops|macros)/[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.md\Z")
FEED_COLUMNS = (
    "seq",
    "op",
    "kind",
    "id",
    "version",
    "content_hash",
    "pack",
    "pack_locale",
    "source_path",
    "source_text",
    "published_at",
    "author",
    "note",
)
_SELECT_FEED = f"SELECT {', '.join(FEED_COLUMNS)} FROM changes"


MAX_REPORTED = 100
"""Problems sent back for a refused publish: the first ones, and how many there were."""


class PublishRejectedError(Exception):
    """The uploaded pack has errors; nothing was published.

    ``problems`` holds at most :data:`MAX_REPORTED` of them (each message short, see
    :class:`Problem`), so the answer stays small however broken the upload; ``total`` counts
    them all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the pack")
        self.total = len(problems)
        self.problems = problems[:MAX_REPORTED]


class UnknownItemError(Exception):
    def __init__(self, kind: str, item_id: str) -> None:
        super().__init__(f"no {kind} with id '{item_id}' has been published")


@dataclass
class Upload:
    pack_yaml: str
    files: dict[str, str]
    note: str = ""
    prune: bool = False


@dataclass
class PublishResult:
    published: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    retired: list[dict[str, Any]] = field(default_factory=list)
    cursor: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "published": self.published,
            "unchanged": self.unchanged,
            "retired": self.retired,
            "cursor": self.cursor,
        }


def check_paths(files: dict[str, str]) -> list[Problem]:
    return [
        Problem(path, 0, "", "not a pack item path (expected sops/NAME.md or macros/NAME.md)")
        for path in files
        if not FILE_PATH_RE.match(path)
    ]


def _validated(upload: Upload) -> Any:
    problems = check_paths(upload.files)
    if problems:
        raise PublishRejectedError(problems)
    with tempfile.TemporaryDirectory(prefix="hub-publish-") as tmp:
        root = Path(tmp)
        (root / "pack.yaml").write_text(upload.pack_yaml, encoding="utf-8")
        for rel, text in upload.files.items():
            (root / rel).parent.mkdir(exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        pack = validate_pack(root)
    if pack.errors or pack.info is None:
        raise PublishRejectedError(pack.errors or pack.problems)
    return pack


def next_seqs(tx: Tx, counter: str, count: int) -> int:
    """Reserve ``count`` sequence numbers; returns the first.  Locks the counter row until
    the transaction ends, which serializes writers (see :mod:`agent_assist.hub.db`)."""
    row = tx.execute(
        "UPDATE counters SET value = value + ? WHERE name = ? RETURNING value", (count, counter)
    ).fetchone()
    if counter == "feed":  # every replica's SSE clients hear of it when this commits
        notify(tx, f"feed:{int(row[0])}")
    return int(row[0]) - count + 1


def head(db: Database) -> int:
    with db.read() as tx:
        return int(tx.execute("SELECT value FROM counters WHERE name = 'feed'").fetchone()[0])


def _insert_change(tx: Tx, seq: int, op: str, row: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO changes (seq, op, kind, id, version, content_hash, pack, pack_locale, "
        "source_path, source_text, published_at, author, note, requires_ack) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            seq,
            op,
            row["kind"],
            row["id"],
            row["version"],
            row["content_hash"],
            row["pack"],
            row["pack_locale"],
            row["source_path"],
            row["source_text"],
            row["published_at"],
            row["author"],
            row["note"],
            row["requires_ack"],
        ),
    )
    tx.execute(
        "INSERT INTO items (kind, id, version, content_hash, pack, retired, seq) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET "
        "version = excluded.version, content_hash = excluded.content_hash, "
        "pack = excluded.pack, retired = excluded.retired, seq = excluded.seq",
        (
            row["kind"],
            row["id"],
            row["version"],
            row["content_hash"],
            row["pack"],
            int(op == "retire"),
            seq,
        ),
    )


def _last_version(tx: Tx, kind: str, item_id: str) -> dict[str, Any] | None:
    columns = ", ".join((*FEED_COLUMNS, "requires_ack"))
    row = tx.execute(
        f"SELECT {columns} FROM changes WHERE kind = ? AND id = ? AND op = 'upsert' "
        "ORDER BY version DESC LIMIT 1",
        (kind, item_id),
    ).fetchone()
    if row is None:
        return None
    return dict(zip((*FEED_COLUMNS, "requires_ack"), row, strict=True))


def publish(db: Database, upload: Upload, author: str) -> PublishResult:
    """Validate and publish ``upload``; raises :class:`PublishRejectedError` on any error."""
    pack = _validated(upload)
    sent = dict(upload.files)
    applied = pending.apply_to_upload(db, upload.files, pack)  # the gaps inbox's phrasings
    if upload.files != sent:
        pack = _validated(upload)
    result = PublishResult()
    now = now_text()
    with db.transaction() as tx:
        current = {
            (str(r[0]), str(r[1])): (int(r[2]), str(r[3]), bool(r[4]), str(r[5]))
            for r in tx.execute(
                "SELECT kind, id, version, content_hash, retired, pack FROM items"
            ).fetchall()
        }
        rows = []
        seen = set()
        for item in pack.items:
            key = (item.content.kind.value, item.content.id)
            seen.add(key)
            version, old_hash, retired, _ = current.get(key, (0, "", False, ""))
            if old_hash == item.source.content_hash and not retired:
                result.unchanged += 1
                continue
            rows.append(
                {
                    "kind": key[0],
                    "id": key[1],
                    "version": version + 1,
                    "content_hash": item.source.content_hash,
                    "pack": pack.info.name,
                    "pack_locale": pack.info.locale,
                    "source_path": item.source.path,
                    "source_text": item.source.text,
                    "published_at": now,
                    "author": author,
                    "note": upload.note,
                    "requires_ack": int(_requires_ack(item.content)),
                }
            )
        prune = [
            key
            for key, (_, _, retired, pack_name) in current.items()
            if upload.prune and pack_name == pack.info.name and not retired and key not in seen
        ]
        if rows or prune:
            seq = next_seqs(tx, "feed", len(rows) + len(prune))
            for row in rows:
                _insert_change(tx, seq, "upsert", row)
                result.published.append(
                    {k: row[k] for k in ("kind", "id", "version", "content_hash")}
                )
                seq += 1
            for kind, item_id in prune:
                result.retired.append(_retire_one(tx, seq, kind, item_id, author, upload.note))
                seq += 1
        if applied:
            versions = {r["id"]: r["version"] for r in rows if r["kind"] == Kind.SOP.value}
            pending.mark_applied(tx, applied, versions)
        result.cursor = int(
            tx.execute("SELECT value FROM counters WHERE name = 'feed'").fetchone()[0]
        )
    return result


def _requires_ack(content: object) -> bool:
    return isinstance(content, Sop) and content.requires_ack


def _retire_one(
    tx: Tx, seq: int, kind: str, item_id: str, author: str, note: str
) -> dict[str, Any]:
    last = _last_version(tx, kind, item_id)
    assert last is not None
    last.update(published_at=now_text(), author=author, note=note)
    _insert_change(tx, seq, "retire", last)
    return {"kind": kind, "id": item_id, "version": last["version"]}


def retire(
    db: Database, items: list[tuple[str, str]], author: str, note: str
) -> tuple[list[dict[str, Any]], int, int]:
    """Retire ``items`` (kind, id) in one transaction: (retired, already retired, cursor)."""
    with db.transaction() as tx:
        todo = []
        already = 0
        for kind, item_id in dict.fromkeys(items):
            row = tx.execute(
                "SELECT retired FROM items WHERE kind = ? AND id = ?", (kind, item_id)
            ).fetchone()
            if row is None:
                raise UnknownItemError(kind, item_id)
            if row[0]:
                already += 1
            else:
                todo.append((kind, item_id))
        retired = []
        if todo:
            seq = next_seqs(tx, "feed", len(todo))
            for offset, (kind, item_id) in enumerate(todo):
                retired.append(_retire_one(tx, seq + offset, kind, item_id, author, note))
        cursor = int(tx.execute("SELECT value FROM counters WHERE name = 'feed'").fetchone()[0])
    return retired, already, cursor


def changes(db: Database, since: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
    """Feed entries after ``since``: (entries, cursor, more)."""
    with db.read() as tx:
        rows = tx.execute(
            f"{_SELECT_FEED} WHERE seq > ? ORDER BY seq LIMIT ?", (since, limit + 1)
        ).fetchall()
    more = len(rows) > limit
    entries = [dict(zip(FEED_COLUMNS, r, strict=True)) for r in rows[:limit]]
    cursor = int(entries[-1]["seq"]) if entries else since
    return entries, cursor, more


def history(db: Database, kind: Kind, item_id: str) -> list[dict[str, Any]]:
    with db.read() as tx:
        rows = tx.execute(
            "SELECT op, version, content_hash, author, published_at, note FROM changes "
            "WHERE kind = ? AND id = ? ORDER BY seq",
            (kind.value, item_id),
        ).fetchall()
    if not rows:
        raise UnknownItemError(kind.value, item_id)
    versions: list[dict[str, Any]] = []
    for op, version, content_hash, author, published_at, note in rows:
        if op == "upsert":
            versions.append(
                {
                    "version": int(version),
                    "content_hash": content_hash,
                    "author": author,
                    "published_at": published_at,
                    "note": note,
                    "retired": False,
                    "retired_at": None,
                }
            )
        elif versions:
            versions[-1].update(retired=True, retired_at=published_at)
    return versions


def current_items(db: Database) -> list[dict[str, Any]]:
    """The latest version of every item that is not retired (what an export holds)."""
    with db.read() as tx:
        rows = tx.execute(
            f"{_SELECT_FEED} WHERE seq IN (SELECT seq FROM items WHERE retired = 0) ORDER BY seq"
        ).fetchall()
    return [dict(zip(FEED_COLUMNS, r, strict=True)) for r in rows]


def current_version(db: Database, sop_id: str) -> int | None:
    with db.read() as tx:
        row = tx.execute(
            "SELECT version FROM items WHERE kind = 'sop' AND id = ?", (sop_id,)
        ).fetchone()
    return None if row is None else int(row[0])
