"""Pack validation as a table: each bad pack names the file, line and field of its problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_assist.core.knowledge.checks import validate_pack
from agent_assist.core.knowledge.models import Kind, Sop
from agent_assist.core.knowledge.problems import Severity
from tests.packs import GOOD_FILES, write_pack


def sop(front: str, body: str = "") -> str:
    return f"---\n{front}---\n{body}"


def test_good_pack_is_valid_and_fully_read(tmp_path: Path) -> None:
    pack = validate_pack(write_pack(tmp_path, GOOD_FILES))
    assert pack.errors == []
    assert pack.warnings == []
    refund = next(i.content for i in pack.items if i.content.id == "coin-refund")
    assert isinstance(refund, Sop)
    assert [s.id for s in refund.steps] == ["find", "where", "store", "refund", "note"]
    assert refund.steps[1].choices[1].next == "refund"
    assert refund.steps[4].required is False
    assert refund.deadline is not None and refund.deadline.business
    assert str(refund.review_due) == "2027-01-31"
    assert len(pack.of_kind(Kind.MACRO)) == 1


def test_minimal_sop_is_valid(tmp_path: Path) -> None:
    pack = validate_pack(write_pack(tmp_path, {"sops/a.md": sop("id: a\ntitle: A\n")}))
    assert pack.errors == []


# (file text, file, line, field, words expected in the message)
CASES = [
    ("id: a\n", "sops/x.md", 2, "title", "required"),
    ("title: T\n", "sops/x.md", 2, "id", "required"),
    ("id: Bad_Id\ntitle: T\n", "sops/x.md", 2, "id", "not a valid id"),
    ("id: a\ntitle: T\ntitel: oops\n", "sops/x.md", 4, "titel", "did you mean 'title'"),
    ("id: a\ntitle: T\nreview_due: 2026-02-30\n", "sops/x.md", 4, "review_due", "valid date"),
    ("id: a\ntitle: T\nrequires_ack: yes please\n", "sops/x.md", 4, "requires_ack", "true or"),
    ("id: a\ntitle: T\ntags: payments\n", "sops/x.md", 4, "tags", "expected a list"),
    ("id: a\ntitle: T\nmacros: [ghost]\n", "sops/x.md", 4, "macros[0]", "unknown macro 'ghost'"),
    ("id: a\ntitle: T\ndeadline: {days: 0}\n", "sops/x.md", 4, "deadline.days", "1 to 3650"),
    (
        "id: a\ntitle: T\ndeadline: {days: 3, business_days: 2}\n",
        "sops/x.md",
        4,
        "deadline",
        "exactly one",
    ),
    (
        "id: a\ntitle: T\nsteps:\n  - id: s1\n    text: x\n    choices:\n      - {label: y, next: "
        "nowhere}\n",
        "sops/x.md",
        8,
        "steps[0].choices[0].next",
        "unknown step 'nowhere'",
    ),
    (
        "id: a\ntitle: T\nsteps:\n  - id: s1\n    text: x\n  - id: s1\n    text: y\n",
        "sops/x.md",
        7,
        "steps[1].id",
        "duplicate step id",
    ),
    (
        "id: a\ntitle: T\nsteps:\n  - id: s1\n    text: x\n    choices:\n      - {label: again, "
        "next: s1}\n",
        "sops/x.md",
        5,
        "steps[0]",
        "never reach 'end'",
    ),
    (
        "id: a\ntitle: T\nsteps:\n  - id: end\n    text: x\n",
        "sops/x.md",
        5,
        "steps[0].id",
        "reserved",
    ),
    (
        "id: a\ntitle: T\nsteps:\n  - id: s1\n    text: x\n    macro: ghost\n",
        "sops/x.md",
        7,
        "steps[0].macro",
        "unknown macro",
    ),
    ("id: a\ntitle: [unclosed\n", "sops/x.md", 3, "", "invalid YAML"),
    ("id: a\nid: b\ntitle: T\n", "sops/x.md", 3, "id", "given twice"),
    ("- just\n- a list\n", "sops/x.md", 2, "", "mapping"),
]


@pytest.mark.parametrize(("front", "file", "line", "field", "words"), CASES)
def test_sop_problem_is_located(
    tmp_path: Path, front: str, file: str, line: int, field: str, words: str
) -> None:
    pack = validate_pack(write_pack(tmp_path, {file: sop(front)}))
    matching = [p for p in pack.errors if p.field == field and words in p.message]
    assert matching, f"no error on {field!r} with {words!r}; got {[str(p) for p in pack.errors]}"
    assert matching[0].file == file
    assert matching[0].line == line


MACRO_CASES = [
    ("id: m\ntitle: M\n", "Hi {{name}}\n", 5, "body", "placeholder 'name' is not declared"),
    ("id: m\ntitle: M\n", "Hi\n\n{{ Bad Name }}\n", 7, "body", "not a valid placeholder"),
    (
        "id: m\ntitle: M\nfields:\n  size: {default: XL, choices: [S, M]}\n",
        "{{size}}\n",
        5,
        "fields.size.default",
        "not one of the choices",
    ),
    ("id: m\ntitle: M\nfields:\n  Size: {}\n", "x\n", 5, "fields.Size", "placeholder name"),
]


@pytest.mark.parametrize(("front", "body", "line", "field", "words"), MACRO_CASES)
def test_macro_problem_is_located(
    tmp_path: Path, front: str, body: str, line: int, field: str, words: str
) -> None:
    pack = validate_pack(write_pack(tmp_path, {"macros/m.md": sop(front, body)}))
    matching = [p for p in pack.errors if p.field == field and words in p.message]
    assert matching, [str(p) for p in pack.problems]
    assert matching[0].line == line


def test_builtin_placeholders_need_no_declaration(tmp_path: Path) -> None:
    text = sop("id: m\ntitle: M\n", "{{agent_name}} {{ticket_id}} {{today}}\n")
    assert validate_pack(write_pack(tmp_path, {"macros/m.md": text})).errors == []


def test_unused_field_and_unreachable_step_are_warnings(tmp_path: Path) -> None:
    files = {
        "macros/m.md": sop("id: m\ntitle: M\nfields:\n  spare: {}\n", "no placeholders\n"),
        "sops/s.md": sop(
            "id: s\ntitle: S\nsteps:\n  - id: a\n    text: x\n    choices:\n"
            "      - {label: done, next: end}\n  - id: orphan\n    text: y\n"
        ),
    }
    pack = validate_pack(write_pack(tmp_path, files))
    assert pack.errors == []
    assert {p.field for p in pack.warnings} == {"fields.spare", "steps[1].id"}
    assert all(p.severity is Severity.WARNING for p in pack.warnings)


def test_file_level_problems(tmp_path: Path) -> None:
    root = write_pack(tmp_path, {"sops/ok.md": sop("id: ok\ntitle: OK\n")})
    (root / "sops" / "latin1.md").write_bytes(b"---\nid: x\ntitle: caf\xe9\n---\n")
    (root / "sops" / "huge.md").write_text("---\nid: h\ntitle: H\n---\n" + "x" * 300_000)
    (root / "sops" / "plain.md").write_text("no front matter here\n")
    (root / "sops" / "dup.md").write_text(sop("id: ok\ntitle: Again\n"))
    errors = validate_pack(root).errors
    problems = {p.file: p for p in errors}
    assert "not UTF-8" in problems["sops/latin1.md"].message
    assert problems["sops/latin1.md"].line == 3
    assert "at most" in problems["sops/huge.md"].message
    assert "no front matter" in problems["sops/plain.md"].message
    assert any("duplicate sop id 'ok'" in p.message for p in errors)


def test_missing_pack_yaml_and_bad_name(tmp_path: Path) -> None:
    (tmp_path / "sops").mkdir()
    assert "missing" in validate_pack(tmp_path).errors[0].message
    write_pack(tmp_path, {"pack.yaml": "name: Not Valid\nformat: 2\n"})
    messages = " | ".join(p.message for p in validate_pack(tmp_path).errors)
    assert "not a valid pack name" in messages and "unsupported format" in messages


def test_all_problems_reported_in_one_run(tmp_path: Path) -> None:
    files = {f"sops/s{n}.md": sop(f"id: s{n}\n") for n in range(5)}
    pack = validate_pack(write_pack(tmp_path, files))
    assert sorted(p.file for p in pack.errors) == sorted(files)


def test_demo_pack_is_valid() -> None:
    from agent_assist.resources import demo_pack

    pack = validate_pack(demo_pack())
    assert pack.errors == [], [str(p) for p in pack.errors]
    assert pack.warnings == [], [str(p) for p in pack.warnings]
    sops = [i.content for i in pack.of_kind(Kind.SOP)]
    assert len(sops) >= 40
    assert len(pack.of_kind(Kind.MACRO)) >= 40
    assert all(isinstance(s, Sop) and len(s.phrasings) >= 5 for s in sops)
    assert sum(1 for s in sops if isinstance(s, Sop) and any(st.choices for st in s.steps)) >= 15
