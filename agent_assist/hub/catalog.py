"""The hub's current items, parsed: what the console's pages read about SOPs and macros.

Parsing every item's source on each page view would cost as much as the page itself, so the
parsed catalogue is kept per database and rebuilt only when the feed head moves (any
publish or retirement, through any replica).  Items are parsed by the pack reader's own
:func:`parse_item`, so the console and the desktop never read a file differently.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

from agent_assist.core.knowledge.models import Content, Kind, Macro, Sop
from agent_assist.core.knowledge.reader import parse_item
from agent_assist.hub.db import Database
from agent_assist.hub.knowledge import FEED_COLUMNS, head

_SELECT = f"SELECT {', '.join(FEED_COLUMNS)} FROM changes"


@dataclass(frozen=True)
class CurrentItem:
    kind: Kind
    id: str
    version: int
    pack: str
    pack_locale: str
    source_path: str
    source_text: str
    author: str
    published_at: str
    note: str
    content: Content | None
    """``None`` when the stored text no longer parses (a reader change): shown, not used."""

    @property
    def title(self) -> str:
        return self.content.title if self.content is not None else self.id

    @property
    def sop(self) -> Sop | None:
        return self.content if isinstance(self.content, Sop) else None

    @property
    def macro(self) -> Macro | None:
        return self.content if isinstance(self.content, Macro) else None


@dataclass(frozen=True, eq=False)  # compared (and cached) by identity
class Catalog:
    head: int
    items: dict[tuple[Kind, str], CurrentItem]

    def of_kind(self, kind: Kind) -> list[CurrentItem]:
        return sorted((i for i in self.items.values() if i.kind is kind), key=lambda i: i.id)

    def get(self, kind: Kind, item_id: str) -> CurrentItem | None:
        return self.items.get((kind, item_id))

    def packs(self) -> dict[str, str]:
        """Pack name -> locale of every pack with a current item."""
        return {i.pack: i.pack_locale for i in self.items.values()}


_cache: weakref.WeakKeyDictionary[Database, Catalog] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def to_item(row: dict[str, Any]) -> CurrentItem:
    kind = Kind(str(row["kind"]))
    loaded, _ = parse_item(
        str(row["source_text"]), str(row["source_path"]), kind, str(row["pack_locale"])
    )
    return CurrentItem(
        kind,
        str(row["id"]),
        int(row["version"]),
        str(row["pack"]),
        str(row["pack_locale"]),
        str(row["source_path"]),
        str(row["source_text"]),
        str(row["author"]),
        str(row["published_at"]),
        str(row["note"]),
        loaded.content if loaded is not None else None,
    )


def catalog(db: Database) -> Catalog:
    """The current (not retired) items at the present feed head."""
    now = head(db)
    with _lock:
        cached = _cache.get(db)
    if cached is not None and cached.head == now:
        return cached
    with db.read() as tx:
        now = int(tx.execute("SELECT value FROM counters WHERE name = 'feed'").fetchone()[0])
        rows = tx.execute(
            f"{_SELECT} WHERE seq IN (SELECT seq FROM items WHERE retired = 0) ORDER BY seq"
        ).fetchall()
    items = {}
    for r in rows:
        item = to_item(dict(zip(FEED_COLUMNS, r, strict=True)))
        items[(item.kind, item.id)] = item
    built = Catalog(now, items)
    with _lock:
        _cache[db] = built
    return built
