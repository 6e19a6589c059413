"""Macro filling: fields, defaults, context, validation, never a silently empty placeholder."""

from __future__ import annotations

import datetime as dt

import pytest

from agent_assist.core.knowledge.macros import (
    MacroContext,
    MacroError,
    fields,
    initial_values,
    placeholders,
    preview,
    problems,
    render,
)
from agent_assist.core.knowledge.models import Macro, MacroField

MACRO = Macro(
    id="refund-approved",
    title="Refund approved",
    fields=(
        MacroField("amount", "Refund amount"),
        MacroField("method", "Paid back to", default="card", choices=("card", "wallet")),
        MacroField("extra", "Extra words", required=False),
    ),
    body="Hi, {{agent_name}} here about #{{ticket_id}}. We refunded {{amount}} to your "
    "{{method}} on {{today}}.{{extra}} Ref {{ref}}.",
)
CONTEXT = MacroContext("Dana", "48213", dt.date(2026, 3, 4))


def test_placeholders_in_order_of_use() -> None:
    assert placeholders(MACRO.body) == [
        "agent_name",
        "ticket_id",
        "amount",
        "method",
        "today",
        "extra",
        "ref",
    ]


def test_fields_prefill_context_and_defaults_and_ask_for_undeclared_ones() -> None:
    specs = {s.name: s for s in fields(MACRO, CONTEXT)}
    assert specs["agent_name"].default == "Dana" and specs["agent_name"].builtin
    assert specs["ticket_id"].default == "48213"
    assert specs["today"].default == "4 March 2026"
    assert specs["method"].default == "card" and specs["method"].choices == ("card", "wallet")
    assert specs["ref"].required and specs["ref"].label == "Ref"
    assert not specs["extra"].required


@pytest.mark.parametrize(
    ("changes", "wrong"),
    [
        ({}, {"amount", "ref"}),
        ({"amount": "5 EUR", "ref": "R1"}, set()),
        ({"amount": "5 EUR", "ref": "R1", "method": "cash"}, {"method"}),
        ({"amount": " ", "ref": "R1", "agent_name": ""}, {"amount", "agent_name"}),
    ],
)
def test_problems(changes: dict[str, str], wrong: set[str]) -> None:
    specs = fields(MACRO, CONTEXT)
    values = initial_values(specs) | changes
    assert set(problems(specs, values)) == wrong


def test_render_refuses_missing_required_fields_and_preview_marks_them() -> None:
    specs = fields(MACRO, CONTEXT)
    values = initial_values(specs)
    with pytest.raises(MacroError, match="Refund amount is required"):
        render(MACRO, specs, values)
    assert "[Refund amount]" in preview(MACRO, specs, values)
    assert "[Extra words]" not in preview(MACRO, specs, values)


def test_render_fills_everything() -> None:
    specs = fields(MACRO, CONTEXT)
    values = initial_values(specs) | {"amount": "5 EUR", "ref": "R1"}
    assert render(MACRO, specs, values) == (
        "Hi, Dana here about #48213. We refunded 5 EUR to your card on 4 March 2026. Ref R1."
    )


def test_missing_context_is_asked_for_not_left_blank() -> None:
    specs = fields(MACRO, MacroContext())
    wrong = problems(specs, initial_values(specs) | {"amount": "1", "ref": "2"})
    assert set(wrong) == {"agent_name", "ticket_id"}
