"""Validation problems: what is wrong, where, and what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

EXCERPT_CHARS = 60
MAX_MESSAGE_CHARS = 400
MAX_FIELD_CHARS = 300


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """At most ``limit`` characters of ``text`` on one line, ending in "…" when cut.

    Every piece of pack content quoted in a message goes through this: a message must stay
    short however large the value it is about (the hub sends problems back in responses).
    """
    head = text[:limit]
    if any(c in head for c in "\r\n\t"):
        head = " ".join(head.split())
    return head + "…" if len(text) > limit else head


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in a pack.

    ``file`` is relative to the pack root (``sops/refund.md``); ``line`` is 1-based and 0 when
    the problem concerns the whole file; ``field`` is a dotted path such as
    ``steps[2].choices[0].next`` or empty for the file itself.  ``message`` and ``field`` are
    cut to a few hundred characters, whatever a caller passes.
    """

    file: str
    line: int
    field: str
    message: str
    severity: Severity = Severity.ERROR

    def __post_init__(self) -> None:
        if len(self.message) > MAX_MESSAGE_CHARS:
            object.__setattr__(self, "message", excerpt(self.message, MAX_MESSAGE_CHARS))
        if len(self.field) > MAX_FIELD_CHARS:
            object.__setattr__(self, "field", excerpt(self.field, MAX_FIELD_CHARS))

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
