"""Ranking as a table: (query, filters, expected first result), typos and prefixes included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_assist.core.knowledge.models import Kind
from agent_assist.core.search.suggester import Suggester
from tests.unit.core.search.ranking_pack import make_store

SOP, MACRO = Kind.SOP, Kind.MACRO


@pytest.fixture(scope="module")
def suggester(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suggester]:
    store = make_store(tmp_path_factory.mktemp("ranking"))
    yield Suggester(store)
    store.close()


CASES = [
    # plain wording
    ("i want a refund for my coins", {}, (SOP, "coin-refund")),
    ("someone hacked my account", {}, (SOP, "hacked-account")),
    ("my payout is missing", {}, (SOP, "payout-missing")),
    ("where is my order", {}, (SOP, "shipping-delay")),
    # typos
    ("somone hackd my acount", {}, (SOP, "hacked-account")),
    ("i forgott my pasword", {}, (SOP, "forgot-password")),
    ("my crad has not arived", {}, (SOP, "card-not-arrived")),
    # as-you-type: the last word is a prefix
    ("forgot pass", {}, (SOP, "forgot-password")),
    ("where is my parc", {}, (SOP, "shipping-delay")),
    ("my card has not arr", {}, (SOP, "card-not-arrived")),
    ("how do i delet", {}, (SOP, "delete-account")),
    # locale filter, diacritics folded
    ("Konto löschen", {"locale": "de"}, (SOP, "konto-loeschen")),
    ("konto loschen", {"locale": "de"}, (SOP, "konto-loeschen")),
    ("ich möchte mein Konto löschen", {}, (SOP, "konto-loeschen")),
    ("delete my account", {"locale": "en-GB"}, None),  # nothing is en-GB
    # tag and kind filters
    ("my account", {"tags": ["security"]}, (SOP, "hacked-account")),
    ("refund my coins", {"kind": MACRO}, (MACRO, "refund-ok")),
    ("parcel on its way", {"kind": MACRO}, (MACRO, "delivery-update")),
]


@pytest.mark.parametrize(("query", "filters", "expected"), CASES)
def test_first_result(
    suggester: Suggester, query: str, filters: dict[str, object], expected: tuple[Kind, str] | None
) -> None:
    results = suggester.suggest(query, limit=5, **filters)  # type: ignore[arg-type]
    if expected is None:
        assert results == []
        return
    assert results, query
    assert (results[0].kind, results[0].id) == expected, [r.id for r in results]


def test_macros_linked_to_the_top_sop_come_first(suggester: Suggester) -> None:
    results = suggester.suggest("i want my money back for coins", limit=6)
    macros = [r.id for r in results if r.kind is MACRO]
    assert results[0].id == "coin-refund"
    assert macros[0] == "refund-ok"


def test_filters_are_respected(suggester: Suggester) -> None:
    german = suggester.suggest("ich möchte mein Konto löschen", locale="en", limit=20)
    assert german and "konto-loeschen" not in {r.id for r in german}
    assert all(r.kind is MACRO for r in suggester.suggest("account", kind=MACRO))
    assert {r.id for r in suggester.suggest("konto", locale="de", limit=20)} == {"konto-loeschen"}
    assert suggester.suggest("refund", tags=["no-such-tag"]) == []


@pytest.mark.parametrize("limit", [1, 3, 50])
def test_limit_and_order(suggester: Suggester, limit: int) -> None:
    results = suggester.suggest("account", limit=limit)
    assert 0 < len(results) <= limit
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_nothing_to_rank(tmp_path: Path, suggester: Suggester) -> None:
    from agent_assist.core.cache.store import Store

    with Store.in_dir(tmp_path) as empty:
        assert Suggester(empty).suggest("refund") == []
    assert suggester.suggest("   ") == []
    assert suggester.suggest("refund", limit=0) == []
