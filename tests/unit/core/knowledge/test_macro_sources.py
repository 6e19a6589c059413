"""A macro field's ``source``: read, checked, kept through the cache's JSON, used by the demo."""

from __future__ import annotations

from pathlib import Path

from agent_assist.core.knowledge.models import Macro
from agent_assist.core.knowledge.reader import read_pack
from agent_assist.resources import demo_pack
from tests.conftest import write_pack

PACK = "name: p\nversion: '1'\nlocale: en\n"
MACRO = """---
id: hello
title: Hello
fields:
  customer_name: {{required: false, default: there, source: {source}}}
---
Hi {{{{customer_name}}}}, {{{{agent_name}}}}
"""


def macro_of(tmp_path: Path, source: str) -> tuple[Macro | None, list[str]]:
    root = write_pack(tmp_path, {"pack.yaml": PACK, "macros/hello.md": MACRO.format(source=source)})
    pack = read_pack(root)
    macros = [i.content for i in pack.items if isinstance(i.content, Macro)]
    return (macros[0] if macros else None), [str(p) for p in pack.problems]


def test_a_known_source_is_read_and_survives_the_cache_json(tmp_path: Path) -> None:
    macro, problems = macro_of(tmp_path, "requester.first_name")
    assert problems == [] and macro is not None
    assert macro.fields[0].source == "requester.first_name"
    assert Macro.from_json(macro.to_json()) == macro


def test_an_unknown_source_is_an_error_naming_the_choices(tmp_path: Path) -> None:
    _, problems = macro_of(tmp_path, "requester.shoe_size")
    assert len(problems) == 1
    assert (
        "'requester.shoe_size' is not a source (expected one of requester.first_name"
        in (problems[0])
    )


def test_the_demo_packs_customer_names_come_from_the_requester() -> None:
    pack = read_pack(demo_pack())
    names = [
        f
        for item in pack.items
        if isinstance(item.content, Macro)
        for f in item.content.fields
        if f.name == "customer_name"
    ]
    assert len(names) >= 70
    assert {f.source for f in names} == {"requester.first_name"}
