"""Agents' existing replies, from their helpdesk's export, as a knowledge pack.

``convert(tool, source, dest)`` reads one JSON export (the body of the vendor API's list call,
saved to a file), turns each reply template into a pack macro (placeholders mapped, HTML made
Markdown, folders, groups and restrictions kept as tags) and writes a pack that passes
``agent-assist validate``.  One module per vendor knows its JSON; ``placeholders`` and
``packwriter`` are shared.  Pure Python, no network: the export is a file the user made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent_assist.core.knowledge.importers import freshdesk, zammad, zendesk
from agent_assist.core.knowledge.importers.common import (
    MAX_MACROS,
    ConvertError,
    Note,
    Parsed,
    load_json,
    slug,
)
from agent_assist.core.knowledge.importers.packwriter import (
    Report,
    macro_files,
    pack_yaml,
    write_pack,
)
from agent_assist.core.knowledge.importers.placeholders import Syntax

__all__ = ["TOOLS", "ConvertError", "Note", "Report", "convert"]


@dataclass(frozen=True)
class Tool:
    """One importer: the vendor's placeholder syntax and the parser of its export."""

    name: str
    title: str
    syntax: Syntax
    parse: Callable[..., Parsed]


TOOLS = {
    t.name: t
    for t in (
        Tool("zendesk-macros", "Zendesk macros", zendesk.SYNTAX, zendesk.parse),
        Tool("freshdesk-canned", "Freshdesk canned responses", freshdesk.SYNTAX, freshdesk.parse),
        Tool("zammad-text-modules", "Zammad text modules", zammad.SYNTAX, zammad.parse),
    )
}


def convert(
    tool: str,
    source: Path,
    dest: Path,
    *,
    name: str | None = None,
    locale: str = "en",
    include_inactive: bool = False,
    force: bool = False,
) -> Report:
    """Convert the export ``source`` of ``tool`` (a key of :data:`TOOLS`) into the pack
    ``dest``; the pack is named ``name`` (default: ``dest``'s folder name as a slug).

    Raises :class:`ConvertError` (nothing written) for an export of the wrong shape; what is
    carried over only in part is in the report's notes, what was left out in ``skipped``."""
    if tool not in TOOLS:
        raise ConvertError(f"unknown importer '{tool}' (expected one of: {', '.join(TOOLS)})")
    spec = TOOLS[tool]
    pack_name = slug(name) if name is not None else slug(dest.resolve().name) or tool
    if not pack_name:
        raise ConvertError(f"'{name}' cannot be a pack name (expected e.g. support-macros)")
    header = pack_yaml(pack_name, locale, spec.title, source)
    data: Any = load_json(source)
    parsed = spec.parse(data, source, include_inactive=include_inactive)
    if len(parsed.drafts) > MAX_MACROS:
        raise ConvertError(
            f"{source}: holds {len(parsed.drafts):,} replies (a pack holds at most "
            f"{MAX_MACROS:,} items; split the export)"
        )
    report = Report(spec.title, source, dest, pack_name, notes=list(parsed.notes))
    report.skipped.extend(parsed.skipped)
    files = macro_files(parsed, spec.syntax, report)
    files["pack.yaml"] = header
    write_pack(dest, files, force=force)
    report.written = len(files) - 1
    return report
