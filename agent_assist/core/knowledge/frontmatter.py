"""Small, verified edits to an item's front matter that keep the author's formatting.

The lead console changes single fields of a published file (a review's next due date, the
phrasings a lead adds from the gaps inbox) without re-serialising the YAML: re-dumping would
reorder keys, drop comments and restyle every list.  Each edit touches only the lines of one
top-level field, then re-parses the result and checks that exactly the intended change was
made; when the text is laid out in a way the edit does not understand, it raises instead of
guessing.  Values are written as JSON scalars, which YAML reads back unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge.yamlsource import YamlSyntaxError, parse_yaml, split_front_matter


class FrontMatterEditError(AgentAssistError):
    """The front matter could not be edited as asked (no front matter, or a layout the edit
    does not handle)."""


def _parts(text: str) -> tuple[list[str], int]:
    """The file's lines (ends kept) and the index of the closing ``---`` line."""
    if split_front_matter(text) is None:
        raise FrontMatterEditError("the file has no front matter (expected it to start with ---)")
    lines = text.splitlines(keepends=True)
    close = next(i for i in range(1, len(lines)) if lines[i].rstrip("\r\n").rstrip() == "---")
    return lines, close


def _fields(text: str) -> dict[str, Any]:
    parts = split_front_matter(text)
    if parts is None:
        raise FrontMatterEditError("the file has no front matter (expected it to start with ---)")
    try:
        value = parse_yaml(parts[0], first_line=2).value
    except YamlSyntaxError as exc:
        raise FrontMatterEditError(f"line {exc.line}: {exc}") from None
    if not isinstance(value, dict):
        raise FrontMatterEditError("the front matter is not a mapping of fields")
    return value


def _key_span(lines: list[str], close: int, key: str) -> tuple[int, int] | None:
    """Lines ``[start, end)`` of top-level field ``key``: its own line and every indented or
    blank line after it, up to the next top-level line."""
    start = next(
        (i for i in range(1, close) if lines[i].startswith((f"{key}:", f'"{key}":'))), None
    )
    if start is None:
        return None
    end = start + 1
    while end < close and (lines[end][:1] in (" ", "\t", "-") or not lines[end].strip()):
        end += 1
    while end - 1 > start and not lines[end - 1].strip():
        end -= 1  # trailing blank lines belong to no field
    return start, end


def _newline(lines: list[str]) -> str:
    return "\r\n" if lines and lines[0].endswith("\r\n") else "\n"


def _checked(text: str, before: dict[str, Any], key: str, expected: Any) -> str:
    after = _fields(text)
    wanted = {**before, key: expected}
    if after != wanted:
        raise FrontMatterEditError(
            f"editing '{key}' would change other fields; edit the file by hand instead"
        )
    return text


def set_scalar(text: str, key: str, value: str | int | bool) -> str:
    """``text`` with top-level field ``key`` set to ``value`` (added before the closing
    ``---`` when missing).  A date is passed as its ISO text and stays a YAML date."""
    before = _fields(text)
    lines, close = _parts(text)
    nl = _newline(lines)
    scalar = value if isinstance(value, str) and _plain(value) else json.dumps(value)
    new_line = f"{key}: {scalar}{nl}"
    span = _key_span(lines, close, key)
    if span is None:
        lines.insert(close, new_line)
    else:
        lines[span[0] : span[1]] = [new_line]
    expected = parse_yaml(f"{key}: {scalar}").value[key]
    return _checked("".join(lines), before, key, expected)


def _plain(value: str) -> bool:
    """A value YAML reads back as itself or as the date it spells (``2027-01-31``)."""
    try:
        loaded = parse_yaml(f"k: {value}").value
    except YamlSyntaxError:
        return False
    return isinstance(loaded, dict) and str(loaded.get("k")) == value and "#" not in value


def add_to_list(text: str, key: str, items: list[str]) -> str:
    """``text`` with ``items`` appended to the top-level list ``key`` (created when missing);
    items already in the list are not added twice.  Block lists get new ``- item`` lines in
    the list's own indentation; flow lists (``[a, b]``) are rewritten in flow style."""
    before = _fields(text)
    current = before.get(key) or []
    if not isinstance(current, list):
        raise FrontMatterEditError(f"'{key}' is not a list; edit the file by hand instead")
    new = [i for i in dict.fromkeys(items) if i not in current]
    if not new:
        return text
    lines, close = _parts(text)
    nl = _newline(lines)
    span = _key_span(lines, close, key)
    rendered = [json.dumps(i, ensure_ascii=False) for i in new]
    if span is None:
        lines[close:close] = [f"{key}:{nl}", *(f"  - {r}{nl}" for r in rendered)]
    else:
        start, end = span
        head = lines[start].split(":", 1)[1].strip()
        if head.startswith("[") or (not head and end == start + 1):
            flow = ", ".join([json.dumps(i, ensure_ascii=False) for i in current] + rendered)
            lines[start:end] = [f"{key}: [{flow}]{nl}"]
        else:
            indent = next(
                (ln[: len(ln) - len(ln.lstrip())] for ln in lines[start + 1 : end] if ln.strip()),
                "  ",
            )
            lines[end:end] = [f"{indent}- {r}{nl}" for r in rendered]
    return _checked("".join(lines), before, key, [*current, *new])
