"""What every importer shares: reading the vendor's JSON within bounds, typed access that names
the JSON path of a bad value, the macro drafts importers produce, and the report they fill.

An export comes from a helpdesk we do not control and may have been edited by hand, so every
value is checked for its type before use; a wrong shape is a :class:`ConvertError` naming the
file and the JSON path (``macros.json: macros[3].actions[0].value: expected text or a list,
got a number``), and nothing is written.  What can be carried over only in part (a placeholder
the pack cannot fill, an action a pack macro cannot hold) is a :class:`Note`: the macro is
written and the note is listed, never silently dropped.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge.packfiles import MAX_ENTRIES, MAX_PACK_BYTES
from agent_assist.core.knowledge.problems import excerpt

MAX_INPUT_BYTES = MAX_PACK_BYTES
"""An export larger than a whole pack may be cannot become one."""
MAX_MACROS = MAX_ENTRIES
"""Macros in one export: a pack holds at most this many items."""
MAX_TAGS = 50
"""Tags kept for one macro (a Zammad keyword list can be long)."""
ID_MAX = 80

_SLUG_DROP = re.compile(r"[^a-z0-9]+")


class ConvertError(AgentAssistError):
    """The export cannot be converted (the message names the file and the JSON path)."""


@dataclass(frozen=True)
class Note:
    """Something carried over in part, or an item left out, with where it is in the export."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class Draft:
    """One reply template as the vendor holds it, before placeholders and HTML are converted.

    ``path`` is the item's JSON path (``macros[3]``), ``label`` how messages name it (its
    vendor id and title), ``comments`` lines kept in the macro file as YAML comments (what a
    pack macro cannot hold, e.g. "sets status solved"), ``notes`` what to tell the user about
    it (listed with the notes of its conversion).
    """

    path: str
    vendor_id: str
    title: str
    body: str
    html: bool
    tags: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f'{self.path} ("{excerpt(self.title)}")'


@dataclass
class Parsed:
    """What an importer found: the drafts to convert, notes, and the items it left out."""

    drafts: list[Draft] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    skipped: list[Note] = field(default_factory=list)


def load_json(path: Path) -> Any:
    """The JSON value in ``path``; :class:`ConvertError` for a file that is missing, too
    large, not UTF-8 or not JSON (with the line and column of the syntax error)."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise ConvertError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_INPUT_BYTES:
        raise ConvertError(
            f"{path}: larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB (a pack holds at most "
            "that much; split the export)"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConvertError(
            f"{path}: not UTF-8 text (bad byte 0x{data[exc.start]:02x} at offset {exc.start}; "
            "expected the JSON the helpdesk's API returned)"
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConvertError(
            f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg} (expected the JSON the "
            "helpdesk's API returned)"
        ) from exc
    except RecursionError as exc:
        raise ConvertError(f"{path}: JSON nested too deeply to be an export") from exc


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return {int: "a number", float: "a number", str: "text", list: "a list", dict: "an object"}[
        type(value)
    ]


class JsonReader:
    """Typed access to one export; every wrong type raises :class:`ConvertError` naming the
    file and the JSON path."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def fail(self, path: str, message: str) -> ConvertError:
        return ConvertError(
            f"{self.file}: {path}: {message}" if path else f"{self.file}: {message}"
        )

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected an object, got {type_name(value)}")
        return value

    def items(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list, got {type_name(value)}")
        if len(value) > MAX_MACROS:
            raise self.fail(
                path, f"holds {len(value):,} entries (a pack holds at most {MAX_MACROS:,} items)"
            )
        return value

    def text(self, item: dict[str, Any], key: str, path: str) -> str | None:
        """``item[key]`` as text; ``None`` when absent or null."""
        value = item.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{path}.{key}", f"expected text, got {type_name(value)}")
        return value

    def ident(self, item: dict[str, Any], key: str, path: str) -> str:
        """An id as text (vendors use numbers; a hand-made export may use text); "" if absent."""
        value = item.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.fail(f"{path}.{key}", f"expected a number, got {type_name(value)}")
        return str(value)

    def flag(self, item: dict[str, Any], key: str, path: str, default: bool) -> bool:
        value = item.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(f"{path}.{key}", f"expected true or false, got {type_name(value)}")
        return value

    def ids(self, item: dict[str, Any], key: str, path: str) -> list[str]:
        """A list of ids (``group_ids``) as text; empty when absent or null."""
        value = item.get(key)
        if value is None:
            return []
        out = []
        for i, one in enumerate(self.items(value, f"{path}.{key}")):
            if isinstance(one, bool) or not isinstance(one, int | str):
                raise self.fail(f"{path}.{key}[{i}]", f"expected a number, got {type_name(one)}")
            out.append(str(one))
        return out


def slug(text: str, *, sep: str = "-", limit: int = ID_MAX) -> str:
    """``text`` as lowercase ASCII letters and digits joined by ``sep`` (accents folded:
    "Rückerstattung" -> "ruckerstattung"); "" when nothing is left (e.g. a Japanese title)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _SLUG_DROP.sub(sep, folded.lower()).strip(sep)[:limit].strip(sep)


def one_line(text: str) -> str:
    return " ".join(text.split())


def add_tag(tags: list[str], tag: str) -> None:
    """Add ``tag`` (made a slug) unless empty or already there."""
    value = slug(tag)
    if value and value not in tags:
        tags.append(value)
