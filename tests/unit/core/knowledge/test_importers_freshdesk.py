"""Freshdesk canned responses -> pack, on ``tests/fixtures/importers/freshdesk-*.json``.

The fixtures follow https://developers.freshdesk.com/api/#canned-responses: the list of
``GET /api/v2/canned_response_folders/{id}/responses`` (``id``, ``title``, ``folder_id``,
``content``, ``content_html``, ``attachments``) and folders holding ``canned_responses``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent_assist.core.knowledge.importers import ConvertError
from tests.unit.core.knowledge.importer_helpers import FIXTURES, macros, notes, run, source_text


def test_documented_responses_become_a_valid_pack(tmp_path: Path) -> None:
    report = run("freshdesk-canned", FIXTURES / "freshdesk-canned.json", tmp_path)
    got = macros(tmp_path)
    assert report.written == 3 and report.skipped == []
    received = got["weve-received-your-request"]
    assert received.body == (
        "Thank you for reaching out to us. Our team will look into your request and get back "
        "to you shortly.\n\nYou can check the status of your request and add comments here:\n\n"
        "{{ticket_url}}\n\nRegards,\n{{agent_name}}"
    )
    assert [f.name for f in received.fields] == ["ticket_url"]
    assert received.tags == ("freshdesk", "freshdesk-folder-82000010465")


def test_plain_content_is_used_when_there_is_no_html(tmp_path: Path) -> None:
    run("freshdesk-canned", FIXTURES / "freshdesk-canned.json", tmp_path)
    refund = macros(tmp_path)["refund-approved"]
    assert refund.body == (
        "Hi {{customer_full_name}}, your refund for ticket {{ticket_id}} is approved."
    )
    assert [(f.name, f.source) for f in refund.fields] == [("customer_full_name", "requester.name")]


def test_attachments_are_reported_and_kept_as_a_comment(tmp_path: Path) -> None:
    report = run("freshdesk-canned", FIXTURES / "freshdesk-canned.json", tmp_path)
    assert '[0] ("Canned Response title 1"): attachments not carried over: attachment_cr_1' in (
        notes(report)
    )
    assert "# attachments not carried over: attachment_cr_1" in source_text(
        tmp_path, "canned-response-title-1"
    )


def test_folders_name_their_responses_and_a_listing_without_content_is_skipped(
    tmp_path: Path,
) -> None:
    report = run("freshdesk-canned", FIXTURES / "freshdesk-folders.json", tmp_path)
    got = macros(tmp_path)
    assert set(got) == {"sample-canned-response", "sample-canned-response-35000093983"}
    second = got["sample-canned-response-35000093983"]
    assert second.tags == ("freshdesk", "billing-refunds", "freshdesk-group-7", "freshdesk-group-8")
    assert second.body == "Hi {{customer_name}},\na second reply with the same title"
    (skipped,) = report.skipped
    assert str(skipped).startswith('[1].canned_responses[0] ("Only listed"): no content_html')


def test_one_response_or_one_folder_is_accepted(tmp_path: Path) -> None:
    one = {
        "id": 9,
        "title": "Hello",
        "content_html": "<div>Hi {{ticket.requester.firstname}}</div>",
    }
    run("freshdesk-canned", one, tmp_path / "a")
    run(
        "freshdesk-canned",
        {"id": 1, "name": "Greetings", "canned_responses": [one]},
        tmp_path / "b",
    )
    assert macros(tmp_path / "a")["hello"].body == "Hi {{customer_name}}"
    assert macros(tmp_path / "b")["hello"].tags == ("freshdesk", "greetings")


@pytest.mark.parametrize(
    ("export", "message"),
    [
        ("responses", "expected Freshdesk canned responses"),
        ({"id": 4, "name": "x"}, "got an object without 'canned_responses'"),
        ([{"title": ["a"], "content": "x"}], ": [0].title: expected text, got a list"),
        ([{"title": "a", "content_html": 3}], ": [0].content_html: expected text, got a number"),
        ([{"name": "f", "canned_responses": "x"}], ": [0].canned_responses: expected a list"),
        ([{"title": "a", "content": "x", "group_ids": [True]}], ": [0].group_ids[0]: expected"),
    ],
)
def test_wrong_shapes_name_the_file_and_json_path(
    tmp_path: Path, export: Any, message: str
) -> None:
    with pytest.raises(ConvertError) as caught:
        run("freshdesk-canned", export, tmp_path)
    assert message in str(caught.value) and str(tmp_path / "export.json") in str(caught.value)
