"""Validation errors name the field the way a client wrote it."""

from __future__ import annotations

import pytest

from agent_assist.hub.errors import _describe


@pytest.mark.parametrize(
    ("error", "text"),
    [
        ({"loc": ("body", "events", 0, "type"), "msg": "bad"}, "events[0].type: bad"),
        ({"loc": ("query", "since"), "msg": "too big"}, "since: too big"),
        ({"loc": ("body",), "msg": "Field required"}, "body: Field required"),
        ({"loc": ("body", "x"), "msg": "Value error, no"}, "x: no"),
        (
            {"loc": ("body", 3), "msg": "", "type": "json_invalid", "ctx": {"error": "Expecting"}},
            "body: not valid JSON (Expecting at character 3)",
        ),
    ],
)
def test_messages_name_the_field(error: dict[str, object], text: str) -> None:
    assert _describe(error) == text
