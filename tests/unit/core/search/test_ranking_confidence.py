"""Confidence: in-domain answers are confident, nonsense and out-of-domain text is not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_assist.core.knowledge.models import Kind
from agent_assist.core.search.ranking import confidence
from agent_assist.core.search.suggester import Suggester, Suggestion
from tests.unit.core.search.ranking_pack import make_store


@pytest.fixture(scope="module")
def suggester(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suggester]:
    store = make_store(tmp_path_factory.mktemp("confidence"))
    yield Suggester(store)
    store.close()


@pytest.mark.parametrize(
    "query",
    [
        "asdf qwer zxcv",
        "xkcd lorem ipsum dolor",
        "what is the weather in paris tomorrow",
        "recipe for banana bread",
        "12345",
        "🙂🙂🙂",
    ],
)
def test_nonsense_and_out_of_domain_are_not_confident(suggester: Suggester, query: str) -> None:
    assert not any(r.confident for r in suggester.suggest(query, limit=5))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("I want my money back for the coins I bought", "coin-refund"),
        ("someone logged into my account and changed my password", "hacked-account"),
        ("I forgot my password", "forgot-password"),
    ],
)
def test_clear_matches_are_confident(suggester: Suggester, query: str, expected: str) -> None:
    top = suggester.suggest(query, limit=3)[0]
    assert top.id == expected and top.confident


def test_calibration_is_monotonic_and_bounded() -> None:
    scores = [confidence.calibrate(r / 20, 0.0) for r in range(-40, 60)]
    assert scores == sorted(scores)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert confidence.calibrate(0.9, 0.3) > confidence.calibrate(0.9, 0.0)


UNICODE_SAMPLES = st.sampled_from(
    [
        "",
        " ",
        "\x00\x01\x1b[31m",
        "مرحبا حسابي مخترق",
        "שלום",
        "\u202eevil\u202c",
        "👩‍👩‍👧‍👦🏳️‍🌈",
        "a" * 10_000,
        "refund " * 2000,
        "\ud800",
        "ｒｅｆｕｎｄ",
        "İstanbul ß ǅ",
        "\t\n\r",
        "coin-refund\\",
        '"refund" OR *',
        "NEAR(a b)",
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.one_of(
        st.text(max_size=300),
        UNICODE_SAMPLES,
        st.text(alphabet=st.characters(codec="utf-8"), min_size=500, max_size=3000),
    ),
    kind=st.sampled_from([None, Kind.SOP, Kind.MACRO]),
    locale=st.sampled_from([None, "en", "de", "xx", ""]),
    limit=st.integers(min_value=-1, max_value=30),
)
def test_any_text_gives_a_valid_result_list(
    suggester: Suggester, query: str, kind: Kind | None, locale: str | None, limit: int
) -> None:
    results = suggester.suggest(query, limit=limit, kind=kind, locale=locale)
    assert isinstance(results, list)
    assert len(results) <= max(limit, 0)
    for r in results:
        assert isinstance(r, Suggestion)
        assert 0.0 <= r.score <= 1.0
        assert r.confident == (r.score >= confidence.THRESHOLD)
        assert kind is None or r.kind is kind
        r.to_json()
