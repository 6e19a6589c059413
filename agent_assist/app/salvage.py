"""Packs read back out of a damaged knowledge cache, to rebuild a cache from.

The cache keeps each local pack's ``pack.yaml`` and each item's source text as imported, so as
long as SQLite can still read those rows the agent's own packs survive the damage.  The file is
opened read-only and ``immutable`` (no lock, no journal, nothing written next to it).  Hub packs
are left out: they come back with the next sync, and a local copy would take their names.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path, PurePosixPath

from agent_assist.core.knowledge.models import Kind
from agent_assist.core.knowledge.reader import FOLDERS, PACK_FILE

log = logging.getLogger(__name__)

PACKS_SQL = "SELECT name, source_text FROM packs WHERE name NOT IN (SELECT name FROM hub_packs)"
ITEMS_SQL = (
    "SELECT kind, item_id, source_path, source_text FROM items "
    "WHERE pack = ? AND retired_at IS NULL"
)


def salvage_packs(cache: Path, dest: Path) -> list[Path]:
    """Write every local pack still readable in ``cache`` as a folder under ``dest``; returns
    the folders (none when nothing could be read: a file that is not a database at all)."""
    if not cache.is_file():
        return []
    uri = f"{cache.resolve().as_uri()}?mode=ro&immutable=1"
    folders: list[Path] = []
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
            for number, (name, pack_text) in enumerate(conn.execute(PACKS_SQL).fetchall()):
                folder = dest / f"pack-{number}"
                _write_pack(folder, pack_text, conn.execute(ITEMS_SQL, (name,)).fetchall())
                folders.append(folder)
    except (sqlite3.Error, OSError, ValueError) as exc:
        log.warning("nothing salvaged from %s: %s", cache, exc)
        return []
    return folders


def _write_pack(folder: Path, pack_text: str, items: list[tuple[str, str, str, str]]) -> None:
    folder.mkdir(parents=True)
    (folder / PACK_FILE).write_text(pack_text, encoding="utf-8", newline="")
    for sub in FOLDERS.values():
        (folder / sub).mkdir()
    for kind, item_id, source_path, text in items:
        rel = PurePosixPath(source_path)
        inside = bool(rel.parts) and rel.parts[0] in FOLDERS.values() and ".." not in rel.parts
        if rel.is_absolute() or not inside:  # as the exporter does: never outside the pack
            rel = PurePosixPath(FOLDERS[Kind(kind)], f"{item_id}.md")
        path = folder.joinpath(*rel.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
