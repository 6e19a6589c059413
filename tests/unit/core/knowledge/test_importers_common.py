"""What the importers share: placeholder mapping, HTML to Markdown, bounds on the export, and
a pack that is written whole and valid or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_assist.core.knowledge.importers import ConvertError, freshdesk, zammad, zendesk
from agent_assist.core.knowledge.importers import common as importers_common
from agent_assist.core.knowledge.importers.common import load_json, slug
from agent_assist.core.knowledge.importers.placeholders import convert_body
from agent_assist.core.knowledge.models import FIELD_SOURCES
from tests.unit.core.knowledge.importer_helpers import checked, macros, run

REPLY = {"id": 1, "title": "Reply", "actions": [{"field": "comment_value", "value": "Hi"}]}


def reply(text: str) -> dict[str, object]:
    return {"macros": [{**REPLY, "actions": [{"field": "comment_value_html", "value": text}]}]}


@pytest.mark.parametrize("syntax", [zendesk.SYNTAX, freshdesk.SYNTAX, zammad.SYNTAX])
def test_every_mapped_source_is_one_the_pack_format_knows(syntax: object) -> None:
    for target in syntax.known.values():  # type: ignore[attr-defined]
        assert target.source is None or target.source in FIELD_SOURCES


def test_filters_and_liquid_logic_are_reported_not_dropped() -> None:
    body = convert_body(
        "Hi {{ ticket.requester.first_name | capitalize }}{% if ticket.id %}!{% endif %}",
        False,
        zendesk.SYNTAX,
    )
    assert body.text == "Hi {{customer_name}}{% if ticket.id %}!{% endif %}"
    assert body.notes == [
        "filter '| capitalize' of {{ticket.requester.first_name | capitalize}} dropped "
        "(kept {{customer_name}})",
        "Liquid logic kept as plain text, not run: {% if ticket.id %}, {% endif %}",
    ]


def test_the_same_unknown_placeholder_is_one_field_and_names_never_clash() -> None:
    body = convert_body(
        "{{dc.sign}} {{dc.sign}} {{ticket_id}} {{1st}} {{ 日本 }}", False, zendesk.SYNTAX
    )
    assert body.text == "{{dc_sign}} {{dc_sign}} {{ticket_id_2}} {{field_1st}} {{placeholder}}"
    assert list(body.fields) == ["dc_sign", "ticket_id_2", "field_1st", "placeholder"]
    assert len(body.notes) == 4


def test_markdown_escaping_never_touches_placeholders_or_names() -> None:
    body = convert_body(
        "<p>order_id *x* {{ticket.requester.first_name}} {{org_name}}</p>", True, zendesk.SYNTAX
    )
    assert body.text == "order_id *x* {{customer_name}} {{org_name}}"


def test_stray_braces_cannot_read_as_placeholders(tmp_path: Path) -> None:
    report = run(
        "zendesk-macros", reply("<p>{{ unclosed and {{ticket.id}} then }} end</p>"), tmp_path
    )
    assert macros(tmp_path)["reply"].body == "{ { unclosed and {{ticket_id}} then } } end"
    assert any("literal '{{' or '}}'" in str(n) for n in report.notes)


def test_private_use_sentinels_in_the_text_cannot_fake_a_placeholder(tmp_path: Path) -> None:
    run("zendesk-macros", reply("<p>a\ue0000\ue001b {{ticket.id}}</p>"), tmp_path)
    assert macros(tmp_path)["reply"].body == "a0b {{ticket_id}}"


def test_slugs_fold_accents_and_give_up_on_other_scripts() -> None:
    assert slug("Rückerstattung: Café & Co.") == "ruckerstattung-cafe-co"
    assert slug("返金について") == ""
    assert len(slug("word " * 40)) <= 80


def test_a_title_with_no_latin_letters_gets_an_id_from_the_vendor_id(tmp_path: Path) -> None:
    run("zendesk-macros", {"macros": [{**REPLY, "title": "返金について"}]}, tmp_path)
    assert macros(tmp_path)["zendesk-1"].title == "返金について"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"macros": [}', ":1:13: not JSON: Expecting value"),
        (b'\xff{"macros": []}', "not UTF-8 text (bad byte 0xff at offset 0"),
        (b"[" * 200_000 + b"]" * 200_000, "JSON nested too deeply"),
    ],
)
def test_bad_files_are_refused_with_where(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(content)
    with pytest.raises(ConvertError) as caught:
        load_json(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)


def test_a_missing_or_oversized_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConvertError, match="cannot read"):
        load_json(tmp_path / "missing.json")
    monkeypatch.setattr(importers_common, "MAX_INPUT_BYTES", 10)
    (tmp_path / "big.json").write_text("[" + " " * 20 + "]", encoding="utf-8")
    with pytest.raises(ConvertError, match="larger than"):
        load_json(tmp_path / "big.json")


def test_too_many_macros_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importers_common, "MAX_MACROS", 2)
    with pytest.raises(ConvertError, match=r"macros: holds 3 entries \(a pack holds at most 2"):
        run("zendesk-macros", {"macros": [REPLY, REPLY, REPLY]}, tmp_path)


def test_the_pack_is_named_after_its_folder_or_given_name_and_locale(tmp_path: Path) -> None:
    run("zendesk-macros", {"macros": [REPLY]}, tmp_path)
    first = checked(tmp_path).info
    assert first is not None and first.name == "pack"
    run(
        "zendesk-macros", {"macros": [REPLY]}, tmp_path, name="Team Macros", locale="de", force=True
    )
    info = checked(tmp_path).info
    assert info is not None and (info.name, info.locale) == ("team-macros", "de")
    with pytest.raises(ConvertError, match="'x y' is not a locale"):
        run("zendesk-macros", {"macros": [REPLY]}, tmp_path, locale="x y", force=True)


def test_an_existing_pack_is_replaced_only_with_force(tmp_path: Path) -> None:
    run("zendesk-macros", {"macros": [REPLY]}, tmp_path)
    with pytest.raises(ConvertError, match="exists and is not an empty folder"):
        run("zendesk-macros", {"macros": [{**REPLY, "title": "Other"}]}, tmp_path)
    assert set(macros(tmp_path)) == {"reply"}
    run("zendesk-macros", {"macros": [{**REPLY, "title": "Other"}]}, tmp_path, force=True)
    assert set(macros(tmp_path)) == {"other"}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_file_in_the_way_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pack").write_text("x", encoding="utf-8")
    with pytest.raises(ConvertError, match="exists and is not a folder"):
        run("zendesk-macros", {"macros": [REPLY]}, tmp_path, force=True)


def test_a_reply_too_large_for_a_pack_file_is_skipped(tmp_path: Path) -> None:
    big = {**REPLY, "actions": [{"field": "comment_value", "value": "word " * 60_000}]}
    report = run(
        "zendesk-macros", {"macros": [big, {**REPLY, "id": 2, "title": "Small"}]}, tmp_path
    )
    assert set(macros(tmp_path)) == {"small"}
    assert ["converted macro is over 256 KiB" in str(n) for n in report.skipped] == [True]
