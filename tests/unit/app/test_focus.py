"""Which ticket a window title shows (app/focus.py): each tool's patterns, the browser's
suffix, titles that must switch nothing, the subject fallback and the setting's pattern."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent_assist.app.focus import (
    MAX_TITLE,
    PATTERNS,
    FocusPatternError,
    OpenTicket,
    custom_pattern,
    ticket_in_title,
)
from agent_assist.connectors.registry import TOOLS

CASES = [
    ("zendesk", "Ticket #1234 – Zendesk", "1234"),
    ("zendesk", "Refund for coins – Ticket #1234 – Zendesk - Google Chrome", "1234"),
    ("zendesk", "#77 Charged twice - Zendesk Agent Workspace — Mozilla Firefox", "77"),
    ("zendesk", "Ticket #1234 – Slack", None),  # not the tool's page
    ("zendesk", "Zendesk - Views", None),
    ("rt", "#123: Charged twice — Mozilla Firefox", "123"),
    ("rt", "#123: Charged twice", "123"),
    ("rt", "Re: #123: Charged twice - Thunderbird", None),  # a mail about it, not the page
    ("rt", "#general: team chat", None),
    ("rt", "RT at a glance", None),
    ("freshdesk", "#45 Refund request : Freshdesk - Google Chrome", "45"),
    ("freshdesk", "[#45] Refund request - Freshdesk", "45"),
    ("freshdesk", "Freshdesk | #45 Refund request", "45"),
    ("freshdesk", "Refund request - Freshdesk", None),
    ("zammad", "Charged twice for the same order - Zammad", None),  # by subject only
    ("rt", "", None),
    ("rt", "   ", None),
]


@pytest.mark.parametrize(("tool", "title", "expected"), CASES)
def test_ticket_in_title(tool: str, title: str, expected: str | None) -> None:
    assert ticket_in_title(tool, title) == expected


def test_every_tool_has_its_patterns() -> None:
    assert set(PATTERNS) == set(TOOLS)


MINE = [
    OpenTicket("5", "Charged twice for the same order"),
    OpenTicket("6", "Cannot log in after password reset"),
    OpenTicket("7", "Help"),  # too short to identify anything
]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Charged twice for the same order - Zammad — Mozilla Firefox", "5"),
        ("zammad: CANNOT LOG IN   after password reset", "6"),
        ("Help - Zammad", None),
        ("Inbox - Zammad", None),
    ],
)
def test_a_title_holding_one_subject_names_that_ticket(title: str, expected: str | None) -> None:
    assert ticket_in_title("zammad", title, MINE) == expected


def test_two_tickets_with_the_title_subject_name_none() -> None:
    twins = [OpenTicket("1", "Charged twice again"), OpenTicket("2", "Charged twice again")]
    assert ticket_in_title("zammad", "Charged twice again - Zammad", twins) is None


def test_an_id_in_the_title_wins_over_subjects() -> None:
    assert ticket_in_title("rt", "#9: Charged twice for the same order", MINE) == "9"


def test_the_setting_pattern_replaces_the_tools_own() -> None:
    pattern = custom_pattern(r"\[Ticket#(\d+)\]")
    assert pattern is not None
    assert (
        ticket_in_title("zammad", "[Ticket#31001] Charged twice - Zammad", (), pattern) == "31001"
    )
    assert ticket_in_title("rt", "#123: subject", (), pattern) is None


@pytest.mark.parametrize(
    ("text", "why"), [("#(\\d+", "not a regular expression"), ("#\\d+", "needs a group")]
)
def test_a_broken_setting_pattern_says_why(text: str, why: str) -> None:
    with pytest.raises(FocusPatternError, match=why):
        custom_pattern(text)


def test_an_empty_setting_pattern_means_the_tools_own() -> None:
    assert custom_pattern("  ") is None


def test_a_pattern_group_that_is_not_a_number_names_nothing() -> None:
    assert ticket_in_title("rt", "ticket abc", (), re.compile(r"ticket (\w+)")) is None


def test_only_the_head_of_a_huge_title_is_read() -> None:
    title = "x" * MAX_TITLE + " #12: late"
    assert ticket_in_title("rt", "#12: " + "x" * 10 * MAX_TITLE) == "12"
    assert ticket_in_title("rt", title) is None


@given(st.text(max_size=300), st.sampled_from(sorted(TOOLS)))
def test_no_title_crashes_the_matcher(title: str, tool: str) -> None:
    found = ticket_in_title(tool, title, MINE)
    assert found is None or found.isdigit()
