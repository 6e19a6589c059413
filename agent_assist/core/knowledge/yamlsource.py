"""Read YAML while remembering where each value came from.

Pack errors must name the line of the offending field, which plain ``yaml.safe_load`` throws
away.  We compose the node tree ourselves, build Python values from it and keep a map from each
value's path (``("steps", 2, "next")``) to its 1-based line.  Dates are left as strings so the
pack checker can explain a bad date instead of PyYAML raising, and duplicate keys are reported
instead of silently keeping the last one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps (dates stay strings)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class YamlDoc:
    """A parsed YAML document: its value, where each part was, and any duplicate keys."""

    value: Any
    lines: dict[Path, int] = field(default_factory=dict)
    duplicates: list[tuple[Path, int]] = field(default_factory=list)
    built: int = 0

    def line(self, path: Path) -> int:
        """The line of ``path``, or of its closest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 0)


class YamlSyntaxError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def parse_yaml(text: str, first_line: int = 1) -> YamlDoc:
    """Parse one YAML document; ``first_line`` is the file line the text starts on.

    Raises :class:`YamlSyntaxError` with a file line number for malformed YAML.
    """
    offset = first_line - 1
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + first_line
        raise YamlSyntaxError(
            f"invalid YAML: character {exc.character!r} is not allowed", line
        ) from exc
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDoc(None, {(): first_line})
        doc = YamlDoc(None)
        doc.value = _build(loader, node, (), doc, offset)
        return doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and "stream end" in (exc.problem or ""):
            mark = exc.context_mark  # point at what was left open, not at the end of file
        line = (mark.line + 1 + offset) if mark else first_line
        what = exc.problem or str(exc)
        if exc.context:
            what = f"{exc.context}, {what}"
        raise YamlSyntaxError(f"invalid YAML: {what}", line) from exc
    except YamlSyntaxError:
        raise
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise YamlSyntaxError(f"invalid YAML: {exc}", first_line) from exc
    finally:
        loader.dispose()


_MAX_NODES = 100_000
"""Cap on values built from one document, so alias bombs fail fast instead of eating memory."""


def _build(loader: _Loader, node: yaml.Node, path: Path, doc: YamlDoc, offset: int) -> Any:
    doc.lines.setdefault(path, node.start_mark.line + 1 + offset)
    doc.built += 1
    if doc.built > _MAX_NODES or len(path) > 50:
        raise YamlSyntaxError(
            "invalid YAML: too deeply nested or too many aliased values",
            node.start_mark.line + 1 + offset,
        )
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                key = str(key)
            key_path = (*path, key if isinstance(key, str) else str(key))
            if key in result:
                doc.duplicates.append((key_path, key_node.start_mark.line + 1 + offset))
            doc.lines[key_path] = key_node.start_mark.line + 1 + offset
            result[key] = _build(loader, value_node, key_path, doc, offset)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*path, i), doc, offset) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split ``---`` front matter from a Markdown body.

    Returns ``(front_matter, body, body_first_line)`` or None when the text does not start with
    a front-matter block.  The front matter itself always starts on line 2.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n").rstrip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    return None
