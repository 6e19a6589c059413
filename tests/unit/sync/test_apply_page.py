"""Applying hub pages to a real temporary SQLite cache: atomic with the cursor, and the
coexistence rule between local packs and hub content (docs/sync.md)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from agent_assist.core.cache.hub_sync import HubPage, HubRetire, HubUpsert
from agent_assist.core.cache.store import Store
from agent_assist.core.errors import PackError
from agent_assist.core.knowledge.checks import validate_pack
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.knowledge.packs import import_pack_dir
from agent_assist.core.knowledge.reader import parse_item, read_pack
from agent_assist.sync import wire
from agent_assist.sync.pull import to_page
from tests.conftest import TINY_PACK, write_pack

HUB = "https://hub.example"


def sop(item_id: str, title: str = "A title") -> str:
    return f"---\nid: {item_id}\ntitle: {title}\nsteps:\n  - {{id: one, text: Do it}}\n---\nBody\n"


def upsert(
    item_id: str, version: int = 1, title: str = "A title", pack: str = "hubpack"
) -> HubUpsert:
    item, problems = parse_item(sop(item_id, title), f"sops/{item_id}.md", Kind.SOP, "en")
    assert item is not None and not problems
    return HubUpsert(pack, item, version, item.source.content_hash)


def page(*changes: HubUpsert | HubRetire, cursor: int) -> HubPage:
    packs = {c.pack: "en" for c in changes if isinstance(c, HubUpsert)}
    return HubPage(tuple(changes), packs, cursor, f'"c{cursor}"')


def snapshot(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        rows: list[tuple[object, ...]] = []
        for table in ("items", "item_versions", "hub_state", "hub_packs", "packs"):
            rows += [(table, *r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
        rows += conn.execute("SELECT rowid, title FROM items_fts ORDER BY rowid").fetchall()
        return rows
    finally:
        conn.close()


def test_a_page_lands_with_its_cursor(data_dir: Path) -> None:
    with Store.in_dir(data_dir) as store:
        changed = store.apply_hub_page(HUB, page(upsert("a"), upsert("b", 3), cursor=7))
        assert changed == ["sop:a", "sop:b"]
        state = store.hub_state(HUB)
        assert (state.cursor, state.etag) == (7, '"c7"')
        assert store.get("b").version == 3 and store.get("b").pack == "hubpack"
        assert store.hub_pack_names() == {"hubpack"}
        assert [h.item_id for h in store.fts("title")] == ["a", "b"]
        # the same page again changes nothing
        assert store.apply_hub_page(HUB, page(upsert("a"), cursor=7)) == []
        changed = store.apply_hub_page(
            HUB, page(upsert("a", 2, "New"), HubRetire(Kind.SOP, "b"), cursor=9)
        )
        assert changed == ["sop:a", "sop:b"]
        assert store.get("b").retired and store.get("a").title == "New"
        assert [v.version for v in store.versions(Kind.SOP, "a")] == [1, 2]


@pytest.mark.parametrize("fail_at", ["before_commit", "mid_page"])
def test_a_failed_page_leaves_the_cache_exactly_as_before(data_dir: Path, fail_at: str) -> None:
    path = data_dir / "knowledge.sqlite3"
    with Store.in_dir(data_dir) as store:
        store.apply_hub_page(HUB, page(upsert("a"), cursor=3))
    before = snapshot(path)

    def boom() -> None:
        raise RuntimeError("killed")

    bad = page(upsert("a", 2, "Changed"), upsert("c"), cursor=5)
    if fail_at == "mid_page":  # a change the cache cannot take (kind is not a Kind)
        bad = HubPage((*bad.changes, HubRetire("bogus", "x")), bad.packs, 5)  # type: ignore[arg-type]
    with Store.in_dir(data_dir) as store, pytest.raises((RuntimeError, AttributeError)):
        store.apply_hub_page(HUB, bad, before_commit=boom if fail_at == "before_commit" else None)
    assert snapshot(path) == before
    with Store.in_dir(data_dir) as store:
        assert store.hub_state(HUB).cursor == 3


def test_local_pack_may_not_take_a_hub_pack_name(data_dir: Path, tmp_path: Path) -> None:
    files = {**TINY_PACK, "pack.yaml": "name: hubpack\n"}
    with Store.in_dir(data_dir) as store:
        store.apply_hub_page(HUB, page(upsert("a"), cursor=1))
        with pytest.raises(PackError, match=r"published by the hub https://hub\.example"):
            import_pack_dir(store, write_pack(tmp_path / "p", files))
        assert store.counts()["macro"] == 0


def test_hub_wins_over_local_items_with_the_same_kind_and_id(
    data_dir: Path, tiny_pack: Path
) -> None:
    with Store.in_dir(data_dir) as store:
        import_pack_dir(store, tiny_pack)
        assert store.get("hacked-account").pack == "tiny"
        store.apply_hub_page(HUB, page(upsert("hacked-account", 4, "Hub version"), cursor=1))
        item = store.get("hacked-account")
        assert (item.pack, item.version, item.title) == ("hubpack", 4, "Hub version")
        assert store.shadowed_items() == [("sop:hacked-account", "tiny", "hubpack")]
        # re-importing the local pack does not bring the local copy back over the hub's
        report = import_pack_dir(store, tiny_pack)
        assert report.shadowed == ["sop:hacked-account"]
        assert "1 shadowed by hub content" in report.summary()
        assert store.get("hacked-account").title == "Hub version"
        # a hub retirement only touches hub items
        store.apply_hub_page(HUB, page(HubRetire(Kind.SOP, "coin-refund"), cursor=2))
        assert not store.get("coin-refund").retired


def test_hub_text_parses_exactly_like_a_pack_file(tiny_pack: Path) -> None:
    pack = read_pack(tiny_pack)
    for loaded in pack.items:
        item, problems = parse_item(
            loaded.source.text, loaded.source.path, loaded.content.kind, "en"
        )
        assert item is not None and problems == []
        assert item.content == loaded.content and item.source == loaded.source
    item, problems = parse_item("---\nid: x\ntitle: [\n---\n", "sops/x.md", Kind.SOP, "en")
    assert item is None and problems[0].file == "sops/x.md" and problems[0].line >= 2
    assert parse_item("a\x00b", "sops/x.md", Kind.SOP, "en")[0] is None
    assert "bytes" in str(parse_item("x" * 300_000, "sops/x.md", Kind.SOP, "en")[1][0])
    assert validate_pack(tiny_pack).errors == []


def test_unreadable_hub_items_are_skipped_not_stored() -> None:
    def change(seq: int, item_id: str, text: str) -> wire.Change:
        return wire.Change(
            seq, "upsert", Kind.SOP, item_id, 1, "h", "hubpack", "en", f"sops/{item_id}.md", text
        )

    skipped: list[str] = []
    result = to_page(
        wire.ChangesPage((change(1, "a", sop("a")), change(2, "b", "no front matter")), 2, False),
        skipped,
    )
    assert [c.item.content.id for c in result.changes if isinstance(c, HubUpsert)] == ["a"]
    assert skipped[0].startswith("sop:b v1: sops/b.md:1:") and result.cursor == 2
    with pytest.raises(Exception, match="says sop:c but its text holds sop:a"):
        to_page(wire.ChangesPage((change(3, "c", sop("a")),), 3, False), [])


def test_learned_phrasings_and_shared_feedback(data_dir: Path) -> None:
    with Store.in_dir(data_dir) as store:
        store.store_learned(HUB, [(1, "coin-refund", "coins gone", 3)], 1)
        store.store_learned(HUB, [(1, "coin-refund", "coins gone", 3)], 1)
        assert store.learned_phrasings() == [("coin-refund", "coins gone", 3)]
        assert store.hub_state(HUB).learned_cursor == 1
        store.record_feedback("coins gone", Kind.SOP, "coin-refund")
        pairs = store.unshared_feedback(HUB)
        assert pairs == [("coins gone", Kind.SOP, "coin-refund")]
        store.mark_feedback_shared(HUB, pairs)
        assert store.unshared_feedback(HUB) == []
        assert store.unshared_feedback("https://other") == pairs


def test_hub_key_pinning(data_dir: Path) -> None:
    with Store.in_dir(data_dir) as store:
        assert store.pinned_hub_keys() == []
        store.apply_hub_page(HUB, page(upsert("a"), cursor=2))
        store.pin_hub_key(HUB, "ed25519", "a2V5", "fp")
        (state,) = store.pinned_hub_keys()
        assert (state.public_key, state.key_fingerprint, state.cursor) == ("a2V5", "fp", 2)
