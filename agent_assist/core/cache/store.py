"""The local knowledge cache: one SQLite file, the only code in the app that writes SQL.

Guarantees: WAL journaling, so readers never block the writer; every import is one
transaction (a pack either lands whole or not at all); every version of every item is kept;
the FTS5 index is maintained by triggers on ``items`` and so cannot drift from it.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from agent_assist.core.cache.facts import ItemFacts, read_facts
from agent_assist.core.cache.hub_sync import HubSyncStore
from agent_assist.core.cache.migrations import MIGRATIONS
from agent_assist.core.database import SQLiteFile
from agent_assist.core.errors import NotFoundError, PackError, StoreError
from agent_assist.core.knowledge.models import Item, Kind, PackInfo, content_from_json
from agent_assist.core.worklog.clock import Clock, SystemClock

if TYPE_CHECKING:  # the reader (and its YAML parser) is only needed to import a pack
    from agent_assist.core.knowledge.reader import LoadedItem, LoadedPack

DB_NAME = "knowledge.sqlite3"
DAMAGED_HINT = (
    "the file is damaged; move it aside and start agent-assist again to rebuild it from your packs"
)


@dataclass
class ImportReport:
    pack: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    shadowed: list[str] = field(default_factory=list)
    """Items of this pack not stored because a hub pack holds the same kind and id."""

    def summary(self) -> str:
        shadowed = f", {len(self.shadowed)} shadowed by hub content" if self.shadowed else ""
        return (
            f"pack '{self.pack}': {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.retired)} retired{shadowed}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "retired": self.retired,
            "shadowed": self.shadowed,
        }


@dataclass(frozen=True)
class ItemVersion:
    version: int
    content_hash: str
    created_at: str
    source_path: str
    source_text: str


@dataclass(frozen=True)
class PackRecord:
    info: PackInfo
    source_text: str
    imported_at: str


@dataclass(frozen=True)
class FtsHit:
    kind: Kind
    item_id: str
    rank: float
    """FTS5 bm25 rank: more negative is better."""


class SearchFields(NamedTuple):
    """What the suggestion index reads of an item (see :meth:`Store.search_fields`)."""

    kind: Kind
    item_id: str
    title: str
    summary: str
    phrasings: tuple[str, ...]
    body: str
    locale: str
    tags: tuple[str, ...]
    macros: tuple[str, ...]
    content_hash: str


class Store(SQLiteFile, HubSyncStore):
    """Open (creating or migrating) the cache at ``path``.

    ``clock`` (the app's one clock; its wall time stamps imports and uses) is injected so tests
    can pin timestamps.
    """

    LABEL = "knowledge cache"
    ERROR = StoreError
    DAMAGED_HINT = DAMAGED_HINT
    MIGRATIONS = MIGRATIONS

    def __init__(self, path: Path, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        super().__init__(path, ("foreign_keys = ON",))
        self.db = self.conn  # the name the cache's queries and callers use

    @classmethod
    def in_dir(cls, data_dir: Path, clock: Clock | None = None) -> Store:
        return cls(data_dir / DB_NAME, clock)

    def _now(self) -> str:
        return self._clock.now().wall.astimezone(dt.UTC).isoformat(timespec="seconds")

    # -- imports -----------------------------------------------------------------------------
    def import_pack(
        self, pack: LoadedPack, *, prune: bool = False, hub_url: str | None = None
    ) -> ImportReport:
        """Store a checked pack in one transaction; refuse (storing nothing) if it has errors.

        A local pack may not take the name of a pack the hub publishes, and its items never
        replace hub items of the same kind and id (they are reported as shadowed; see
        ``docs/sync.md``).  ``hub_url`` marks a verified signed pack exported by that hub: its
        content is hub content.
        """
        if pack.errors or pack.info is None or pack.pack_file is None:
            raise PackError(
                f"{pack.root}: {len(pack.errors)} error(s); nothing was imported", pack.errors
            )
        info, now = pack.info, self._now()
        if hub_url is None:
            self._refuse_hub_pack_name(info.name)
        report = ImportReport(info.name)
        with self._transaction(f"import pack '{info.name}'") as conn:
            if hub_url is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO hub_packs VALUES (?, ?, ?)",
                    (info.name, info.locale, hub_url),
                )
            conn.execute(
                "INSERT OR REPLACE INTO packs VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    info.name,
                    info.version,
                    info.locale,
                    info.publisher,
                    pack.pack_file.text,
                    pack.pack_file.content_hash,
                    now,
                ),
            )
            seen: set[tuple[str, str]] = set()
            for loaded in pack.items:
                key = (loaded.content.kind.value, loaded.content.id)
                seen.add(key)
                if hub_url is None and self._shadowed_by_hub(conn, *key, info.name, now):
                    report.shadowed.append(f"{key[0]}:{key[1]}")
                    continue
                self._upsert(conn, info.name, loaded, now, report)
            if prune:
                rows = conn.execute(
                    "SELECT kind, item_id FROM items WHERE pack = ? AND retired_at IS NULL",
                    (info.name,),
                ).fetchall()
                for kind, item_id in rows:
                    if (kind, item_id) not in seen:
                        conn.execute(
                            "UPDATE items SET retired_at = ? WHERE kind = ? AND item_id = ?",
                            (now, kind, item_id),
                        )
                        report.retired.append(f"{kind}:{item_id}")
        return report

    def _upsert(
        self,
        conn: sqlite3.Connection,
        pack: str,
        loaded: LoadedItem,
        now: str,
        report: ImportReport,
    ) -> None:
        content, source = loaded.content, loaded.source
        kind, item_id = content.kind.value, content.id
        label = f"{kind}:{item_id}"
        row = conn.execute(
            "SELECT version, content_hash, retired_at FROM items WHERE kind = ? AND item_id = ?",
            (kind, item_id),
        ).fetchone()
        if row and row[1] == source.content_hash and row[2] is None:
            report.unchanged.append(label)
            return
        data = content.to_json()
        version = 1 if row is None else (row[0] + (row[1] != source.content_hash))
        phrasings = "\n".join(data.get("phrasings", ()))
        values = (
            content.title,
            data.get("summary", ""),
            phrasings,
            " ".join(content.tags),
            content.body,
            content.locale,
            json.dumps(data, ensure_ascii=False),
            source.path,
            source.text,
            pack,
            version,
            source.content_hash,
            now,
        )
        if row is None:
            conn.execute(
                "INSERT INTO items (title, summary, phrasings, tags, body, locale, data, "
                "source_path, source_text, pack, version, content_hash, updated_at, kind, "
                "item_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, kind, item_id),
            )
            report.added.append(label)
        else:
            conn.execute(
                "UPDATE items SET title = ?, summary = ?, phrasings = ?, tags = ?, body = ?, "
                "locale = ?, data = ?, source_path = ?, source_text = ?, pack = ?, version = ?, "
                "content_hash = ?, updated_at = ?, retired_at = NULL "
                "WHERE kind = ? AND item_id = ?",
                (*values, kind, item_id),
            )
            report.updated.append(label)
        conn.execute(
            "INSERT OR IGNORE INTO item_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                kind,
                item_id,
                version,
                source.content_hash,
                json.dumps(data, ensure_ascii=False),
                source.path,
                source.text,
                pack,
                now,
            ),
        )

    # -- reads -------------------------------------------------------------------------------
    _ITEM_COLS = (
        "kind, item_id, data, version, content_hash, pack, source_path, updated_at, retired_at"
    )

    @staticmethod
    def _item(row: tuple[Any, ...]) -> Item:
        kind = Kind(row[0])
        return Item(
            content=content_from_json(kind, json.loads(row[2])),
            version=row[3],
            content_hash=row[4],
            pack=row[5] or "",
            source_path=row[6] or "",
            updated_at=row[7] or "",
            retired=row[8] is not None,
        )

    def items(self, kind: Kind | None = None, *, include_retired: bool = False) -> list[Item]:
        where, args = ["1 = 1"], []
        if kind is not None:
            where.append("kind = ?")
            args.append(kind.value)
        if not include_retired:
            where.append("retired_at IS NULL")
        with self._errors("read items"):
            rows = self.db.execute(
                f"SELECT {self._ITEM_COLS} FROM items WHERE {' AND '.join(where)} "
                "ORDER BY kind DESC, item_id",
                args,
            ).fetchall()
        return [self._item(r) for r in rows]

    def revision(self) -> tuple[int, int]:
        """A value that changes whenever the cache's content may have: another connection
        committed (``PRAGMA data_version``) or this one changed rows (``total_changes``).
        Costs one pragma: cheap enough to check on every keystroke before using a copy."""
        with self._errors("read the cache's revision"):
            row = self.db.execute("PRAGMA data_version").fetchone()
        return int(row[0]), self.db.total_changes

    def item_facts(
        self, keys: Sequence[tuple[Kind, str]] | None = None, kind: Kind | None = None
    ) -> list[ItemFacts]:
        """What result rows show of items, without decoding them (:func:`.facts.read_facts`)."""
        with self._errors("read items"):
            return read_facts(self.db, keys, kind)

    def get(self, item_id: str, kind: Kind | None = None) -> Item:
        """The current item with this id; a retired item is still returned (marked retired)."""
        args: list[str] = [item_id]
        sql = f"SELECT {self._ITEM_COLS} FROM items WHERE item_id = ?"
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind.value)
        with self._errors("read an item"):
            rows = self.db.execute(sql, args).fetchall()
        if not rows:
            raise NotFoundError(
                f"no SOP or macro with id '{item_id}' in the knowledge cache "
                "(see 'agent-assist list')"
            )
        if len(rows) > 1:
            raise NotFoundError(
                f"'{item_id}' is both a SOP and a macro; say which with --kind sop or --kind macro"
            )
        return self._item(rows[0])

    def versions(self, kind: Kind, item_id: str) -> list[ItemVersion]:
        with self._errors("read item versions"):
            rows = self.db.execute(
                "SELECT version, content_hash, created_at, source_path, source_text "
                "FROM item_versions WHERE kind = ? AND item_id = ? ORDER BY version",
                (kind.value, item_id),
            ).fetchall()
        return [ItemVersion(*r) for r in rows]

    def source(self, kind: Kind, item_id: str) -> tuple[str, str]:
        """``(source_path, source_text)`` of the current version, for exact export."""
        row = self.db.execute(
            "SELECT source_path, source_text FROM items WHERE kind = ? AND item_id = ?",
            (kind.value, item_id),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no {kind.value} '{item_id}' in the knowledge cache")
        return row[0], row[1]

    def packs(self) -> list[PackRecord]:
        with self._errors("read packs"):
            rows = self.db.execute(
                "SELECT name, version, locale, publisher, source_text, "
                "imported_at FROM packs ORDER BY name"
            ).fetchall()
        return [
            PackRecord(PackInfo(r[0], r[1] or "", r[2] or "en", r[3] or ""), r[4], r[5])
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT kind, count(*) FROM items WHERE retired_at IS NULL GROUP BY kind"
        ).fetchall()
        out = {k.value: 0 for k in Kind}
        out.update({r[0]: r[1] for r in rows})
        return out

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM items LIMIT 1").fetchone() is None

    def fts(self, match: str, *, limit: int = 50, kind: Kind | None = None) -> list[FtsHit]:
        """Items matching an FTS5 query, best first; column weights favour titles and
        phrasings over the body."""
        sql = (
            "SELECT items.kind, items.item_id, "
            "bm25(items_fts, 10.0, 3.0, 6.0, 4.0, 1.0) AS rank "
            "FROM items_fts JOIN items ON items.rowid = items_fts.rowid "
            "WHERE items_fts MATCH ? AND items.retired_at IS NULL"
        )
        args: list[Any] = [match]
        if kind is not None:
            sql += " AND items.kind = ?"
            args.append(kind.value)
        sql += " ORDER BY rank LIMIT ?"
        args.append(limit)
        with self._errors("search"):
            rows = self.db.execute(sql, args).fetchall()
        return [FtsHit(Kind(r[0]), r[1], float(r[2])) for r in rows]

    # -- usage -------------------------------------------------------------------------------
    def record_use(self, kind: Kind, item_id: str) -> None:
        """Remember that the agent used the current version of an item."""
        now = self._now()
        with self._transaction("record item use") as conn:
            conn.execute(
                "INSERT INTO item_usage (kind, item_id, last_version, last_used_at, use_count) "
                "SELECT kind, item_id, version, ?, 1 FROM items WHERE kind = ? AND item_id = ? "
                "ON CONFLICT (kind, item_id) DO UPDATE SET last_version = excluded.last_version,"
                " last_used_at = excluded.last_used_at, use_count = use_count + 1",
                (now, kind.value, item_id),
            )

    def last_used_version(self, kind: Kind, item_id: str) -> int | None:
        row = self.db.execute(
            "SELECT last_version FROM item_usage WHERE kind = ? AND item_id = ?",
            (kind.value, item_id),
        ).fetchone()
        return None if row is None else int(row[0])

    # -- suggestion engine: fingerprint, feedback and usage priors ---------------------------
    def item_hashes(self) -> list[tuple[str, str, str]]:
        """``(kind, item_id, content_hash)`` of every current item: the ranking index's
        fingerprint, cheap enough to check before each rebuild decision."""
        with self._errors("read item hashes"):
            rows = self.db.execute(
                "SELECT kind, item_id, content_hash FROM items WHERE retired_at IS NULL"
            ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def search_fields(self) -> Iterator[SearchFields]:
        """Every current item's searchable fields, streamed in a stable order: the ranking
        index reads each item once, and a list of full Items would double its peak memory."""
        with self._errors("read items for the suggestion index"):
            cursor = self.db.execute(
                "SELECT kind, item_id, title, summary, phrasings, body, locale, "
                "json_extract(data, '$.tags'), json_extract(data, '$.macros'), content_hash "
                "FROM items "
                "WHERE retired_at IS NULL ORDER BY kind DESC, item_id"
            )
            for r in cursor:
                yield SearchFields(
                    Kind(r[0]),
                    r[1],
                    r[2] or "",
                    r[3] or "",
                    tuple(p for p in (r[4] or "").split("\n") if p.strip()),
                    r[5] or "",
                    r[6] or "en",
                    tuple(json.loads(r[7] or "[]")),
                    tuple(json.loads(r[8] or "[]")),
                    r[9],
                )

    def record_feedback(self, query: str, kind: Kind, item_id: str) -> None:
        """Count that the agent chose this item after ``query`` (already scrubbed)."""
        now = self._now()
        with self._transaction("record a suggestion choice") as conn:
            conn.execute(
                "INSERT INTO suggestion_feedback (query, kind, item_id, count, last_at) "
                "VALUES (?, ?, ?, 1, ?) ON CONFLICT (query, kind, item_id) DO UPDATE SET "
                "count = count + 1, last_at = excluded.last_at",
                (query, kind.value, item_id, now),
            )

    def feedback(self, limit: int = 5000) -> list[tuple[str, Kind, str, int]]:
        """The most recent ``(query, kind, item_id, count)`` choices, newest first."""
        with self._errors("read suggestion feedback"):
            rows = self.db.execute(
                "SELECT query, kind, item_id, count FROM suggestion_feedback "
                "ORDER BY last_at DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [(r[0], Kind(r[1]), r[2], int(r[3])) for r in rows]

    def forget_feedback(self) -> None:
        """Drop everything the ranking learned from this agent's choices."""
        with self._transaction("clear suggestion feedback") as conn:
            conn.execute("DELETE FROM suggestion_feedback")

    def usage_stats(self) -> dict[tuple[Kind, str], tuple[int, str]]:
        """``(use_count, last_used_at)`` per used item, for popularity and recency priors."""
        with self._errors("read item usage"):
            rows = self.db.execute(
                "SELECT kind, item_id, use_count, last_used_at FROM item_usage"
            ).fetchall()
        return {(Kind(r[0]), r[1]): (int(r[2] or 0), r[3] or "") for r in rows}
