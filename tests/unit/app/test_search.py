"""The search use cases the empty state and the summon shortcut need: pinned and recently used
SOPs first, and copied text turned into one query."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_assist.app.context import AppContext
from agent_assist.app.search import (
    PINNED,
    QUERY_MAX_CHARS,
    RECENT,
    ResultRow,
    Search,
    query_from_text,
)
from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.knowledge.packs import import_pack_dir
from agent_assist.core.search.ranking.text import MAX_CHARS
from agent_assist.core.settings import Settings, SettingsError
from agent_assist.core.worklog.clock import FakeClock
from tests.conftest import TINY_PACK, write_pack

MORE_SOPS = {
    f"sops/extra-{n}.md": f"---\nid: extra-{n}\ntitle: Extra {n}\nsteps:\n"
    f"  - {{id: one, text: Do it}}\n---\nBody.\n"
    for n in range(1, 8)
}
MORE_SOPS["sops/german.md"] = (
    "---\nid: german\ntitle: Konto gehackt\nlocale: de\nsteps:\n"
    "  - {id: one, text: Sperren}\n---\nText.\n"
)
CATALOGUE = [*(f"extra-{n}" for n in range(1, 8)), "hacked-account", "german", "coin-refund"]
"""Every SOP, by title."""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ctx(tmp_path: Path, data_dir: Path, clock: FakeClock) -> Iterator[AppContext]:
    store = Store.in_dir(data_dir, clock)
    import_pack_dir(store, write_pack(tmp_path / "pack", {**TINY_PACK, **MORE_SOPS}))
    settings = Settings(data_dir, system_file=tmp_path / "no-system.toml")
    context = AppContext(data_dir, clock=clock, agent="tester", settings=settings, store=store)
    yield context
    context.close()


@pytest.fixture
def search(ctx: AppContext) -> Search:
    return ctx.search


def head(rows: list[ResultRow]) -> list[tuple[str, str]]:
    """The rows before the catalogue: (id, where it comes from)."""
    out = []
    for row in rows:
        mark = next((b for b in row.badges if b in (PINNED, RECENT)), None)
        if mark is None:
            break
        out.append((row.id, mark))
    return out


def use(ctx: AppContext, clock: FakeClock, *sop_ids: str) -> None:
    for sop_id in sop_ids:
        clock.advance(60)
        ctx.store.record_use(Kind.SOP, sop_id)


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("my card was charged twice", "my card was charged twice"),
        ("  Hi,\n\nmy account was hacked\r\nand my e-mail changed.\n\n-- \nAna\n", None),
        ("\tcoins\tnever\treceived\t", "coins never received"),
        ("\n \r\n\t", ""),
        ("", ""),
    ],
)
def test_copied_text_becomes_one_line(text: str, query: str | None) -> None:
    expected = query if query is not None else " ".join(text.split())
    assert query_from_text(text) == expected
    assert "\n" not in query_from_text(text)


def test_copied_text_is_cut_where_the_ranking_stops_reading() -> None:
    assert QUERY_MAX_CHARS == MAX_CHARS
    mail = "Dear support,\n" + "my coins never arrived. " * 1000
    query = query_from_text(mail)
    assert len(query) <= QUERY_MAX_CHARS
    assert query.startswith("Dear support, my coins never arrived.")
    assert len(query) > QUERY_MAX_CHARS - len("arrived. ")


def test_nothing_pinned_or_used_lists_the_catalogue(search: Search) -> None:
    rows = search.rows("", kind=Kind.SOP)
    assert head(rows) == []
    assert [r.id for r in rows] == CATALOGUE
    assert search.recent() == []


def test_recent_sops_come_first_newest_first(
    search: Search, ctx: AppContext, clock: FakeClock
) -> None:
    use(ctx, clock, "hacked-account", "coin-refund", "extra-3", "coin-refund")
    ctx.store.record_use(Kind.MACRO, "refund-approved")  # replies are not SOPs
    rows = search.rows("")
    assert head(rows) == [
        ("coin-refund", RECENT),
        ("extra-3", RECENT),
        ("hacked-account", RECENT),
    ]
    assert [r.id for r in rows[3:]][: len(CATALOGUE)] == CATALOGUE  # the catalogue is whole
    assert [r.id for r in search.recent()] == ["coin-refund", "extra-3", "hacked-account"]
    assert [r.id for r in search.recent(limit=1)] == ["coin-refund"]


def test_recent_is_limited(search: Search, ctx: AppContext, clock: FakeClock) -> None:
    use(ctx, clock, *(f"extra-{n}" for n in range(1, 8)))
    assert [i for i, _ in head(search.rows(""))] == [f"extra-{n}" for n in (7, 6, 5, 4, 3)]


def test_pins_come_first_in_the_order_pinned_and_persist(
    search: Search, ctx: AppContext, clock: FakeClock, data_dir: Path, tmp_path: Path
) -> None:
    use(ctx, clock, "extra-1", "hacked-account")
    assert search.toggle_pin("extra-5") is True
    assert search.toggle_pin("hacked-account") is True
    assert search.pinned() == ["extra-5", "hacked-account"]
    assert head(search.rows("")) == [
        ("extra-5", PINNED),
        ("hacked-account", PINNED),
        ("extra-1", RECENT),  # a pinned SOP is not listed twice on top
    ]
    assert [r.id for r in search.recent()] == ["extra-1"]
    again = Settings(data_dir, system_file=tmp_path / "no-system.toml")
    assert again.pinned == "extra-5,hacked-account"
    assert search.toggle_pin("extra-5") is False
    assert search.pinned() == ["hacked-account"]


def test_pins_show_in_the_detail(search: Search) -> None:
    assert PINNED not in search.detail(Kind.SOP, "coin-refund").badges
    search.toggle_pin("coin-refund")
    assert search.detail(Kind.SOP, "coin-refund").badges[0] == PINNED


def test_unknown_retired_foreign_and_twice_pinned_sops_are_left_out(
    search: Search, ctx: AppContext, tmp_path: Path
) -> None:
    ctx.settings.set(Settings.pinned, "gone, extra-2,,german,extra-2")  # edited by hand
    ctx.settings.set(Settings.content_locale, "en")
    assert head(search.rows("")) == [("extra-2", PINNED)]
    files = {k: v for k, v in {**TINY_PACK, **MORE_SOPS}.items() if "extra-2" not in k}
    import_pack_dir(ctx.store, write_pack(tmp_path / "v2", files), prune=True)
    assert head(search.rows("")) == []


def test_a_search_or_a_macro_list_has_no_favourites(
    search: Search, ctx: AppContext, clock: FakeClock
) -> None:
    use(ctx, clock, "coin-refund")
    search.toggle_pin("hacked-account")
    assert head(search.rows("", kind=Kind.MACRO)) == []
    assert all(not set(r.badges) & {PINNED, RECENT} for r in search.rows("coins refund"))


def test_pins_set_by_it_cannot_be_changed_here(
    tmp_path: Path, data_dir: Path, ctx: AppContext
) -> None:
    system = tmp_path / "system.toml"
    system.write_text('[enforced]\npinned = "coin-refund"\n', encoding="utf-8")
    enforced = Settings(data_dir, system_file=system)
    locked = AppContext(data_dir, clock=ctx.clock, agent="t", settings=enforced, store=ctx.store)
    assert head(locked.search.rows("")) == [("coin-refund", PINNED)]
    with pytest.raises(SettingsError, match="IT department"):
        locked.search.toggle_pin("hacked-account")


def test_the_open_item_is_read_again_only_when_something_it_shows_changed(
    ctx: AppContext, search: Search
) -> None:
    first = search.detail(Kind.SOP, "coin-refund")
    assert search.detail(Kind.SOP, "coin-refund") is first  # typing on, same top result
    ctx.store.record_use(Kind.SOP, "coin-refund")  # the cache changed
    used = search.detail(Kind.SOP, "coin-refund")
    assert used is not first and used.last_used_version == 1
    search.toggle_pin("coin-refund")
    pinned = search.detail(Kind.SOP, "coin-refund")
    assert PINNED in pinned.badges
    ctx.acks.add("coin-refund", 1)  # an acknowledgement (acks already read by detail)
    assert search.detail(Kind.SOP, "coin-refund") is not pinned


def test_result_badges_follow_the_cache_without_reading_every_item(
    ctx: AppContext, search: Search
) -> None:
    before = {r.id: r.badges for r in search.rows("coin refund")}
    assert "coin-refund" in before
    ctx.store.record_use(Kind.SOP, "coin-refund")
    assert search.facts([(Kind.SOP, "coin-refund")])[(Kind.SOP, "coin-refund")].last_used_version
    assert search.facts([(Kind.SOP, "no-such")]) == {}
