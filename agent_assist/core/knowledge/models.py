"""The knowledge the app works with: SOPs, their checklist steps, and macros.

These are plain immutable values.  They are built by the pack reader (from files), stored as
JSON by the store, and read by search, the checklist runner and the UI.  ``to_json`` /
``from_json`` are exact inverses so the store can keep every version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

END = "end"
"""The ``next`` value that finishes a checklist."""

BUILTIN_PLACEHOLDERS = ("agent_name", "ticket_id", "today")
"""Placeholders the app fills from context; macros may use them without declaring them."""

FIELD_SOURCES = (
    "requester.first_name",
    "requester.name",
    "ticket.id",
    "ticket.subject",
    "agent.name",
)
"""Where a macro field's value may come from when the ticket is known (``source:``)."""


class Kind(StrEnum):
    SOP = "sop"
    MACRO = "macro"


@dataclass(frozen=True)
class Choice:
    label: str
    next: str


@dataclass(frozen=True)
class Step:
    id: str
    text: str
    required: bool = True
    choices: tuple[Choice, ...] = ()
    macro: str | None = None

    @property
    def is_decision(self) -> bool:
        return bool(self.choices)


@dataclass(frozen=True)
class Deadline:
    """A regulatory or SLA clock counted from the day a request was received."""

    days: int
    business: bool = False
    label: str = ""

    def due(self, received: dt.date) -> dt.date:
        """The last day to answer a request received on ``received``."""
        if not self.business:
            return received + dt.timedelta(days=self.days)
        day, left = received, self.days
        while left:
            day += dt.timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day


@dataclass(frozen=True)
class Sop:
    id: str
    title: str
    summary: str = ""
    tags: tuple[str, ...] = ()
    locale: str = "en"
    phrasings: tuple[str, ...] = ()
    macros: tuple[str, ...] = ()
    review_due: dt.date | None = None
    requires_ack: bool = False
    deadline: Deadline | None = None
    steps: tuple[Step, ...] = ()
    body: str = ""

    kind = Kind.SOP

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "tags": list(self.tags),
            "locale": self.locale,
            "phrasings": list(self.phrasings),
            "macros": list(self.macros),
            "review_due": self.review_due.isoformat() if self.review_due else None,
            "requires_ack": self.requires_ack,
            "deadline": (
                {
                    "days": self.deadline.days,
                    "business": self.deadline.business,
                    "label": self.deadline.label,
                }
                if self.deadline
                else None
            ),
            "steps": [
                {
                    "id": s.id,
                    "text": s.text,
                    "required": s.required,
                    "choices": [{"label": c.label, "next": c.next} for c in s.choices],
                    "macro": s.macro,
                }
                for s in self.steps
            ],
            "body": self.body,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Sop:
        deadline = data.get("deadline")
        review = data.get("review_due")
        return cls(
            id=data["id"],
            title=data["title"],
            summary=data.get("summary", ""),
            tags=tuple(data.get("tags", ())),
            locale=data.get("locale", "en"),
            phrasings=tuple(data.get("phrasings", ())),
            macros=tuple(data.get("macros", ())),
            review_due=dt.date.fromisoformat(review) if review else None,
            requires_ack=bool(data.get("requires_ack", False)),
            deadline=Deadline(**deadline) if deadline else None,
            steps=tuple(
                Step(
                    id=s["id"],
                    text=s["text"],
                    required=s.get("required", True),
                    choices=tuple(Choice(c["label"], c["next"]) for c in s.get("choices", ())),
                    macro=s.get("macro"),
                )
                for s in data.get("steps", ())
            ),
            body=data.get("body", ""),
        )


@dataclass(frozen=True)
class MacroField:
    name: str
    label: str = ""
    required: bool = True
    default: str | None = None
    choices: tuple[str, ...] = ()
    source: str | None = None
    """One of :data:`FIELD_SOURCES`: the value comes from the ticket when one is known."""


@dataclass(frozen=True)
class Macro:
    id: str
    title: str
    tags: tuple[str, ...] = ()
    locale: str = "en"
    fields: tuple[MacroField, ...] = ()
    body: str = ""

    kind = Kind.MACRO

    @property
    def summary(self) -> str:
        """The first line of the reply, so macros can be shown like SOPs in result lists."""
        for line in self.body.splitlines():
            if line.strip():
                return line.strip()
        return ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "tags": list(self.tags),
            "locale": self.locale,
            "fields": [
                {
                    "name": f.name,
                    "label": f.label,
                    "required": f.required,
                    "default": f.default,
                    "choices": list(f.choices),
                    **({"source": f.source} if f.source else {}),
                }
                for f in self.fields
            ],
            "body": self.body,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Macro:
        return cls(
            id=data["id"],
            title=data["title"],
            tags=tuple(data.get("tags", ())),
            locale=data.get("locale", "en"),
            fields=tuple(
                MacroField(
                    name=f["name"],
                    label=f.get("label", ""),
                    required=f.get("required", True),
                    default=f.get("default"),
                    choices=tuple(f.get("choices", ())),
                    source=f.get("source"),
                )
                for f in data.get("fields", ())
            ),
            body=data.get("body", ""),
        )


Content = Sop | Macro


@dataclass(frozen=True)
class PackInfo:
    name: str
    version: str = ""
    locale: str = "en"
    publisher: str = ""


@dataclass(frozen=True)
class SourceFile:
    """An item's file as it was read: kept verbatim so exports round-trip byte for byte."""

    path: str
    text: str
    content_hash: str


@dataclass(frozen=True)
class Item:
    """A stored SOP or macro: content plus the bookkeeping the cache keeps about it."""

    content: Content
    version: int
    content_hash: str
    pack: str
    source_path: str
    updated_at: str
    retired: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> Kind:
        return self.content.kind

    @property
    def id(self) -> str:
        return self.content.id

    @property
    def title(self) -> str:
        return self.content.title

    def to_summary_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "locale": self.content.locale,
            "tags": list(self.content.tags),
            "pack": self.pack,
            "updated_at": self.updated_at,
        }


def content_from_json(kind: Kind, data: dict[str, Any]) -> Content:
    return Sop.from_json(data) if kind is Kind.SOP else Macro.from_json(data)
