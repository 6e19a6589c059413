"""Checks that span items of a pack: unique ids, references, checklist paths, placeholders."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from agent_assist.core.knowledge.fieldreader import FieldReader
from agent_assist.core.knowledge.models import BUILTIN_PLACEHOLDERS, END, Kind, Macro, Sop
from agent_assist.core.knowledge.problems import Problem, Severity, excerpt
from agent_assist.core.knowledge.reader import LoadedItem, LoadedPack, read_pack
from agent_assist.core.knowledge.yamlsource import split_front_matter

NAME_RE = re.compile(r"[a-z_][a-z0-9_]*\Z")


def validate_pack(root: Path) -> LoadedPack:
    """Read and fully check the pack at ``root``; problems sorted errors first."""
    pack = read_pack(root)
    check_pack(pack)
    pack.problems.sort(key=lambda p: (p.severity is not Severity.ERROR, p.file, p.line, p.field))
    return pack


def check_pack(pack: LoadedPack) -> None:
    macro_ids = _unique_ids(pack, Kind.MACRO)
    _unique_ids(pack, Kind.SOP)
    for item in pack.items:
        fr = FieldReader(item.doc, item.source.path, pack.problems, report_duplicates=False)
        if isinstance(item.content, Sop):
            _check_sop(item.content, fr, macro_ids)
        else:
            _check_macro(item, fr)


def _unique_ids(pack: LoadedPack, kind: Kind) -> set[str]:
    first: dict[str, str] = {}
    for item in pack.of_kind(kind):
        cid = item.content.id
        if not cid:
            continue
        if cid in first:
            pack.problems.append(
                Problem(
                    item.source.path,
                    item.doc.line(("id",)),
                    "id",
                    f"duplicate {kind.value} id '{cid}' (already used by "
                    f"{first[cid]}; expected ids to be unique)",
                )
            )
        else:
            first[cid] = item.source.path
    return set(first)


def _check_sop(sop: Sop, fr: FieldReader, macro_ids: set[str]) -> None:
    for i, mid in enumerate(sop.macros):
        if mid not in macro_ids:
            fr.error(
                ("macros", i),
                f"unknown macro '{mid}' (expected the id of a macro in this pack's macros/ folder)",
            )
    ids: dict[str, int] = {}
    all_ids = {s.id for s in sop.steps if s.id}
    known = excerpt(", ".join([*sorted(all_ids), END]), 200)
    for i, step in enumerate(sop.steps):
        if not step.id:
            continue
        if step.id == END:
            fr.error(
                ("steps", i, "id"),
                "'end' is reserved for finishing the checklist (choose another step id)",
            )
        elif step.id in ids:
            fr.error(
                ("steps", i, "id"),
                f"duplicate step id '{step.id}' (already step "
                f"{ids[step.id] + 1}; expected unique step ids)",
            )
        else:
            ids[step.id] = i
        if step.macro and step.macro not in macro_ids:
            fr.error(
                ("steps", i, "macro"),
                f"unknown macro '{step.macro}' (expected the id "
                "of a macro in this pack's macros/ folder)",
            )
        labels: set[str] = set()
        for j, choice in enumerate(step.choices):
            if choice.label and choice.label in labels:
                fr.error(
                    ("steps", i, "choices", j, "label"),
                    f"duplicate choice '{excerpt(choice.label)}' (expected unique labels)",
                )
            labels.add(choice.label)
            if choice.next and choice.next != END and choice.next not in all_ids:
                fr.error(
                    ("steps", i, "choices", j, "next"),
                    f"unknown step '{excerpt(choice.next)}' (expected one of: {known})",
                )
    _check_paths(sop, fr)


def _successors(sop: Sop) -> dict[str, list[str]]:
    ids = {s.id for s in sop.steps}
    graph: dict[str, list[str]] = {}
    for i, step in enumerate(sop.steps):
        if step.choices:
            graph[step.id] = [c.next for c in step.choices if c.next == END or c.next in ids]
        else:
            graph[step.id] = [sop.steps[i + 1].id if i + 1 < len(sop.steps) else END]
    return graph


def _check_paths(sop: Sop, fr: FieldReader) -> None:
    """Every step the checklist can reach must be able to reach ``end``."""
    if not sop.steps or len({s.id for s in sop.steps}) != len(sop.steps):
        return  # duplicate ids are already reported; paths would be ambiguous
    graph = _successors(sop)
    reachable: set[str] = set()
    todo = [sop.steps[0].id]
    while todo:
        sid = todo.pop()
        if sid in reachable or sid == END:
            continue
        reachable.add(sid)
        todo.extend(graph.get(sid, []))
    leading_to: dict[str, list[str]] = {}
    for sid, nexts in graph.items():
        for n in nexts:
            leading_to.setdefault(n, []).append(sid)
    finishing = {END}
    todo = [END]
    while todo:  # walk back from 'end': linear, however long the checklist
        for sid in leading_to.get(todo.pop(), []):
            if sid not in finishing:
                finishing.add(sid)
                todo.append(sid)
    for i, step in enumerate(sop.steps):
        if step.id not in reachable:
            fr.warning(
                ("steps", i, "id"), f"step '{step.id}' can never be reached (no step leads to it)"
            )
        elif step.id not in finishing:
            fr.error(
                ("steps", i),
                f"step '{step.id}' is in a loop that can never reach 'end' "
                "(expected every path to finish)",
            )


def _check_macro(item: LoadedItem, fr: FieldReader) -> None:
    macro = item.content
    assert isinstance(macro, Macro)
    parts = split_front_matter(item.source.text)
    body_text, body_line = (parts[1], parts[2]) if parts else ("", 0)
    declared = {f.name for f in macro.fields}
    used: set[str] = set()
    for offset, token in _placeholders(body_text):
        line = body_line + offset
        name = token[2:-2].strip()
        if not NAME_RE.match(name):
            fr.error(
                ("body",),
                f"'{excerpt(token)}' is not a valid placeholder (expected "
                "{{name}} with lowercase letters, digits and '_')",
                line=line,
            )
            continue
        used.add(name)
        if name not in declared and name not in BUILTIN_PLACEHOLDERS:
            fr.error(
                ("body",),
                f"placeholder '{excerpt(name)}' is not declared (expected it under "
                f"'fields', or one of {', '.join(BUILTIN_PLACEHOLDERS)})",
                line=line,
            )
    for name in sorted(declared - used):
        fr.warning(("fields", name), f"field '{excerpt(name)}' is never used in the template")


def _placeholders(text: str) -> Iterator[tuple[int, str]]:
    """``(line offset, "{{...}}")`` for each ``{{`` and the first ``}}`` after it, in order.

    What ``re.finditer(r"\\{\\{(.*?)\\}\\}", text, re.DOTALL)`` finds, in linear time: that
    pattern retries from every ``{{`` up to the end of the text, which takes minutes on a body
    of many ``{{`` and no ``}}``.
    """
    pos = lines = counted = 0
    while (start := text.find("{{", pos)) >= 0 and (end := text.find("}}", start + 2)) >= 0:
        lines += text.count("\n", counted, start)
        counted = start
        yield lines, text[start : end + 2]
        pos = end + 2
