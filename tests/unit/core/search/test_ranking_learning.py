"""Learning from the agent's choices, bounded priors, and index persistence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.search.ranking import persist
from agent_assist.core.search.ranking.feedback import MAX_PRIOR, usage_prior
from agent_assist.core.search.suggester import Suggester
from agent_assist.core.worklog.clock import FakeClock
from tests.unit.core.search.ranking_pack import make_store

AMBIGUOUS = "there is a problem with my account"


def _position(suggester: Suggester, query: str, item_id: str) -> int:
    ids = [r.id for r in suggester.suggest(query, limit=20, kind=Kind.SOP)]
    return ids.index(item_id) if item_id in ids else 99


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return make_store(tmp_path)


def test_a_choice_moves_the_item_up_at_once_and_is_remembered(store: Store) -> None:
    suggester = Suggester(store)
    before = _position(suggester, AMBIGUOUS, "delete-account")
    assert before > 0
    suggester.record_choice(AMBIGUOUS, Kind.SOP, "delete-account")
    assert _position(suggester, AMBIGUOUS, "delete-account") == 0
    # a similar wording benefits too, and a new session still knows
    assert _position(Suggester(store), "problem with my account", "delete-account") == 0


def test_phrasings_learned_by_the_team_move_the_item_up(store: Store) -> None:
    """Phrasings the hub learned from other agents' choices act like this agent's own."""
    assert _position(Suggester(store), AMBIGUOUS, "delete-account") > 0
    store.store_learned("https://hub.example", [(1, "delete-account", AMBIGUOUS, 4)], cursor=1)
    suggester = Suggester(store)
    suggester.refresh()
    assert _position(suggester, AMBIGUOUS, "delete-account") == 0


def test_feedback_does_not_hijack_unrelated_queries(store: Store) -> None:
    suggester = Suggester(store)
    for _ in range(20):
        suggester.record_choice(AMBIGUOUS, Kind.SOP, "delete-account")
    assert suggester.suggest("i forgot my password", limit=1)[0].id == "forgot-password"


def test_queries_are_scrubbed_before_they_are_stored(store: Store) -> None:
    Suggester(store).record_choice(
        "refund to jane.doe@example.com card 4111 1111 1111 1111 call +44 20 7946 0958",
        Kind.SOP,
        "coin-refund",
    )
    [(query, kind, item_id, count)] = store.feedback()
    assert "jane" not in query and "4111" not in query and "7946" not in query
    assert (kind, item_id, count) == (Kind.SOP, "coin-refund", 1)


def test_usage_priors_are_bounded_and_cannot_bury_a_clear_answer(store: Store) -> None:
    now = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    assert 0 <= usage_prior(10**6, now.isoformat(), now) <= MAX_PRIOR
    assert usage_prior(0, "", now) == 0
    for _ in range(200):
        store.record_use(Kind.SOP, "payout-missing")
    suggester = Suggester(store, clock=FakeClock(now))
    assert suggester.suggest("i forgot my password", limit=1)[0].id == "forgot-password"


def test_index_is_saved_reused_and_rebuilt_when_stale(store: Store, tmp_path: Path) -> None:
    Suggester(store).refresh()
    path = store.path.parent / persist.INDEX_NAME
    assert path.is_file()
    stamp = path.stat().st_mtime_ns
    Suggester(store).refresh()
    assert path.stat().st_mtime_ns == stamp  # fingerprint matched: loaded, not rebuilt
    path.write_bytes(b"not a zip file")
    assert Suggester(store).suggest("forgot my password")[0].id == "forgot-password"
    # a changed pack changes the fingerprint: the next refresh sees the new SOP
    from agent_assist.core.knowledge.packs import import_pack_dir
    from tests.packs import write_pack
    from tests.unit.core.search.ranking_pack import FILES

    extra = dict(FILES)
    extra["sops/gift.md"] = (
        "---\nid: gift-cards\ntitle: Gift card balance\nphrasings:\n"
        "  - how much is left on my gift card\n---\n"
    )
    import_pack_dir(store, write_pack(tmp_path / "pack2", extra, name="ranking-test"))
    suggester = Suggester(store)
    assert suggester.suggest("balance left on gift card")[0].id == "gift-cards"


def test_store_feedback_can_be_forgotten(store: Store) -> None:
    Suggester(store).record_choice("help", Kind.MACRO, "greeting")
    store.forget_feedback()
    assert store.feedback() == []


def test_incremental_update_reuses_unchanged_items(store: Store, tmp_path: Path) -> None:
    from agent_assist.core.knowledge.packs import import_pack_dir
    from agent_assist.core.search.ranking.index import RankIndex, fingerprint
    from tests.packs import write_pack
    from tests.unit.core.search.ranking_pack import FILES

    before = RankIndex.build(store.search_fields, fingerprint(store.item_hashes()))
    files = dict(FILES)
    files["sops/payout-missing.md"] = files["sops/payout-missing.md"].replace(
        "monthly earnings missing", "my creator fund money did not come"
    )
    files["sops/gift.md"] = (
        "---\nid: gift-cards\ntitle: Gift card balance\nphrasings:\n"
        "  - how much is left on my zorblax gift card\n---\n"
    )
    import_pack_dir(store, write_pack(tmp_path / "pack2", files, name="ranking-test"))
    fp = fingerprint(store.item_hashes())
    updated = RankIndex.update(before, store.search_fields, fp)
    full = RankIndex.build(store.search_fields, fp)
    assert sorted(e.id for e in updated.entries) == sorted(e.id for e in full.entries)
    n_old, n_new = (
        before.by_key[(Kind.SOP, "hacked-account")],
        updated.by_key[(Kind.SOP, "hacked-account")],
    )
    old_row, new_row = before.centroids.take_rows([n_old]), updated.centroids.take_rows([n_new])
    assert old_row.indices.tolist() == new_row.indices.tolist()  # reused as is
    assert old_row.data.tolist() == new_row.data.tolist()
    suggester = Suggester(store)
    assert suggester.suggest("zorblax gift card")[0].id == "gift-cards"  # new word matches
    assert suggester.suggest("creator fund money")[0].id == "payout-missing"
