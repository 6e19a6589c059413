"""What a result row shows of an item, read without decoding the item.

The search field asks this for every shown row on every keystroke (badges: updated since last
used, needs acknowledgement, review overdue), so it reads a few columns and two JSON fields
through the ``items_identity`` index instead of loading whole SOPs.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from agent_assist.core.knowledge.models import Kind


@dataclass(frozen=True)
class ItemFacts:
    """The few fields of a current item that a result row needs (see :func:`read_facts`)."""

    kind: Kind
    id: str
    title: str
    version: int
    locale: str
    requires_ack: bool
    review_due: dt.date | None
    last_used_version: int | None
    retired: bool = False


def read_facts(
    conn: sqlite3.Connection,
    keys: Sequence[tuple[Kind, str]] | None = None,
    kind: Kind | None = None,
) -> list[ItemFacts]:
    """What a result row shows of current items (title, version, locale, the two badge
    fields, the version last used) without decoding whole items: one indexed query for
    ``keys`` (in their order; unknown ones left out), or every item of ``kind``."""
    sql = (
        "SELECT i.kind, i.item_id, i.title, i.version, i.locale, "
        "json_extract(i.data, '$.requires_ack'), json_extract(i.data, '$.review_due'), "
        "u.last_version, i.retired_at IS NOT NULL FROM items i LEFT JOIN item_usage u "
        "ON u.kind = i.kind AND u.item_id = i.item_id WHERE "
    )
    args: list[str] = []
    if keys is not None:
        if not keys:
            return []
        # kind IN (...) AND item_id IN (...): index lookups on items_identity (a row-value
        # IN list would scan the table); pairs not asked for are dropped below
        kinds = sorted({k.value for k, _ in keys})
        ids = sorted({item_id for _, item_id in keys})
        sql += (
            f"i.kind IN ({', '.join('?' * len(kinds))}) "
            f"AND i.item_id IN ({', '.join('?' * len(ids))})"
        )
        args += [*kinds, *ids]
    else:
        sql += "i.retired_at IS NULL" + (" AND i.kind = ?" if kind is not None else "")
        args += [kind.value] if kind is not None else []
    rows = conn.execute(sql, args).fetchall()
    facts = {
        (Kind(r[0]), r[1]): ItemFacts(
            Kind(r[0]),
            r[1],
            r[2],
            int(r[3]),
            r[4] or "",
            bool(r[5]),
            dt.date.fromisoformat(r[6]) if r[6] else None,
            None if r[7] is None else int(r[7]),
            bool(r[8]),
        )
        for r in rows
    }
    order = keys if keys is not None else sorted(facts)
    return [facts[k] for k in order if k in facts]
