"""Zammad text modules -> pack, on ``tests/fixtures/importers/zammad-text-modules.json``.

The fixture follows Zammad's text module model (``name``, ``keywords``, ``content``, ``note``,
``active``, ``group_ids``; ``groups`` with ``?expand=true``) and its ``#{object.attribute}``
variables, https://admin-docs.zammad.org/en/latest/misc/variables.html.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent_assist.core.knowledge.importers import ConvertError
from tests.unit.core.knowledge.importer_helpers import FIXTURES, macros, notes, run

FIXTURE = FIXTURES / "zammad-text-modules.json"


def test_text_modules_become_a_valid_pack(tmp_path: Path) -> None:
    report = run("zammad-text-modules", FIXTURE, tmp_path)
    got = macros(tmp_path)
    assert set(got) == {"greeting", "signature", "ruckerstattung-genehmigt"}
    assert got["greeting"].body == (
        "Hello {{customer_name}},\n\nthank you for your message about ticket {{ticket_id}}."
    )
    assert got["greeting"].fields[0].source == "requester.first_name"
    (skipped,) = report.skipped
    assert "Old holiday notice" in str(skipped) and "inactive in Zammad" in str(skipped)


def test_each_div_is_a_line_and_unknown_variables_become_fields(tmp_path: Path) -> None:
    report = run("zammad-text-modules", FIXTURE, tmp_path)
    signature = macros(tmp_path)["signature"]
    assert signature.body == (
        "Best regards,\n{{agent_first_name}} {{agent_last_name}}\nSupport at {{config_fqdn}}"
    )
    assert notes(report) == [
        '[1] ("Signature"): #{config.fqdn} has no equivalent in a pack: kept as field '
        "'config_fqdn' for the agent to fill"
    ]


def test_keywords_and_groups_become_tags(tmp_path: Path) -> None:
    run("zammad-text-modules", FIXTURE, tmp_path)
    got = macros(tmp_path)
    assert got["greeting"].tags == ("zammad", "hello", "greeting", "zammad-group-1")
    assert got["signature"].tags == ("zammad", "sig", "closing")
    assert got["ruckerstattung-genehmigt"].tags == ("zammad", "refund", "billing", "2nd-level")
    assert got["ruckerstattung-genehmigt"].title == "Rückerstattung genehmigt"


def test_plain_text_is_not_read_as_html(tmp_path: Path) -> None:
    module = {"id": 5, "name": "Codes", "content": "Use code_a or *b* <3 #{ticket.number}"}
    run("zammad-text-modules", [module], tmp_path)
    assert macros(tmp_path)["codes"].body == "Use code_a or *b* <3 {{ticket_id}}"


@pytest.mark.parametrize(
    ("export", "message"),
    [
        ({"text_modules": []}, "expected Zammad text modules (the list GET /api/v1/text_modules"),
        ([{"name": "a", "content": "x", "group_ids": "1"}], ": [0].group_ids: expected a list"),
        ([{"name": "a", "content": 1}], ": [0].content: expected text, got a number"),
        ([{"name": "a", "content": "x", "groups": [1]}], ": [0].groups[0]: expected text"),
    ],
)
def test_wrong_shapes_name_the_file_and_json_path(
    tmp_path: Path, export: Any, message: str
) -> None:
    with pytest.raises(ConvertError) as caught:
        run("zammad-text-modules", export, tmp_path)
    assert message in str(caught.value) and str(tmp_path / "export.json") in str(caught.value)
