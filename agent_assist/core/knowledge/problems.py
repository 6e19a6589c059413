"""Validation problems: what is wrong, where, and what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in a pack.

    ``file`` is relative to the pack root (``sops/refund.md``); ``line`` is 1-based and 0 when
    the problem concerns the whole file; ``field`` is a dotted path such as
    ``steps[2].choices[0].next`` or empty for the file itself.
    """

    file: str
    line: int
    field: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        tag = "" if self.severity is Severity.ERROR else " warning:"
        return f"{where}:{tag}{field} {self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "severity": self.severity.value,
        }
