"""Read YAML while remembering where each value came from, within fixed bounds.

Pack errors must name the line of the offending field, which plain ``yaml.safe_load`` throws
away.  We compose the node tree ourselves, build Python values from it and keep a map from each
value's path (``("steps", 2, "next")``) to its 1-based line.  Dates are left as strings so the
pack checker can explain a bad date instead of PyYAML raising, and duplicate keys are reported
instead of silently keeping the last one.

Packs come from people we do not fully trust (a lead's upload on the hub, a file shared by
mail), and YAML aliases let a few hundred bytes describe gigabytes (``&a [x, x]``,
``&b [*a, *a]``, ...).  So the loader measures every node *while composing*, counting an alias
as the whole value it repeats, and refuses a document before anything is constructed when it
has too many values, too much text, too deep a nesting, an alias inside itself, or a key that is
not a short piece of text.  Building the values afterwards is then bounded by those limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from agent_assist.core.knowledge.problems import excerpt

Path = tuple[str | int, ...]

MAX_NODES = 100_000
"""Values in one document, an alias counting as all the values it repeats."""
MAX_CHARS = 1024 * 1024
"""Characters of keys and text values in one document, aliases expanded."""
MAX_DEPTH = 50
"""Levels of lists and mappings inside each other."""
MAX_KEY_CHARS = 200
"""Characters in one key (field and placeholder names are far shorter)."""


class _LimitError(yaml.MarkedYAMLError):
    """A document over one of the limits, raised while composing (before any value is built);
    ``problem`` is the whole message."""

    def __init__(self, problem: str, mark: yaml.Mark) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class _Loader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps (dates stay strings), measuring as it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        # id(node) -> (values, characters, depth) once the node is complete; the nodes stay
        # alive in the tree, so their ids cannot be reused while the loader lives.
        self._sizes: dict[int, tuple[int, int, int]] = {}
        self._open = 0  # lists and mappings being composed around the current node

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        is_alias = self.check_event(yaml.AliasEvent)
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        if self._open > MAX_DEPTH:  # refuse before the composer's recursion gets deep
            raise _LimitError(
                f"YAML too large: lists and mappings nested more than {MAX_DEPTH} deep", mark
            )
        self._open += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._open -= 1
        if node is None:
            return None
        if is_alias:
            if id(node) not in self._sizes:
                raise _LimitError(
                    "unsupported YAML: an alias refers to the list or mapping it is part of", mark
                )
            return node  # its size was measured when its anchor was composed
        self._sizes[id(node)] = self._measure(node)
        return node

    def _measure(self, node: yaml.Node) -> tuple[int, int, int]:
        if isinstance(node, yaml.ScalarNode):
            return 1, len(node.value), 0
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                _check_key(key)
                children += (key, value)
        else:
            children = node.value
        nodes, chars, depth = 1, 0, 0
        for child in children:
            c_nodes, c_chars, c_depth = self._sizes[id(child)]
            nodes, chars, depth = nodes + c_nodes, chars + c_chars, max(depth, c_depth)
        depth += 1
        if nodes > MAX_NODES:
            raise _LimitError(
                f"YAML too large: more than {MAX_NODES:,} values once aliases are expanded",
                node.start_mark,
            )
        if chars > MAX_CHARS:
            raise _LimitError(
                f"YAML too large: more than {MAX_CHARS:,} characters of text once aliases "
                "are expanded",
                node.start_mark,
            )
        if depth > MAX_DEPTH:
            raise _LimitError(
                f"YAML too large: lists and mappings nested more than {MAX_DEPTH} deep",
                node.start_mark,
            )
        return nodes, chars, depth


def _check_key(key: yaml.Node) -> None:
    if not isinstance(key, yaml.ScalarNode):
        what = "a list" if isinstance(key, yaml.SequenceNode) else "a mapping"
        raise _LimitError(
            f"unsupported YAML: a key is {what} (expected a name such as 'title')",
            key.start_mark,
        )
    if len(key.value) > MAX_KEY_CHARS:
        raise _LimitError(
            f"YAML too large: a key of {len(key.value):,} characters "
            f"(expected at most {MAX_KEY_CHARS})",
            key.start_mark,
        )


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

    Raises :class:`YamlSyntaxError` with a file line number and a short message (quoting at
    most a short excerpt of the text) for malformed YAML or a document over the limits.
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
    except _LimitError as exc:
        line = exc.problem_mark.line + 1 + offset if exc.problem_mark else first_line
        raise YamlSyntaxError(str(exc.problem), line) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and "stream end" in (exc.problem or ""):
            mark = exc.context_mark  # point at what was left open, not at the end of file
        line = (mark.line + 1 + offset) if mark else first_line
        what = exc.problem or str(exc)
        if exc.context:
            what = f"{exc.context}, {what}"
        raise YamlSyntaxError(f"invalid YAML: {excerpt(what, 160)}", line) from exc
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise YamlSyntaxError(f"invalid YAML: {excerpt(str(exc), 160)}", first_line) from exc
    finally:
        loader.dispose()


def _build(loader: _Loader, node: yaml.Node, path: Path, doc: YamlDoc, offset: int) -> Any:
    """The value of ``node``; the composer has already bounded its size and made every key
    a short scalar."""
    doc.lines.setdefault(path, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
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
