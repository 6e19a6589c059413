"""Front-matter edits keep the author's layout and change exactly one field, or refuse."""

from __future__ import annotations

import pytest

from agent_assist.core.knowledge.frontmatter import FrontMatterEditError, add_to_list, set_scalar
from tests.conftest import TINY_PACK

COINS = TINY_PACK["sops/coin-refund.md"]
HACKED = TINY_PACK["sops/hacked-account.md"]


def test_block_list_gets_new_lines_in_its_own_indentation() -> None:
    out = add_to_list(
        COINS,
        "phrasings",
        ["where are my coins", 'said "x": y', "charged for coins I never received"],
    )
    assert (
        '  - charged for coins I never received\n  - "where are my coins"\n'
        '  - "said \\"x\\": y"\nmacros:' in out
    )
    assert out.replace('  - "where are my coins"\n  - "said \\"x\\": y"\n', "") == COINS


def test_flow_list_missing_list_and_crlf() -> None:
    assert (
        'phrasings: ["someone hacked my account", "my email was changed without me", "x # y"]'
        in add_to_list(HACKED, "phrasings", ["x # y"])
    )
    macro = TINY_PACK["macros/account-secured.md"]
    assert add_to_list(macro, "tags", ["new"]).startswith(
        '---\nid: account-secured\ntitle: Account secured again\ntags:\n  - "new"\n---\n'
    )
    crlf = HACKED.replace("\n", "\r\n")
    assert "review_due: 2027-01-31\r\n---\r\n" in set_scalar(crlf, "review_due", "2027-01-31")


def test_scalar_is_replaced_in_place() -> None:
    once = set_scalar(HACKED, "review_due", "2027-01-31")
    twice = set_scalar(once, "review_due", "2028-02-01")
    assert twice == once.replace("2027-01-31", "2028-02-01")
    assert set_scalar(HACKED, "title", "A: colon").count('title: "A: colon"') == 1


def test_refuses_what_it_cannot_edit_safely() -> None:
    with pytest.raises(FrontMatterEditError, match="no front matter"):
        add_to_list("just text", "phrasings", ["x"])
    with pytest.raises(FrontMatterEditError, match="not a list"):
        add_to_list(HACKED, "title", ["x"])
    with pytest.raises(FrontMatterEditError, match="line"):
        set_scalar("---\ntitle: [broken\n---\n", "review_due", "2027-01-01")
