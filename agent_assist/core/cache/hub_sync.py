"""The knowledge cache's side of hub sync: feed pages, cursors, pinned keys, shared feedback
and learned phrasings.

A mixin of :class:`~agent_assist.core.cache.store.Store` (which owns the connection and the
transaction helpers); kept apart so the store module holds local knowledge and this one what
the hub sends.  The hub is the source of truth for the packs it publishes (docs/sync.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent_assist.core.errors import PackError
from agent_assist.core.knowledge.models import Kind

if TYPE_CHECKING:
    from agent_assist.core.knowledge.reader import LoadedItem


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


class HubSyncStore:
    """Hub-sync queries; every attribute used here is provided by ``Store``."""

    if TYPE_CHECKING:
        db: sqlite3.Connection

        def _errors(self, what: str) -> contextlib.AbstractContextManager[None]: ...
        def _transaction(
            self, what: str
        ) -> contextlib.AbstractContextManager[sqlite3.Connection]: ...
        def _now(self) -> str: ...

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
