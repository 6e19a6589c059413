"""Opening the data dir for the desktop app: all of it when it can, else as much as it can.

The agent's first need is search, so a data dir that cannot be written (a read-only share, a
locked-down profile) or a knowledge cache that is damaged must not keep the window from
opening.  :func:`open_data` opens what it can and says what it could not:

* the cache cannot be opened for writing but can be read: search runs on a private *copy*
  in a temporary folder (what it learns is dropped at quit);
* the cache is damaged, cut short to zero bytes, or cannot be created: search runs on a
  temporary cache *rebuilt* from the packs still readable in the damaged file and, failing
  those, the bundled demo pack;
* the event log cannot be opened: handle time cannot be recorded, and every use case that
  records work fails with a clear :class:`~agent_assist.core.errors.EventLogError`.

The window shows the :class:`StartReport` in a banner; :func:`rebuild_cache` is its "Rebuild
knowledge cache" button.  No Qt here: the same steps are tested without a display.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from agent_assist.core.errors import AgentAssistError, EventLogError, StoreError

if TYPE_CHECKING:
    from agent_assist.app.context import AppContext
    from agent_assist.core.cache.store import Store

log = logging.getLogger(__name__)

CacheState = Literal["ok", "copy", "rebuilt"]
SIDE_FILES = ("-wal", "-shm")


@dataclass(frozen=True)
class StartReport:
    """What the app could open.  ``cache_problem``/``events_problem`` are the errors met."""

    cache: CacheState = "ok"
    cache_problem: str = ""
    damaged: bool = False
    """The cache file itself is damaged: rebuilding it (moving it aside) is the way back."""
    events_problem: str = ""
    packs: tuple[str, ...] = ()
    """The packs a rebuilt cache was made from."""

    @property
    def degraded(self) -> bool:
        return self.cache != "ok" or bool(self.events_problem)

    def works(self) -> str:
        if self.cache == "copy":
            return "Search works, from a read-only copy of your knowledge cache."
        if self.cache == "rebuilt":
            return f"Search works, from a temporary cache built from {_names(self.packs)}."
        return "Search works."

    def headline(self) -> str:
        if self.damaged:
            return "the knowledge cache is damaged"
        if self.cache != "ok" and self.events_problem:
            return "the data folder cannot be written"
        if self.cache != "ok":
            return "the knowledge cache cannot be opened"
        return "the event log cannot be opened"

    def lacks(self) -> str:
        out = []
        if self.events_problem:
            out.append("handle time cannot be recorded")
        if self.cache != "ok":
            out.append("nothing learnt, imported or synced is kept after you quit")
        return "; ".join(out).capitalize() + "." if out else ""

    def problems(self) -> list[str]:
        return [p for p in (self.cache_problem, self.events_problem) if p]

    def advice(self) -> str:
        if self.damaged:
            return (
                "Rebuild the knowledge cache: the damaged file is moved aside and a new one is "
                "built from these packs; your team's knowledge comes back with the next sync."
            )
        return (
            "Make the data folder writable (or choose another with --data-dir), then start "
            "Agent Assist again."
        )


def _names(packs: tuple[str, ...]) -> str:
    quoted = [f"'{p}'" for p in packs]
    if not quoted:
        return "no pack"
    what = "the pack" if len(quoted) == 1 else "the packs"
    return f"{what} {', '.join(quoted)}"


def open_data(ctx: AppContext) -> StartReport:
    """Open the knowledge cache and the event log of ``ctx``, degrading as described above
    (``ctx`` then holds the copy or the rebuilt cache, and knows the event log is missing)."""
    report = _open_cache(ctx)
    try:
        ctx.events  # noqa: B018 (opening it is the point)
    except EventLogError as exc:
        ctx.disable_events(str(exc))
        report = replace(report, events_problem=str(exc))
    return report


def _open_cache(ctx: AppContext) -> StartReport:
    from agent_assist.core.cache.store import DAMAGED_HINT, DB_NAME

    path = ctx.data_dir / DB_NAME
    if cut_short(path):
        problem = (
            f"knowledge cache {path}: the file is empty (0 bytes), cut short by a full disk "
            "or a crash"
        )
        return _rebuild_in_temp(ctx, path, problem, damaged=True)
    try:
        ctx.store.counts()  # reads the items table: damage found now, not on the first search
        return StartReport()
    except StoreError as exc:
        problem, damaged = str(exc), DAMAGED_HINT in str(exc)
    except sqlite3.DatabaseError as exc:
        problem, damaged = f"knowledge cache {path}: cannot read it: {exc}", True
    ctx.drop_store()
    if not damaged and path.is_file():
        try:
            return _open_copy(ctx, path, problem)
        except (OSError, AgentAssistError, sqlite3.Error) as exc:
            log.info("no copy of the knowledge cache either: %s", exc)
    return _rebuild_in_temp(ctx, path, problem, damaged=damaged)


def cut_short(path: Path) -> bool:
    """A cache file of zero bytes that no process has open (SQLite's side files would exist):
    damaged, not a first start to fill with the demo pack."""
    try:
        empty = path.stat().st_size == 0
    except OSError:
        return False
    return empty and not any(path.with_name(path.name + s).exists() for s in SIDE_FILES)


def _temp_dir(ctx: AppContext) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="agent-assist-cache-"))
    ctx.on_close(partial(shutil.rmtree, folder, ignore_errors=True))
    return folder


def _open_copy(ctx: AppContext, path: Path, problem: str) -> StartReport:
    from agent_assist.core.cache.store import Store

    copy = _temp_dir(ctx) / path.name
    shutil.copyfile(path, copy)
    for side in ("-wal",):  # committed changes not yet checkpointed into the file
        if path.with_name(path.name + side).is_file():
            shutil.copyfile(path.with_name(path.name + side), copy.with_name(copy.name + side))
    store = Store(copy, ctx.clock)
    try:
        store.counts()
    except BaseException:
        store.close()
        raise
    ctx.adopt_store(store)
    return StartReport("copy", problem)


def _rebuild_in_temp(ctx: AppContext, path: Path, problem: str, *, damaged: bool) -> StartReport:
    from agent_assist.core.cache.store import Store

    folder = _temp_dir(ctx)
    store = Store(folder / path.name, ctx.clock)
    try:
        packs = _fill(store, path, folder / "salvaged")
    except BaseException:
        store.close()
        raise
    ctx.adopt_store(store)
    return StartReport("rebuilt", problem, damaged, packs=packs)


def _fill(store: Store, damaged: Path, scratch: Path) -> tuple[str, ...]:
    """Import the packs still readable in ``damaged``, else the demo pack; their names."""
    from agent_assist.app.salvage import salvage_packs
    from agent_assist.core.knowledge.packs import import_pack_dir
    from agent_assist.resources import demo_pack

    names = []
    for folder in salvage_packs(damaged, scratch):
        try:
            names.append(import_pack_dir(store, folder).pack)
        except AgentAssistError as exc:
            log.warning("a pack salvaged from %s cannot be imported: %s", damaged, exc)
    if not names:
        names.append(import_pack_dir(store, demo_pack()).pack)
    return tuple(names)


def rebuild_cache(ctx: AppContext) -> StartReport:
    """The banner's "Rebuild knowledge cache": move the damaged file aside (kept, named
    ``knowledge.sqlite3.damaged-<time>``), build a new cache in its place from the packs it
    still holds (else the demo pack), and use it.  The hub's packs return with the next sync
    (a new cache has no sync position, so that sync pulls everything)."""
    from agent_assist.core.cache.store import DB_NAME, Store

    path = ctx.data_dir / DB_NAME
    stamp = ctx.clock.now().wall.astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    scratch = Path(tempfile.mkdtemp(prefix="agent-assist-rebuild-"))
    try:
        if path.exists():
            folders_from = aside
            path.rename(aside)
            for side in SIDE_FILES:
                if path.with_name(path.name + side).exists():
                    path.with_name(path.name + side).rename(aside.with_name(aside.name + side))
        else:
            folders_from = path
        store = Store(path, ctx.clock)
        try:
            packs = _fill(store, folders_from, scratch)
        except BaseException:
            store.close()
            raise
    except OSError as exc:
        raise StoreError(
            f"cannot rebuild the knowledge cache at {path}: {exc.strerror or exc} (make the "
            "data folder writable, or choose another with --data-dir)"
        ) from exc
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ctx.adopt_store(store)
    log.info("knowledge cache rebuilt at %s from %s; the damaged one is %s", path, packs, aside)
    events = ctx.events_problem or ""
    return StartReport(events_problem=events, packs=packs)
