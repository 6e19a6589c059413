"""Server-side charts draw one mark per value and carry their table; the overview period
and the sign-in redirect refuse what they must."""

from __future__ import annotations

import datetime as dt

import pytest

from agent_assist.core.errors import AgentAssistError
from agent_assist.hub.console import charts
from agent_assist.hub.console.auth_pages import safe_next
from agent_assist.hub.console.pages import fmt_seconds
from agent_assist.hub.overview import Period


def test_bar_chart_one_rect_per_present_value_and_a_table() -> None:
    chart = charts.bar_chart(
        ["a", "b <script>"],
        [("median", [10.0, None]), ("p90", [20.0, 30.0])],
        label="steps",
        fmt=fmt_seconds,
        links=["/console/sops/a", "/console/sops/b"],
    )
    assert chart.svg.count('<rect class="bar') == 3
    assert "<script>" not in chart.svg and "&lt;script&gt;" in chart.svg
    assert chart.columns == ["Item", "median", "p90"]
    assert [row[1:] for row in chart.rows] == [["10 s", "20 s"], ["–", "30 s"]]


def test_line_and_column_charts_skip_empty_days() -> None:
    line = charts.line_chart(["d1", "d2", "d3"], [5.0, None, 7.0], label="m", fmt=str)
    assert line.svg.count('<circle class="point"') == 2 and "<polyline" in line.svg
    column = charts.column_chart(["d1", "d2"], [0.0, 4.0], label="n", fmt=str)
    assert column.svg.count('<rect class="bar') == 1 and len(column.rows) == 2


def test_nice_axis_ends() -> None:
    assert charts.nice_seconds(500) == 600  # 8.3 min -> 10 min
    assert charts.nice_seconds(45) == 50
    assert charts._nice_max(0) == 1.0


def test_period_bounds() -> None:
    assert len(Period.ending(dt.date(2026, 3, 31), 7).days) == 7
    assert Period.parse("2026-01-01", "2026-01-01").days == [dt.date(2026, 1, 1)]
    for first, last in (("2026-02-01", "2026-01-01"), ("2020-01-01", "2026-01-01"), ("x", "y")):
        with pytest.raises(AgentAssistError):
            Period.parse(first, last)
    with pytest.raises(AgentAssistError):
        Period.parse("9999-12-31", "9999-12-31")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/console/sops/x?days=30", "/console/sops/x?days=30"),
        ("https://evil.example/console", "/console"),
        ("//evil.example/console", "/console"),
        ("/console\\@evil", "/console"),
        ("/v1/tokens", "/console"),
    ],
)
def test_sign_in_goes_only_to_console_pages(target: str, expected: str) -> None:
    assert safe_next(target) == expected
