"""Forward-only schema migrations of the local knowledge cache.

``PRAGMA user_version`` holds the schema version.  Each migration runs in its own transaction
together with the version bump, so a killed process leaves the cache at one version or the
next, never in between.  Add a migration by appending a function; never edit a shipped one.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]


def _v1_knowledge(db: sqlite_utils.Database) -> None:
    """Packs, current items with an FTS5 index, and every item version."""
    db.create_table(
        "packs",
        {
            "name": str,
            "version": str,
            "locale": str,
            "publisher": str,
            "source_text": str,
            "content_hash": str,
            "imported_at": str,
        },
        pk="name",
    )
    db.create_table(
        "items",
        {
            "rowid": int,
            "kind": str,
            "item_id": str,
            "pack": str,
            "version": int,
            "content_hash": str,
            "title": str,
            "summary": str,
            "phrasings": str,
            "tags": str,
            "body": str,
            "locale": str,
            "data": str,
            "source_path": str,
            "source_text": str,
            "updated_at": str,
            "retired_at": str,
        },
        pk="rowid",
        not_null={"kind", "item_id", "version", "content_hash", "title", "data"},
    )
    db.execute("CREATE UNIQUE INDEX items_identity ON items(kind, item_id)")
    db.create_table(
        "item_versions",
        {
            "kind": str,
            "item_id": str,
            "version": int,
            "content_hash": str,
            "data": str,
            "source_path": str,
            "source_text": str,
            "pack": str,
            "created_at": str,
        },
        pk=("kind", "item_id", "version"),
    )
    # External-content FTS5 index over the searchable text, kept in sync by triggers so that
    # no code path that writes ``items`` can forget it.
    db.execute(
        "CREATE VIRTUAL TABLE items_fts USING fts5(title, summary, phrasings, tags, body, "
        "content='items', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')"
    )
    cols = "title, summary, phrasings, tags, body"
    new = "new.title, new.summary, new.phrasings, new.tags, new.body"
    old = "old.title, old.summary, old.phrasings, old.tags, old.body"
    db.execute(
        f"CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN "
        f"INSERT INTO items_fts(rowid, {cols}) VALUES (new.rowid, {new}); END"
    )
    db.execute(
        f"CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN "
        f"INSERT INTO items_fts(items_fts, rowid, {cols}) "
        f"VALUES ('delete', old.rowid, {old}); END"
    )
    db.execute(
        f"CREATE TRIGGER items_au AFTER UPDATE ON items BEGIN "
        f"INSERT INTO items_fts(items_fts, rowid, {cols}) "
        f"VALUES ('delete', old.rowid, {old}); "
        f"INSERT INTO items_fts(rowid, {cols}) VALUES (new.rowid, {new}); END"
    )


def _v2_item_usage(db: sqlite_utils.Database) -> None:
    """Which version of each item this agent last used: drives 'updated since' badges."""
    db.create_table(
        "item_usage",
        {"kind": str, "item_id": str, "last_version": int, "last_used_at": str, "use_count": int},
        pk=("kind", "item_id"),
        defaults={"use_count": 0},
    )


MIGRATIONS: tuple[Migration, ...] = (_v1_knowledge, _v2_item_usage)
LATEST = len(MIGRATIONS)
