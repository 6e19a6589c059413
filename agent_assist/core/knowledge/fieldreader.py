"""Typed access to one YAML document that records a precise problem for every bad field.

The pack reader asks for each field with the type it expects; instead of raising on the first
mismatch, every problem is collected with the file, line and dotted field path, so a lead sees
all that is wrong with a pack in one run.  Values quoted in messages are cut to a short excerpt,
and one file reports at most :data:`MAX_PROBLEMS` problems.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from typing import Any

from agent_assist.core.knowledge.problems import Problem, Severity, excerpt
from agent_assist.core.knowledge.yamlsource import Path, YamlDoc

ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
ID_MAX = 80
MAX_PROBLEMS = 100
"""Problems reported for one file by one reader; a file with more is reported as such."""
_MISSING = object()


def field_name(path: Path) -> str:
    """``("steps", 2, "next")`` -> ``steps[2].next``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{excerpt(part)}" if out else excerpt(part)
    return out


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    """A short excerpt of a scalar for a message; what kind of thing anything else is."""
    if isinstance(value, list | dict):
        return _type_name(value)
    return excerpt(value if isinstance(value, str) else str(value))


class FieldReader:
    def __init__(
        self, doc: YamlDoc, file: str, problems: list[Problem], *, report_duplicates: bool = True
    ) -> None:
        self.doc = doc
        self.file = file
        self.problems = problems
        self.reported = 0
        for path, line in doc.duplicates if report_duplicates else ():
            self.error(path, "is given twice (expected each field once)", line=line)

    # -- reporting -----------------------------------------------------------------------
    def error(self, path: Path, message: str, *, line: int | None = None) -> None:
        self._add(path, message, Severity.ERROR, line)

    def warning(self, path: Path, message: str) -> None:
        self._add(path, message, Severity.WARNING, None)

    def _add(self, path: Path, message: str, severity: Severity, line: int | None) -> None:
        self.reported += 1
        if self.reported > MAX_PROBLEMS:
            if self.reported == MAX_PROBLEMS + 1:
                self.problems.append(
                    Problem(self.file, 0, "", f"more than {MAX_PROBLEMS} problems; fix these first")
                )
            return
        self.problems.append(
            Problem(
                self.file,
                line if line is not None else self.doc.line(path),
                field_name(path),
                message,
                severity,
            )
        )

    # -- lookups ---------------------------------------------------------------------------
    def get(self, path: Path) -> Any:
        value: Any = self.doc.value
        for part in path:
            if isinstance(part, int):
                if not isinstance(value, list) or part >= len(value):
                    return _MISSING
            elif not isinstance(value, dict) or part not in value:
                return _MISSING
            value = value[part]
        return value

    def has(self, path: Path) -> bool:
        """Whether ``path`` is given with a value other than null."""
        value = self.get(path)
        return value is not _MISSING and value is not None

    def mapping(self, path: Path, allowed: Iterable[str]) -> bool:
        """Check that ``path`` is a mapping with only ``allowed`` keys (unknown ones reported)."""
        value = self.get(path)
        if not isinstance(value, dict):
            what = "the front matter" if not path else "this"
            self.error(path, f"expected {what} to be a mapping of fields, got {_type_name(value)}")
            return False
        allowed = list(allowed)
        longest = max(map(len, allowed), default=0)
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                name = str(key)
                # Far longer than any field, a key cannot be a typo of one (difflib's 0.6 ratio
                # needs len <= 2.3 x): spare difflib, which is slow on long strings.
                short = len(name) <= 3 * longest
                hint = difflib.get_close_matches(name, allowed, n=1) if short else []
                tip = (
                    f"did you mean '{hint[0]}'?"
                    if hint
                    else f"expected one of: {', '.join(allowed)}"
                )
                self.error((*path, name), f"unknown field ({tip})")
        return True

    def string(
        self, path: Path, *, required: bool = False, default: str = "", one_line: bool = False
    ) -> str:
        value = self.get(path)
        if value is _MISSING or value is None:
            if required:
                self.error(path, "is required (expected text)")
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(path, f"expected text, got {_type_name(value)}")
            return default
        text = str(value).strip()
        if required and not text:
            self.error(path, "is empty (expected text)")
        if one_line and "\n" in text:
            self.error(path, "expected a single line of text")
        return text

    def ident(self, path: Path, *, what: str = "id") -> str:
        value = self.string(path, required=True)
        if value and (not ID_RE.match(value) or len(value) > ID_MAX):
            self.error(
                path,
                f"'{excerpt(value)}' is not a valid {what} (expected lowercase letters, "
                f"digits and '-', starting with a letter or digit, at most {ID_MAX})",
            )
            return ""
        return value

    def boolean(self, path: Path, default: bool) -> bool:
        value = self.get(path)
        if value is _MISSING or value is None:
            return default
        if not isinstance(value, bool):
            self.error(path, f"expected true or false, got {_type_name(value)}")
            return default
        return value

    def integer(self, path: Path, low: int, high: int) -> int | None:
        value = self.get(path)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(
                path, f"expected a whole number from {low} to {high}, got {_type_name(value)}"
            )
            return None
        if not low <= value <= high:
            self.error(path, f"expected a whole number from {low} to {high}, got {_shown(value)}")
            return None
        return value

    def date(self, path: Path) -> dt.date | None:
        value = self.get(path)
        if value is _MISSING or value is None:
            return None
        try:
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            self.error(
                path,
                f"'{_shown(value)}' is not a valid date (expected YYYY-MM-DD, e.g. 2027-01-31)",
            )
            return None

    def items(self, path: Path) -> list[Any]:
        """A list at ``path`` (empty when absent); reports anything that is not a list."""
        value = self.get(path)
        if value is _MISSING or value is None:
            return []
        if not isinstance(value, list):
            self.error(path, f"expected a list, got {_type_name(value)}")
            return []
        return value

    def string_list(self, path: Path, *, ids: bool = False) -> tuple[str, ...]:
        out: list[str] = []
        for i, _ in enumerate(self.items(path)):
            text = (
                self.ident((*path, i), what="id") if ids else self.string((*path, i), required=True)
            )
            if text:
                out.append(text)
        return tuple(out)
