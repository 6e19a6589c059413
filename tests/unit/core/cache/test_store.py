"""The knowledge cache: atomic, idempotent imports, versions, pruning, migrations."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_assist.core.cache.migrations import LATEST, MIGRATIONS
from agent_assist.core.cache.store import Store
from agent_assist.core.errors import NotFoundError, PackError, StoreError
from agent_assist.core.knowledge.checks import validate_pack
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.knowledge.packs import import_pack_dir
from agent_assist.core.worklog.clock import FakeClock
from tests.packs import GOOD_FILES, write_pack

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "data" / "k.sqlite3", clock=FakeClock(T0)) as s:
        yield s


def dump(store: Store) -> list[tuple[object, ...]]:
    """Every row of every table: what 'the cache is unchanged' means."""
    rows: list[tuple[object, ...]] = []
    for table in ("packs", "items", "item_versions", "item_usage"):
        rows += [(table, *r) for r in store.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
    return rows


def test_import_is_idempotent_and_versions_changes(store: Store, tmp_path: Path) -> None:
    root = write_pack(tmp_path / "pack", GOOD_FILES)
    first = import_pack_dir(store, root)
    assert sorted(first.added) == ["macro:refund-ok", "sop:coin-refund", "sop:hacked-account"]
    again = import_pack_dir(store, root)
    assert again.added == again.updated == [] and len(again.unchanged) == 3
    (root / "sops" / "hacked.md").write_text(
        "---\nid: hacked-account\ntitle: Hacked account v2\n---\n"
    )
    third = import_pack_dir(store, root)
    assert third.updated == ["sop:hacked-account"]
    item = store.get("hacked-account")
    assert (item.version, item.title) == (2, "Hacked account v2")
    assert [v.version for v in store.versions(Kind.SOP, "hacked-account")] == [1, 2]
    assert "v2" not in store.versions(Kind.SOP, "hacked-account")[0].source_text


def test_pack_with_errors_changes_nothing(store: Store, tmp_path: Path) -> None:
    import_pack_dir(store, write_pack(tmp_path / "good", GOOD_FILES))
    before = dump(store)
    bad = dict(GOOD_FILES)
    bad["sops/hacked.md"] = "---\nid: hacked-account\ntitle: Changed\n---\n"
    bad["sops/broken.md"] = "---\nid: broken\n---\n"  # no title
    bad["macros/m2.md"] = "---\nid: m2\ntitle: M\n---\n{{undeclared}}\n"
    with pytest.raises(PackError) as caught:
        import_pack_dir(store, write_pack(tmp_path / "bad", bad))
    assert {p.file for p in caught.value.problems} == {"sops/broken.md", "macros/m2.md"}
    assert dump(store) == before


def test_store_refuses_pack_with_errors_even_if_caller_skips_checks(
    store: Store, tmp_path: Path
) -> None:
    pack = validate_pack(write_pack(tmp_path, {"sops/x.md": "---\nid: x\n---\n"}))
    with pytest.raises(PackError):
        store.import_pack(pack)
    assert store.is_empty()


def test_prune_retires_and_reimport_restores(store: Store, tmp_path: Path) -> None:
    root = write_pack(tmp_path / "pack", GOOD_FILES)
    import_pack_dir(store, root)
    (root / "sops" / "hacked.md").unlink()
    assert import_pack_dir(store, root).retired == []  # no --prune: kept
    assert store.counts()["sop"] == 2
    assert import_pack_dir(store, root, prune=True).retired == ["sop:hacked-account"]
    assert store.counts()["sop"] == 1
    assert store.get("hacked-account").retired
    assert [i.id for i in store.items(Kind.SOP)] == ["coin-refund"]
    (root / "sops" / "hacked.md").write_text(GOOD_FILES["sops/hacked.md"].replace("        ", ""))
    report = import_pack_dir(store, root)
    assert report.updated == ["sop:hacked-account"]
    assert store.get("hacked-account").version == 1  # same content as before: same version


def test_fts_index_follows_updates(store: Store, tmp_path: Path) -> None:
    root = write_pack(tmp_path / "pack", GOOD_FILES)
    import_pack_dir(store, root)
    assert [h.item_id for h in store.fts('"password"')] == ["hacked-account"]
    (root / "sops" / "hacked.md").write_text("---\nid: hacked-account\ntitle: Stolen login\n---\n")
    import_pack_dir(store, root)
    assert store.fts('"password"') == []
    assert [h.item_id for h in store.fts('"stolen"')] == ["hacked-account"]


def test_get_errors(store: Store, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no SOP or macro with id 'nope'"):
        store.get("nope")
    files = {**GOOD_FILES, "macros/same.md": "---\nid: coin-refund\ntitle: Same id\n---\nx\n"}
    import_pack_dir(store, write_pack(tmp_path, files))
    with pytest.raises(NotFoundError, match="--kind"):
        store.get("coin-refund")
    assert store.get("coin-refund", Kind.MACRO).title == "Same id"


def test_record_use(store: Store, tmp_path: Path) -> None:
    import_pack_dir(store, write_pack(tmp_path, GOOD_FILES))
    assert store.last_used_version(Kind.SOP, "coin-refund") is None
    store.record_use(Kind.SOP, "coin-refund")
    assert store.last_used_version(Kind.SOP, "coin-refund") == 1


def test_cache_opens_in_wal_mode_at_latest_schema(store: Store) -> None:
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.schema_version == LATEST


def test_migration_from_v1_keeps_data(tmp_path: Path) -> None:
    """A cache written by the first release (schema 1) upgrades with its items intact."""
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO items (kind, item_id, pack, version, content_hash, title, summary, "
        "phrasings, tags, body, locale, data, source_path, source_text, updated_at) VALUES "
        "('sop', 'old', 'p', 3, 'h', 'Old SOP', '', 'lost my card', '', '', 'en', "
        "'{\"id\": \"old\", \"title\": \"Old SOP\"}', 'sops/old.md', 'x', '2025-01-01')"
    )
    conn.close()
    with Store(path) as store:
        assert store.schema_version == LATEST
        assert store.get("old").version == 3
        assert [h.item_id for h in store.fts('"card"')] == ["old"]
        store.record_use(Kind.SOP, "old")  # the v2 table exists and works
        assert store.last_used_version(Kind.SOP, "old") == 3


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {LATEST + 1}").connection.close()
    with pytest.raises(StoreError, match="newer than this Agent Assist"):
        Store(path)


def test_damaged_file_gives_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="damaged"):
        Store(path)


def test_item_facts_answer_for_the_rows_asked_in_their_order(tiny_store: Store) -> None:
    """What a result row shows, read without decoding items (the keystroke path)."""
    sops = tiny_store.items(Kind.SOP)
    macros = tiny_store.items(Kind.MACRO)
    keys = [(Kind.MACRO, macros[0].id), (Kind.SOP, sops[0].id), (Kind.SOP, "no-such-sop")]
    facts = tiny_store.item_facts(keys)
    assert [(f.kind, f.id) for f in facts] == keys[:2]
    sop = facts[1]
    assert (sop.title, sop.version, sop.locale) == (
        sops[0].title,
        sops[0].version,
        sops[0].content.locale,
    )
    assert sop.last_used_version is None
    tiny_store.record_use(Kind.SOP, sops[0].id)
    assert tiny_store.item_facts([(Kind.SOP, sops[0].id)])[0].last_used_version == sops[0].version
    assert tiny_store.item_facts([]) == []
    every = tiny_store.item_facts(kind=Kind.SOP)
    assert {f.id for f in every} == {s.id for s in sops}
