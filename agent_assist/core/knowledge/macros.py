"""Filling a macro's placeholders: which fields to ask for, what is missing, the final text.

Guarantee: a placeholder is never silently left empty.  Every ``{{name}}`` in the body gets a
field (declared fields keep their label, default and choices; the built-ins ``agent_name``,
``ticket_id`` and ``today`` are prefilled from context; an undeclared one is asked for as
required).  A field with a ``source`` (``requester.first_name`` …) is prefilled from the ticket
when one is known, before its ``default``.  :func:`render` refuses while a required field is
empty; :func:`preview` shows the gap as ``[Label]`` instead.  Optional fields may be left empty
on purpose.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge.models import BUILTIN_PLACEHOLDERS, Macro

PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
BUILTIN_LABELS = {"agent_name": "Your name", "ticket_id": "Ticket id", "today": "Today's date"}


class MacroError(AgentAssistError):
    """The macro cannot be rendered yet (the message names the fields to fill)."""


@dataclass(frozen=True)
class MacroContext:
    """What the app knows about the ticket in hand, for the built-in placeholders."""

    agent_name: str = ""
    ticket_id: str = ""
    today: dt.date | None = None
    requester_name: str = ""
    """The customer's full name as the ticketing tool has it ("" when no ticket is known)."""
    ticket_subject: str = ""

    def value(self, name: str) -> str:
        if name == "today":
            day = self.today or dt.date.today()
            return f"{day.day} {day:%B %Y}"
        if name not in BUILTIN_PLACEHOLDERS:
            return ""
        return str(getattr(self, name, "") or "")

    def source(self, source: str | None) -> str:
        """The value of a field's ``source`` (one of ``FIELD_SOURCES``); "" when unknown."""
        values = {
            "requester.first_name": first_name(self.requester_name),
            "requester.name": "" if "@" in self.requester_name else self.requester_name.strip(),
            "ticket.id": self.ticket_id,
            "ticket.subject": self.ticket_subject,
            "agent.name": self.agent_name,
        }
        return values.get(source or "", "")


def first_name(full_name: str) -> str:
    """The given name in ``full_name``: "Maria Lopez" → "Maria", "Lopez, Maria" → "Maria";
    "" for an e-mail address (a tool's stand-in when it has no name), which is no name to
    greet anyone by."""
    name = full_name.strip()
    if not name or "@" in name:
        return ""
    if "," in name:
        name = name.split(",", 1)[1].strip() or name.split(",", 1)[0].strip()
    return name.split()[0] if name.split() else ""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    required: bool
    default: str
    choices: tuple[str, ...] = ()
    builtin: bool = False


def placeholders(body: str) -> list[str]:
    """Placeholder names in order of first use."""
    return list(dict.fromkeys(m.group(1) for m in PLACEHOLDER_RE.finditer(body)))


def fields(macro: Macro, context: MacroContext) -> list[FieldSpec]:
    """The form for ``macro``: declared fields first (in their order), then placeholders the
    body uses without declaring them."""
    out: list[FieldSpec] = []
    for f in macro.fields:
        default = (
            context.source(f.source)
            or f.default
            or (context.value(f.name) if f.name in BUILTIN_PLACEHOLDERS else "")
        )
        out.append(
            FieldSpec(
                f.name,
                f.label or _label(f.name),
                f.required,
                default,
                f.choices,
                f.name in BUILTIN_PLACEHOLDERS,
            )
        )
    declared = {f.name for f in macro.fields}
    for name in placeholders(macro.body):
        if name in declared:
            continue
        builtin = name in BUILTIN_PLACEHOLDERS
        label = BUILTIN_LABELS.get(name, _label(name))
        out.append(
            FieldSpec(name, label, True, context.value(name) if builtin else "", (), builtin)
        )
    return out


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def initial_values(specs: list[FieldSpec]) -> dict[str, str]:
    return {s.name: s.default for s in specs}


def problems(specs: list[FieldSpec], values: dict[str, str]) -> dict[str, str]:
    """What is wrong, by field name (empty when the macro can be copied)."""
    out: dict[str, str] = {}
    for spec in specs:
        value = values.get(spec.name, "").strip()
        if spec.required and not value:
            out[spec.name] = f"{spec.label} is required"
        elif value and spec.choices and value not in spec.choices:
            out[spec.name] = f"{spec.label} must be one of: {', '.join(spec.choices)}"
    return out


def _fill(body: str, values: dict[str, str], missing: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name, "").strip()
        return value if value else missing.get(name, "")

    return PLACEHOLDER_RE.sub(one, body)


def preview(macro: Macro, specs: list[FieldSpec], values: dict[str, str]) -> str:
    """The reply as it stands; a required field still empty shows as ``[Label]``."""
    labels = {s.name: f"[{s.label}]" for s in specs if s.required}
    return _fill(macro.body, values, labels).strip()


def render(macro: Macro, specs: list[FieldSpec], values: dict[str, str]) -> str:
    """The final reply; raises :class:`MacroError` while anything required is missing."""
    wrong = problems(specs, values)
    if wrong:
        raise MacroError(f"macro '{macro.title}' cannot be copied yet: {'; '.join(wrong.values())}")
    return _fill(macro.body, values, {}).strip()
