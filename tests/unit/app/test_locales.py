"""The requester's-language-first rule (app/locales.py), as a table of cases."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from agent_assist.app.locales import (
    EXACT,
    LANGUAGE,
    OTHER,
    RequesterLocale,
    band,
    order_for_requester,
)
from agent_assist.core.knowledge.models import Kind

S, M = Kind.SOP, Kind.MACRO


@dataclass(frozen=True)
class Row:
    kind: Kind
    id: str
    confident: bool


@dataclass(frozen=True)
class Facts:
    locale: str


def rows(*specs: str) -> list[Row]:
    """``"m:reply-es:c"``: kind (s/m), id, confident (c) or weak (w)."""
    out = []
    for spec in specs:
        kind, item_id, sure = spec.split(":")
        out.append(Row(S if kind == "s" else M, item_id, sure == "c"))
    return out


def locale_of(row: Row) -> str | None:
    """The test ids end with their locale: ``reply-es``, ``reply-es-mx``, ``reply-en``."""
    parts = row.id.split("-")
    return "-".join(parts[1:]) or None


@pytest.mark.parametrize(
    ("item", "requester", "expected"),
    [
        ("es", "es", EXACT),
        ("es-MX", "es_mx", EXACT),
        ("ES", "es", EXACT),
        ("es-ES", "es", LANGUAGE),
        ("es", "es-MX", LANGUAGE),
        ("en", "es", OTHER),
        ("", "es", OTHER),
        ("es", "", OTHER),
        ("est", "es", OTHER),  # Estonian is not Spanish: whole subtags only
    ],
)
def test_band(item: str, requester: str, expected: int) -> None:
    assert band(item, requester) == expected


CASES: list[tuple[str | None, list[str], list[str]]] = [
    # no requester locale: unchanged
    (None, ["s:a-en:c", "m:b-es:c"], ["a-en", "b-es"]),
    ("", ["s:a-en:c", "m:b-es:c"], ["a-en", "b-es"]),
    # the requester's language first, the ranking's order kept within a band
    ("es", ["m:a-en:c", "m:b-es:c", "m:c-es:c"], ["b-es", "c-es", "a-en"]),
    # exact locale before the same language
    ("es-mx", ["m:a-es:c", "m:b-es-mx:c", "m:c-en:c"], ["b-es-mx", "a-es", "c-en"]),
    # a weak match is never lifted above a confident one for its language
    ("es", ["s:a-en:c", "m:b-es:w"], ["a-en", "b-es"]),
    ("es", ["s:a-en:w", "s:b-es:w", "s:c-en:c"], ["c-en", "b-es", "a-en"]),
    # weak macros in another language go when a confident one in theirs is listed
    ("es", ["m:a-en:c", "m:b-es:c", "m:c-en:w"], ["b-es", "a-en"]),
    # ... but not without one, and SOPs are never dropped
    ("es", ["m:a-en:c", "m:b-es:w", "m:c-en:w"], ["a-en", "b-es", "c-en"]),
    ("es", ["m:b-es:c", "s:c-en:w"], ["b-es", "c-en"]),
    # nothing in the requester's language: unchanged
    ("de", ["s:a-en:c", "m:b-es:c", "m:c-en:w"], ["a-en", "b-es", "c-en"]),
    # an item of unknown locale counts as another language
    ("es", ["m:a:c", "m:b-es:c"], ["b-es", "a"]),
    (None, [], []),
]


@pytest.mark.parametrize(("requester", "given", "expected"), CASES)
def test_order_for_requester(requester: str | None, given: list[str], expected: list[str]) -> None:
    ordered = order_for_requester(rows(*given), locale_of, requester or None)
    assert [r.id for r in ordered] == expected


def test_the_requester_locale_reads_item_locales_from_facts() -> None:
    found = rows("m:reply:c", "m:respuesta:c", "m:gone:c")
    facts = {(M, "reply"): Facts("en"), (M, "respuesta"): Facts("es")}
    requester = RequesterLocale()
    assert requester.order(found, facts) == found  # no ticket in hand
    requester.locale = "es-AR"
    assert [r.id for r in requester.order(found, facts)] == ["respuesta", "reply", "gone"]
