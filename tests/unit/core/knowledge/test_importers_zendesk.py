"""Zendesk macros -> pack, on ``tests/fixtures/importers/zendesk-macros.json``.

The fixture follows https://developer.zendesk.com/api-reference/ticketing/business-rules/macros/
(its "Close and redirect to topics" example) and the actions reference,
https://developer.zendesk.com/documentation/ticketing/reference-guides/actions-reference/
(``comment_value`` as text or as ``["channel:all", "text"]``, ``comment_value_html``,
``comment_mode_is_public``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent_assist.core.knowledge.importers import ConvertError
from tests.unit.core.knowledge.importer_helpers import (
    FIXTURES,
    macros,
    notes,
    run,
    source_text,
)

FIXTURE = FIXTURES / "zendesk-macros.json"


def macro(actions: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"id": 7, "title": "Reply", "active": True, "actions": actions, **extra}


def test_documented_export_becomes_a_valid_pack(tmp_path: Path) -> None:
    report = run("zendesk-macros", FIXTURE, tmp_path)
    got = macros(tmp_path)
    assert report.written == 5 and set(got) == {
        "close-and-redirect-to-topics",
        "billing-refunds-approved",
        "password-reset-steps",
        "note-verified-by-phone",
        "zendesk-macro-360111062759",
    }
    assert got["close-and-redirect-to-topics"].body == (
        "Thanks for your request. This issue you reported is a known issue. For more "
        "information, please visit our forums."
    )
    skipped = [str(n) for n in report.skipped]
    assert skipped == [
        'macros[4] ("Old shipping policy"): inactive in Zendesk (use --include-inactive to '
        "convert it)",
        'macros[6] ("Set pending"): no reply text after conversion',
    ]


def test_placeholders_are_mapped_and_the_first_name_comes_from_the_ticket(
    tmp_path: Path,
) -> None:
    run("zendesk-macros", FIXTURE, tmp_path)
    refund = macros(tmp_path)["billing-refunds-approved"]
    assert refund.body == (
        "Hi {{customer_name}},\n\nYour refund for ticket #{{ticket_id}} is on its way.\n\n"
        "{{agent_name}}"
    )
    (field,) = refund.fields
    assert (field.name, field.label, field.source) == (
        "customer_name",
        "Customer first name",
        "requester.first_name",
    )


def test_html_becomes_markdown_and_an_unknown_placeholder_stays_as_a_field(
    tmp_path: Path,
) -> None:
    report = run("zendesk-macros", FIXTURE, tmp_path)
    reset = macros(tmp_path)["password-reset-steps"]
    assert reset.body == (
        "Hello {{customer_full_name}},\n\nTo reset your password:\n\n"
        "1. Open [the reset page](https://example.com/reset)\n2. Enter **your e-mail**\n\n"
        "Your account manager at {{ticket_organization_name}} can help too.\n\n"
        "Kind regards,\n{{agent_first_name}}"
    )
    assert {f.name: f.label for f in reset.fields}["ticket_organization_name"] == (
        "ticket.organization.name (Zendesk placeholder)"
    )
    assert (
        'macros[2] ("Password reset steps"): {{ticket.organization.name}} has no equivalent '
        "in a pack: kept as field 'ticket_organization_name' for the agent to fill"
    ) in notes(report)


def test_restrictions_nesting_and_note_mode_become_tags(tmp_path: Path) -> None:
    run("zendesk-macros", FIXTURE, tmp_path)
    got = macros(tmp_path)
    assert got["billing-refunds-approved"].tags == (
        "zendesk",
        "billing",
        "refunds",
        "zendesk-group-360000000001",
        "zendesk-group-360000000002",
    )
    assert got["password-reset-steps"].tags == ("zendesk", "zendesk-personal")
    assert got["note-verified-by-phone"].tags == ("zendesk", "internal-note")


def test_other_actions_are_kept_as_a_comment_and_reported(tmp_path: Path) -> None:
    report = run("zendesk-macros", FIXTURE, tmp_path)
    dropped = "status=solved, priority=normal, type=incident, assignee_id=current_user"
    assert f"# actions not carried over: {dropped}" in source_text(
        tmp_path, "close-and-redirect-to-topics"
    )
    assert any(n.startswith("macros[0]") and dropped in n for n in notes(report))


def test_a_macro_without_title_is_named_after_its_id(tmp_path: Path) -> None:
    report = run("zendesk-macros", FIXTURE, tmp_path)
    assert macros(tmp_path)["zendesk-macro-360111062759"].title == "Zendesk macro 360111062759"
    assert any("no title: named 'Zendesk macro 360111062759'" in n for n in notes(report))


def test_inactive_macros_are_kept_on_request_and_tagged(tmp_path: Path) -> None:
    report = run("zendesk-macros", FIXTURE, tmp_path, include_inactive=True)
    assert report.written == 6
    assert macros(tmp_path)["old-shipping-policy"].tags == ("zendesk", "inactive")


@pytest.mark.parametrize(
    "value",
    ["Hi {{ticket.requester.first_name}}", ["channel:all", "Hi {{ticket.requester.first_name}}"]],
)
def test_comment_value_as_text_or_as_a_channel_list(tmp_path: Path, value: Any) -> None:
    run(
        "zendesk-macros",
        {"macros": [macro([{"field": "comment_value", "value": value}])]},
        tmp_path,
    )
    assert macros(tmp_path)["reply"].body == "Hi {{customer_name}}"


def test_same_titles_get_ids_from_their_zendesk_ids(tmp_path: Path) -> None:
    reply = [{"field": "comment_value", "value": "x"}]
    run("zendesk-macros", [macro(reply, id=1), macro(reply, id=2), macro(reply, id=None)], tmp_path)
    assert set(macros(tmp_path)) == {"reply", "reply-2", "reply-3"}


def test_more_pages_are_reported(tmp_path: Path) -> None:
    export = {
        "macros": [macro([{"field": "comment_value", "value": "x"}])],
        "next_page": "https://example.zendesk.com/api/v2/macros.json?page=2",
    }
    report = run("zendesk-macros", export, tmp_path)
    assert notes(report)[0].startswith("next_page: the export has more pages")


@pytest.mark.parametrize(
    ("export", "message"),
    [
        ({"tickets": []}, "expected a Zendesk macros export"),
        ("macros", 'expected a Zendesk macros export ({"macros": [...]} as GET /api/v2/macros'),
        ({"macros": {"id": 1}}, ": macros: expected a list, got an object"),
        ({"macros": [3]}, ": macros[0]: expected an object, got a number"),
        ({"macros": [{"title": 5}]}, ": macros[0].title: expected text, got a number"),
        ({"macros": [macro([{"value": "x"}])]}, ": macros[0].actions[0].field: is missing"),
        (
            {"macros": [macro([{"field": "comment_value", "value": 5}])]},
            ": macros[0].actions[0].value: expected text or a list of text",
        ),
        (
            {"macros": [macro([{"field": "comment_value_html", "value": ["<p>"]}])]},
            ": macros[0].actions[0].value: expected HTML text, got a list",
        ),
        ({"macros": [macro([], active="yes")]}, ": macros[0].active: expected true or false"),
    ],
)
def test_wrong_shapes_name_the_file_and_json_path(
    tmp_path: Path, export: Any, message: str
) -> None:
    with pytest.raises(ConvertError) as caught:
        run("zendesk-macros", export, tmp_path)
    assert str(caught.value).startswith(str(tmp_path / "export.json"))
    assert message in str(caught.value)
    assert not (tmp_path / "pack").exists()
