"""Opening a data dir for the app, without a display: what is opened, copied or rebuilt."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_assist.app import startup
from agent_assist.app.context import AppContext
from agent_assist.app.salvage import salvage_packs
from agent_assist.core.cache.store import DB_NAME, Store
from agent_assist.core.errors import EventLogError
from agent_assist.core.knowledge.checks import validate_pack
from agent_assist.core.settings import Settings


@pytest.fixture
def ctx(data_dir: Path) -> Iterator[AppContext]:
    settings = Settings(data_dir, system_file=data_dir / "no-system.toml")
    with AppContext(data_dir, agent="tester", settings=settings) as context:
        yield context


def test_a_good_data_dir_opens_whole(ctx: AppContext) -> None:
    started = startup.open_data(ctx)
    assert started == startup.StartReport()
    assert not started.degraded
    assert ctx.store.path == ctx.data_dir / DB_NAME


def test_salvaged_packs_are_what_was_imported(_tiny_cache: Path, tmp_path: Path) -> None:
    (folder,) = salvage_packs(_tiny_cache / DB_NAME, tmp_path / "out")
    pack = validate_pack(folder)
    assert pack.errors == []
    assert pack.info is not None and pack.info.name == "tiny"
    assert len(pack.items) == 4


def test_nothing_is_salvaged_from_a_file_that_is_no_database(tmp_path: Path) -> None:
    junk = tmp_path / DB_NAME
    junk.write_bytes(b"junk" * 1000)
    assert salvage_packs(junk, tmp_path / "out") == []


def test_an_unreadable_cache_is_rebuilt_from_its_own_packs(
    _tiny_cache: Path, ctx: AppContext
) -> None:
    """A cache this app cannot use (here: from a newer app) but whose rows still read: search
    runs on a temporary cache rebuilt from its packs, not on the demo pack."""
    shutil.copytree(_tiny_cache, ctx.data_dir, dirs_exist_ok=True)
    with sqlite3.connect(ctx.data_dir / DB_NAME) as conn:
        conn.execute("PRAGMA user_version = 999")
    started = startup.open_data(ctx)
    assert started.cache == "rebuilt" and started.packs == ("tiny",)
    assert "newer than this Agent Assist" in started.cache_problem
    assert ctx.store.path != ctx.data_dir / DB_NAME
    assert ctx.store.counts() == {"sop": 2, "macro": 2}
    temporary = ctx.store.path.parent
    ctx.close()
    assert not temporary.exists()  # the temporary cache goes with the session


def test_without_an_event_log_recording_fails_clearly_and_search_works(
    _tiny_cache: Path, ctx: AppContext
) -> None:
    shutil.copytree(_tiny_cache, ctx.data_dir, dirs_exist_ok=True)
    startup.open_data(ctx)
    ctx.disable_events("event log x: cannot open: attempt to write a readonly database")
    assert ctx.acks.acked() == frozenset()
    assert ctx.search.rows("coins never received")[0].id == "coin-refund"
    with pytest.raises(EventLogError, match=r"^handle time cannot be recorded: event log x"):
        ctx.work.state()


def test_rebuild_moves_the_damaged_file_aside(ctx: AppContext) -> None:
    path = ctx.data_dir / DB_NAME
    path.write_bytes(b"\0" * 4096)
    started = startup.open_data(ctx)
    assert started.damaged
    rebuilt = startup.rebuild_cache(ctx)
    assert not rebuilt.degraded and rebuilt.packs == ("clipwave-support",)
    (aside,) = ctx.data_dir.glob(f"{DB_NAME}.damaged-*")
    assert aside.read_bytes() == b"\0" * 4096
    with Store(path) as store:
        assert not store.is_empty()
