"""A vendor's reply text made a pack macro body: placeholders mapped, HTML made Markdown.

Placeholders are mapped to the pack's names (``{{ticket.requester.first_name}}`` ->
``{{customer_name}}``, ``{{ticket.id}}`` -> ``{{ticket_id}}``, ``{{current_user.name}}`` ->
``{{agent_name}}``).  One the pack cannot fill is never dropped: it becomes a field of its own,
labelled with the vendor's name, so the agent is asked for it before the reply can be copied,
and a note says so.  Placeholders are swapped for private-use sentinels while the HTML is
converted, so Markdown escaping can never mangle them, and stray ``{{``/``}}`` left in the text
are split so the pack checker cannot read them as placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bs4 import Tag
from markdownify import MarkdownConverter

from agent_assist.core.knowledge.importers.common import slug
from agent_assist.core.knowledge.models import BUILTIN_PLACEHOLDERS
from agent_assist.core.knowledge.problems import excerpt

MAX_BODY_CHARS = 1024 * 1024
"""Characters of one vendor reply converted; a longer one could not fit a pack file anyway."""

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use: never in real text, kept by the HTML parser
_SENTINEL = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_LIQUID_TAG = re.compile(r"\{%-?\s*(.{0,60}?)\s*-?%\}", re.DOTALL)


@dataclass(frozen=True)
class Target:
    """A pack placeholder: a built-in the app fills (no label) or a field to declare."""

    name: str
    label: str = ""
    source: str | None = None
    """Where the value comes from when a ticket is known: the field's ``source`` in the pack,
    one of :data:`~agent_assist.core.knowledge.models.FIELD_SOURCES`."""

    @property
    def builtin(self) -> bool:
        return self.name in BUILTIN_PLACEHOLDERS


CUSTOMER_FIRST_NAME = Target("customer_name", "Customer first name", "requester.first_name")
CUSTOMER_NAME = Target("customer_full_name", "Customer name", "requester.name")
CUSTOMER_LAST_NAME = Target("customer_last_name", "Customer last name")
CUSTOMER_EMAIL = Target("customer_email", "Customer email")
TICKET_ID = Target("ticket_id")
TICKET_SUBJECT = Target("ticket_subject", "Ticket subject", "ticket.subject")
AGENT_NAME = Target("agent_name")
AGENT_FIRST_NAME = Target("agent_first_name", "Your first name")
AGENT_LAST_NAME = Target("agent_last_name", "Your last name")
_RESERVED = {
    t.name
    for t in (
        CUSTOMER_FIRST_NAME,
        CUSTOMER_NAME,
        CUSTOMER_LAST_NAME,
        CUSTOMER_EMAIL,
        TICKET_SUBJECT,
        AGENT_FIRST_NAME,
        AGENT_LAST_NAME,
    )
} | set(BUILTIN_PLACEHOLDERS)


@dataclass(frozen=True)
class Syntax:
    """One vendor's placeholder syntax: ``pattern``'s group 1 is what is inside the braces."""

    tool: str
    pattern: re.Pattern[str]
    known: Mapping[str, Target]
    liquid: bool = False
    """Zendesk and Freshdesk use Liquid: ``{{name | filter}}`` and ``{% if %}`` tags."""

    def shown(self, inside: str) -> str:
        return "{{" + inside + "}}" if self.liquid else "#{" + inside + "}"


LIQUID = re.compile(r"\{\{([^{}]{0,200}?)\}\}")
ZAMMAD = re.compile(r"#\{([^{}]{0,200}?)\}")


class _Converter(MarkdownConverter):
    """Markdown for reply HTML: a ``<div>`` is a line, not a paragraph, as helpdesk editors
    write it (Zammad and Freshdesk put each line in its own ``<div>``, an empty line as
    ``<div><br></div>``)."""

    def convert_div(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "_inline" in parent_tags:
            return f" {text.strip()} "
        stripped = text.strip()
        if not stripped:
            return "\n\n" if el.find("br") is not None else ""
        return f"\n{stripped}\n"


_MARKDOWN = _Converter(
    heading_style="ATX", bullets="-", escape_underscores=False, escape_asterisks=False
)


@dataclass
class Body:
    """A converted body, the fields it declares (in order of first use) and notes on it."""

    text: str
    fields: dict[str, Target] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class _Mapper:
    """Maps each placeholder of one body, remembering the fields it needs."""

    def __init__(self, syntax: Syntax) -> None:
        self.syntax = syntax
        self.names: list[str] = []  # sentinel number -> pack placeholder name
        self.fields: dict[str, Target] = {}
        self.unknown: dict[str, Target] = {}  # vendor name -> field made for it
        self.notes: list[str] = []

    def __call__(self, match: re.Match[str]) -> str:
        inside = match.group(1).strip()
        name, _, filters = inside.partition("|") if self.syntax.liquid else (inside, "", "")
        name = name.strip()
        target = self.syntax.known.get(name) or self._unknown(name)
        if filters.strip():
            self.notes.append(
                f"filter '| {excerpt(filters.strip())}' of {self.syntax.shown(excerpt(inside))} "
                f"dropped (kept {{{{{target.name}}}}})"
            )
        if not target.builtin:
            self.fields.setdefault(target.name, target)
        self.names.append(target.name)
        return f"{_OPEN}{len(self.names) - 1}{_CLOSE}"

    def _unknown(self, name: str) -> Target:
        if name in self.unknown:
            return self.unknown[name]
        base = slug(name, sep="_", limit=60) or "placeholder"
        if base[0].isdigit():
            base = f"field_{base}"
        taken = _RESERVED | set(self.fields)
        made, n = base, 2
        while made in taken:
            made, n = f"{base}_{n}", n + 1
        target = Target(made, f"{excerpt(name, 100)} ({self.syntax.tool} placeholder)")
        self.unknown[name] = target
        shown = self.syntax.shown(excerpt(name, 100))
        self.notes.append(
            f"{shown} has no equivalent in a pack: kept as field '{made}' for the agent to fill"
        )
        return target


def convert_body(text: str, html: bool, syntax: Syntax) -> Body:
    """The pack body for one vendor reply (``html``: ``text`` is HTML to make Markdown)."""
    text = text.replace("\r\n", "\n").replace(_OPEN, "").replace(_CLOSE, "")
    mapper = _Mapper(syntax)
    text = syntax.pattern.sub(mapper, text)
    notes = mapper.notes
    if syntax.liquid:
        tags = [excerpt(m.group(1), 40) for m in _LIQUID_TAG.finditer(text)]
        if tags:
            shown = ", ".join("{% " + t + " %}" for t in dict.fromkeys(tags[:3]))
            notes.append(f"Liquid logic kept as plain text, not run: {shown}")
    if html:
        text = _MARKDOWN.convert(text)
    if "{{" in text or "}}" in text:  # literal braces: must not read as placeholders
        text = text.replace("{{", "{ {").replace("}}", "} }")
        notes.append("literal '{{' or '}}' in the text split with a space ('{ {')")
    text = _SENTINEL.sub(lambda m: "{{" + mapper.names[int(m.group(1))] + "}}", text)
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return Body(text, mapper.fields, notes)
