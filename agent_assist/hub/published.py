"""Which SOP versions this hub published, and whether a session ran one of them.

A client logs the SOP it ran as ``(sop_id, sop_version)``, the version number of its local
knowledge cache.  For a hub pack that number is the hub's version (sync stores the hub's
numbers); for a local pack (the bundled demo, a pack imported by hand) it is the cache's own
count, which starts at 1 just as the hub's does.  So ``demo-sop`` version 1 run on the
bundled demo before anyone published, and ``demo-sop`` version 1 published here later, carry
the same label.  The hub tells them apart with what it knows for sure, its own clock:

* a SOP id this hub never published, or a version it never published, is not its content;
* a session whose opening of that SOP (``sop_opened``/``checklist_started``) reached the hub
  *before* the hub published that version cannot have run it: the content did not exist here.

Both times are the hub's (``received_at`` of the event, ``published_at`` of the version), so
agents' clock errors play no part.  What this cannot see: a session run offline on local
content, uploaded only after the hub published the same version number.  Closing that needs
the client to send the content hash it ran (a follow-up in ``docs/hub.md``).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from agent_assist.core.knowledge.models import Kind, Sop, Step
from agent_assist.core.knowledge.reader import parse_item
from agent_assist.hub.db import Database

HUB, UNPUBLISHED, NO_SOP = "hub", "unpublished", "none"


@dataclass(frozen=True)
class PublishedVersion:
    sop_id: str
    version: int
    published_at: dt.datetime
    note: str
    author: str


def parse_hub_time(text: str) -> dt.datetime:
    """A time the hub wrote (``auth.time_text``); naive text is UTC."""
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def published_sops(db: Database) -> dict[str, dict[int, PublishedVersion]]:
    """Every SOP version this hub published (retired ones too: they were run), by id."""
    with db.read() as tx:
        rows = tx.execute(
            "SELECT id, version, published_at, note, author FROM changes "
            "WHERE kind = 'sop' AND op = 'upsert'"
        ).fetchall()
    out: dict[str, dict[int, PublishedVersion]] = {}
    for sop_id, version, published_at, note, author in rows:
        v = PublishedVersion(
            str(sop_id), int(version), parse_hub_time(str(published_at)), str(note), str(author)
        )
        out.setdefault(v.sop_id, {})[v.version] = v
    return out


def unpublished_reason(
    published: dict[str, dict[int, PublishedVersion]],
    sop_id: str,
    version: int | None,
    received: dt.datetime | None,
) -> str | None:
    """Why a session's ``sop_id`` ``version``, whose opening reached the hub at
    ``received``, is not this hub's content; ``None`` when it is."""
    versions = published.get(sop_id)
    if not versions:
        return "never published to this hub"
    if version is None or version not in versions:
        return f"version {version} was never published to this hub"
    if received is not None and received < versions[version].published_at:
        return f"run before version {version} was published here"
    return None


def checklist_sop(db: Database, sop_id: str, version: int) -> Sop | None:
    """Version ``version`` of SOP ``sop_id`` as published here, parsed exactly as a client
    parses it (``parse_item``); ``None`` when unknown or unreadable."""
    with db.read() as tx:
        row = tx.execute(
            "SELECT source_text, source_path, pack_locale FROM changes "
            "WHERE kind = 'sop' AND op = 'upsert' AND id = ? AND version = ?",
            (sop_id, version),
        ).fetchone()
    if row is None:
        return None
    return _parsed(str(row[0]), str(row[1]), str(row[2]))


@functools.lru_cache(maxsize=512)
def _parsed(text: str, path: str, locale: str) -> Sop | None:
    """A published version never changes, and parsing YAML is the slow part of a report."""
    item, _ = parse_item(text, path, Kind.SOP, locale)
    content = item.content if item is not None else None
    return content if isinstance(content, Sop) else None


def checklist_steps(db: Database, sop_id: str, version: int) -> tuple[Step, ...]:
    sop = checklist_sop(db, sop_id, version)
    return sop.steps if sop is not None else ()
