"""The local knowledge cache: one SQLite file, the only code in the app that writes SQL.

Guarantees: WAL journaling, so readers never block the writer; every import is one
transaction (a pack either lands whole or not at all); every version of every item is kept;
the FTS5 index is maintained by triggers on ``items`` and so cannot drift from it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from agent_assist.core.errors import NotFoundError, PackError, StoreError
from agent_assist.core.migrations import LATEST, MIGRATIONS
from agent_assist.core.models import Item, Kind, PackInfo, content_from_json

if TYPE_CHECKING:  # the reader (and its YAML parser) is only needed to import a pack
    from agent_assist.core.pack_reader import LoadedItem, LoadedPack

DB_NAME = "knowledge.sqlite3"
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


@dataclass(frozen=True)
class HubState:
    """Where sync with one hub stands: feed cursor and ETag, learned-phrasings cursor, and
    the signing key pinned for it (empty until the first successful sync)."""

    hub_url: str
    cursor: int = 0
    etag: str = ""
    learned_cursor: int = 0
    key_algorithm: str = ""
    public_key: str = ""
    key_fingerprint: str = ""


@dataclass(frozen=True)
class HubUpsert:
    """A new version of an item published on the hub, parsed like a pack file."""

    pack: str
    item: LoadedItem
    version: int
    content_hash: str


@dataclass(frozen=True)
class HubRetire:
    kind: Kind
    item_id: str


@dataclass(frozen=True)
class HubPage:
    """One page of the hub's change feed, ready to apply: ``packs`` maps each pack named by
    the page to its locale; ``cursor`` and ``etag`` are stored with the page."""

    changes: tuple[HubUpsert | HubRetire, ...]
    packs: dict[str, str]
    cursor: int
    etag: str = ""


class Store:
    """Open (creating or migrating) the cache at ``path``.

    ``clock`` is injected so tests can pin timestamps.
    """

    def __init__(self, path: Path, clock: Clock = utc_now) -> None:
        self.path = path
        self._clock = clock
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db = conn
            with self._errors("open"):
                conn.execute("PRAGMA busy_timeout = 5000")
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA journal_mode = WAL")
                self._migrate()
        except OSError as exc:
            raise StoreError(
                f"cannot create the knowledge cache at {path}: {exc.strerror or exc}"
            ) from exc

    @classmethod
    def in_dir(cls, data_dir: Path, clock: Clock = utc_now) -> Store:
        return cls(data_dir / DB_NAME, clock)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        """Turn SQLite's faults of the world into a StoreError that says where and what to do."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                hint = "another program is writing it; try again in a moment"
            elif "full" in text:
                hint = "the disk is full; free some space and try again"
            elif "not a database" in text or "malformed" in text:
                hint = (
                    "the file is damaged; move it aside and start agent-assist again to "
                    "rebuild it from your packs"
                )
            else:
                hint = "check the file's permissions and free disk space"
            raise StoreError(
                f"knowledge cache {self.path}: cannot {what}: {text} ({hint})"
            ) from exc

    @contextlib.contextmanager
    def _transaction(self, what: str) -> Iterator[sqlite3.Connection]:
        conn = self.db
        with self._errors(what):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _now(self) -> str:
        return self._clock().astimezone(dt.UTC).isoformat(timespec="seconds")

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        if current > LATEST:
            raise StoreError(
                f"knowledge cache {self.path} has schema version {current}, newer "
                f"than this Agent Assist understands ({LATEST}); update the app"
            )
        for version in range(current + 1, LATEST + 1):
            with self._transaction(f"upgrade the schema to version {version}") as conn:
                # sqlite-utils (schema helpers) is imported only when a migration runs: it
                # costs half a second of start-up that a migrated cache never needs.
                import sqlite_utils

                MIGRATIONS[version - 1](sqlite_utils.Database(conn))
                conn.execute(f"PRAGMA user_version = {version}")

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

    # -- hub sync: feed pages, cursor, pinned key, shared feedback, learned phrasings --------
    # The hub is the source of truth for the packs it publishes (docs/sync.md).  Each page of
    # its change feed lands in one transaction together with the cursor that follows it, so a
    # sync killed at any point leaves the cache exactly as it was before that page.

    def _refuse_hub_pack_name(self, name: str) -> None:
        row = self.db.execute("SELECT hub_url FROM hub_packs WHERE name = ?", (name,)).fetchone()
        if row is not None:
            raise PackError(
                f"pack '{name}' is published by the hub {row[0]}, which is the source of truth "
                "for it; nothing was imported (rename the local pack in its pack.yaml, or "
                "publish it to the hub with 'agent-assist publish')"
            )

    def _shadowed_by_hub(
        self, conn: sqlite3.Connection, kind: str, item_id: str, pack: str, now: str
    ) -> bool:
        """True when a hub pack other than ``pack`` holds this item: a local copy never
        replaces it, and the shadowing is remembered so it can be reported."""
        row = conn.execute(
            "SELECT items.pack FROM items JOIN hub_packs ON hub_packs.name = items.pack "
            "WHERE items.kind = ? AND items.item_id = ? AND items.pack != ?",
            (kind, item_id, pack),
        ).fetchone()
        if row is None:
            return False
        conn.execute(
            "INSERT OR REPLACE INTO shadowed_items VALUES (?, ?, ?, ?, ?)",
            (kind, item_id, pack, row[0], now),
        )
        return True

    def hub_state(self, hub_url: str) -> HubState:
        """Where sync with ``hub_url`` stands (all zero before the first sync)."""
        with self._errors("read the hub sync state"):
            row = self.db.execute(
                "SELECT cursor, etag, learned_cursor, key_algorithm, public_key, "
                "key_fingerprint FROM hub_state WHERE hub_url = ?",
                (hub_url,),
            ).fetchone()
        if row is None:
            return HubState(hub_url)
        return HubState(
            hub_url,
            int(row[0]),
            row[1] or "",
            int(row[2]),
            row[3] or "",
            row[4] or "",
            row[5] or "",
        )

    def _ensure_hub_state(self, conn: sqlite3.Connection, hub_url: str) -> None:
        conn.execute(
            "INSERT OR IGNORE INTO hub_state (hub_url, cursor, learned_cursor, updated_at) "
            "VALUES (?, 0, 0, ?)",
            (hub_url, self._now()),
        )

    def apply_hub_page(
        self,
        hub_url: str,
        page: HubPage,
        *,
        before_commit: Callable[[], None] | None = None,
    ) -> list[str]:
        """Apply one page of the hub's change feed and store its cursor, in one transaction.

        Returns the ``kind:id`` labels that changed.  ``before_commit`` runs inside the
        transaction just before it commits (a test hook for killing the process there).
        """
        now, changed = self._now(), []
        with self._transaction(f"apply changes from the hub {hub_url}") as conn:
            self._ensure_hub_state(conn, hub_url)
            for name, locale in page.packs.items():
                conn.execute(
                    "INSERT OR REPLACE INTO hub_packs VALUES (?, ?, ?)", (name, locale, hub_url)
                )
                text = f"name: {name}\nlocale: {locale}\n"
                conn.execute(
                    "INSERT INTO packs VALUES (?, '', ?, ?, ?, ?, ?) ON CONFLICT (name) DO "
                    "UPDATE SET locale = excluded.locale, imported_at = excluded.imported_at",
                    (name, locale, hub_url, text, hashlib.sha256(text.encode()).hexdigest(), now),
                )
            for change in page.changes:
                if isinstance(change, HubRetire):
                    done = self._hub_retire(conn, change, now)
                else:
                    done = self._hub_upsert(conn, change, now)
                if done:
                    changed.append(done)
            conn.execute(
                "UPDATE hub_state SET cursor = ?, etag = ?, updated_at = ? WHERE hub_url = ?",
                (page.cursor, page.etag, now, hub_url),
            )
            if before_commit is not None:
                before_commit()
        return changed

    def _hub_upsert(self, conn: sqlite3.Connection, change: HubUpsert, now: str) -> str | None:
        content, source = change.item.content, change.item.source
        kind, item_id = content.kind.value, content.id
        row = conn.execute(
            "SELECT version, content_hash, retired_at, pack FROM items "
            "WHERE kind = ? AND item_id = ?",
            (kind, item_id),
        ).fetchone()
        if row and (row[0], row[1], row[2], row[3]) == (
            change.version,
            change.content_hash,
            None,
            change.pack,
        ):
            return None
        if row and row[3] != change.pack and row[3] not in self._hub_pack_names(conn):
            conn.execute(
                "INSERT OR REPLACE INTO shadowed_items VALUES (?, ?, ?, ?, ?)",
                (kind, item_id, row[3], change.pack, now),
            )
        data = content.to_json()
        values = (
            content.title,
            data.get("summary", ""),
            "\n".join(data.get("phrasings", ())),
            " ".join(content.tags),
            content.body,
            content.locale,
            json.dumps(data, ensure_ascii=False),
            source.path,
            source.text,
            change.pack,
            change.version,
            change.content_hash,
            now,
            kind,
            item_id,
        )
        conn.execute(
            "INSERT INTO items (title, summary, phrasings, tags, body, locale, data, "
            "source_path, source_text, pack, version, content_hash, updated_at, kind, item_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (kind, item_id) DO UPDATE SET title = excluded.title, "
            "summary = excluded.summary, phrasings = excluded.phrasings, tags = excluded.tags, "
            "body = excluded.body, locale = excluded.locale, data = excluded.data, "
            "source_path = excluded.source_path, source_text = excluded.source_text, "
            "pack = excluded.pack, version = excluded.version, "
            "content_hash = excluded.content_hash, updated_at = excluded.updated_at, "
            "retired_at = NULL",
            values,
        )
        conn.execute(
            "INSERT OR REPLACE INTO item_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                kind,
                item_id,
                change.version,
                change.content_hash,
                values[6],
                source.path,
                source.text,
                change.pack,
                now,
            ),
        )
        return f"{kind}:{item_id}"

    def _hub_retire(self, conn: sqlite3.Connection, change: HubRetire, now: str) -> str | None:
        """Retire the item only while a hub pack holds it: a local item is not the hub's."""
        done = conn.execute(
            "UPDATE items SET retired_at = ? WHERE kind = ? AND item_id = ? "
            "AND retired_at IS NULL AND pack IN (SELECT name FROM hub_packs)",
            (now, change.kind.value, change.item_id),
        ).rowcount
        return f"{change.kind.value}:{change.item_id}" if done else None

    @staticmethod
    def _hub_pack_names(conn: sqlite3.Connection) -> set[str]:
        return {r[0] for r in conn.execute("SELECT name FROM hub_packs")}

    def hub_pack_names(self) -> set[str]:
        with self._errors("read hub packs"):
            return self._hub_pack_names(self.db)

    def shadowed_items(self) -> list[tuple[str, str, str]]:
        """``(kind:id, local pack, hub pack)`` of local items hidden by hub items."""
        with self._errors("read shadowed items"):
            rows = self.db.execute(
                "SELECT kind, item_id, local_pack, hub_pack FROM shadowed_items "
                "ORDER BY kind, item_id"
            ).fetchall()
        return [(f"{r[0]}:{r[1]}", r[2], r[3]) for r in rows]

    def pin_hub_key(self, hub_url: str, algorithm: str, public_key: str, fingerprint: str) -> None:
        """Trust this signing key for ``hub_url`` (first use pins; see docs/sync.md)."""
        with self._transaction("pin the hub's signing key") as conn:
            self._ensure_hub_state(conn, hub_url)
            conn.execute(
                "UPDATE hub_state SET key_algorithm = ?, public_key = ?, key_fingerprint = ? "
                "WHERE hub_url = ?",
                (algorithm, public_key, fingerprint, hub_url),
            )

    def pinned_hub_keys(self) -> list[HubState]:
        with self._errors("read pinned hub keys"):
            urls = [
                r[0]
                for r in self.db.execute(
                    "SELECT hub_url FROM hub_state WHERE coalesce(public_key, '') != ''"
                )
            ]
        return [self.hub_state(u) for u in urls]

    def unshared_feedback(self, hub_url: str, limit: int = 500) -> list[tuple[str, Kind, str]]:
        """Feedback pairs (queries already scrubbed) not yet sent to ``hub_url``."""
        with self._errors("read feedback to share"):
            rows = self.db.execute(
                "SELECT f.query, f.kind, f.item_id FROM suggestion_feedback f WHERE NOT EXISTS "
                "(SELECT 1 FROM feedback_shared s WHERE s.hub_url = ? AND s.query = f.query "
                "AND s.kind = f.kind AND s.item_id = f.item_id) ORDER BY f.last_at LIMIT ?",
                (hub_url, limit),
            ).fetchall()
        return [(r[0], Kind(r[1]), r[2]) for r in rows]

    def mark_feedback_shared(self, hub_url: str, pairs: list[tuple[str, Kind, str]]) -> None:
        with self._transaction("remember shared feedback") as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO feedback_shared VALUES (?, ?, ?, ?)",
                [(hub_url, q, k.value, i) for q, k, i in pairs],
            )

    def store_learned(
        self, hub_url: str, phrasings: list[tuple[int, str, str, int]], cursor: int
    ) -> None:
        """Store ``(seq, sop_id, text, count)`` phrasings and the cursor after them, at once."""
        with self._transaction("store learned phrasings") as conn:
            self._ensure_hub_state(conn, hub_url)
            conn.executemany(
                "INSERT OR REPLACE INTO learned_phrasings VALUES (?, ?, ?, ?, ?)",
                [(hub_url, *p) for p in phrasings],
            )
            conn.execute(
                "UPDATE hub_state SET learned_cursor = ? WHERE hub_url = ?", (cursor, hub_url)
            )

    def learned_phrasings(self) -> list[tuple[str, str, int]]:
        """``(sop_id, text, count)`` phrasings the team's choices taught the hub."""
        with self._errors("read learned phrasings"):
            rows = self.db.execute(
                "SELECT sop_id, text, max(count) FROM learned_phrasings "
                "GROUP BY sop_id, text ORDER BY sop_id, text"
            ).fetchall()
        return [(r[0], r[1], int(r[2])) for r in rows]
