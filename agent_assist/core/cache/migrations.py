"""Forward-only schema migrations of the local knowledge cache.

``PRAGMA user_version`` holds the schema version.  The runner
(:class:`~agent_assist.core.database.SQLiteFile`) applies the missing steps under the write
lock together with their version bumps, so a killed process leaves the cache as it was or at
the latest version, and processes opening a fresh cache at once create it only once.  Add a
migration by appending a function; never edit a shipped one.  Steps build tables with
sqlite-utils (:func:`~agent_assist.core.database.schema_editor`), imported only when one runs.
"""

from __future__ import annotations

import sqlite3

from agent_assist.core.database import Migration, schema_editor


def _v1_knowledge(conn: sqlite3.Connection) -> None:
    """Packs, current items with an FTS5 index, and every item version."""
    db = schema_editor(conn)
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


def _v2_item_usage(conn: sqlite3.Connection) -> None:
    """Which version of each item this agent last used: drives 'updated since' badges."""
    schema_editor(conn).create_table(
        "item_usage",
        {"kind": str, "item_id": str, "last_version": int, "last_used_at": str, "use_count": int},
        pk=("kind", "item_id"),
        defaults={"use_count": 0},
    )


def _v3_suggestion_feedback(conn: sqlite3.Connection) -> None:
    """Which item an agent chose after a query (the query scrubbed of personal data first):
    the suggestion engine learns from it on this workstation."""
    schema_editor(conn).create_table(
        "suggestion_feedback",
        {"query": str, "kind": str, "item_id": str, "count": int, "last_at": str},
        pk=("query", "kind", "item_id"),
        defaults={"count": 0},
    )


def _v4_hub_sync(conn: sqlite3.Connection) -> None:
    """What hub sync keeps beside the knowledge: per hub its feed cursor (stored in the same
    transaction as each applied page), pinned signing key and learned-phrasings cursor; which
    pack names the hub owns; local items that hub items shadow; which feedback pairs were
    shared; and the phrasings the hub learned from the whole team."""
    db = schema_editor(conn)
    db.create_table(
        "hub_state",
        {
            "hub_url": str,
            "cursor": int,
            "etag": str,
            "learned_cursor": int,
            "key_algorithm": str,
            "public_key": str,
            "key_fingerprint": str,
            "updated_at": str,
        },
        pk="hub_url",
        not_null={"cursor", "learned_cursor"},
        defaults={"cursor": 0, "learned_cursor": 0},
    )
    db.create_table("hub_packs", {"name": str, "locale": str, "hub_url": str}, pk="name")
    db.create_table(
        "shadowed_items",
        {"kind": str, "item_id": str, "local_pack": str, "hub_pack": str, "at": str},
        pk=("kind", "item_id"),
    )
    db.create_table(
        "feedback_shared",
        {"hub_url": str, "query": str, "kind": str, "item_id": str},
        pk=("hub_url", "query", "kind", "item_id"),
    )
    db.create_table(
        "learned_phrasings",
        {"hub_url": str, "seq": int, "sop_id": str, "text": str, "count": int},
        pk=("hub_url", "seq"),
    )
    db.execute("CREATE INDEX learned_phrasings_sop ON learned_phrasings(sop_id)")


MIGRATIONS: tuple[Migration, ...] = (
    _v1_knowledge,
    _v2_item_usage,
    _v3_suggestion_feedback,
    _v4_hub_sync,
)
LATEST = len(MIGRATIONS)
