"""convert: agents' existing macros from Zendesk, Freshdesk or Zammad as a knowledge pack."""

from __future__ import annotations

import argparse
from pathlib import Path

from agent_assist.app import convert
from agent_assist.commands import Context


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    tools = "; ".join(f"{name}: {what}" for name, what in convert.TOOLS.items())
    p = sub.add_parser(
        "convert",
        help="turn a helpdesk's macros export (JSON) into a knowledge pack",
        description="Write a knowledge pack from the JSON a helpdesk's API returns for its "
        "reply templates: placeholders mapped to the pack's, HTML made Markdown, folders, "
        "groups and restrictions kept as tags. What is carried over only in part is listed "
        f"as a warning, never dropped silently. Importers: {tools}.",
    )
    p.add_argument("tool", choices=list(convert.TOOLS), help="which helpdesk the export is from")
    p.add_argument("file", type=Path, help="the export: a JSON file")
    p.add_argument("outdir", type=Path, help="the pack folder to write (must be empty or new)")
    p.add_argument("--name", help="the pack's name (default: the folder's name)")
    p.add_argument("--locale", default="en", help="the pack's locale (default: en)")
    p.add_argument(
        "--include-inactive",
        action="store_true",
        help="also convert macros that are inactive in the helpdesk (tagged 'inactive')",
    )
    p.add_argument("--force", action="store_true", help="replace a non-empty folder")
    p.set_defaults(handler=cmd_convert)


def cmd_convert(args: argparse.Namespace, ctx: Context) -> int:
    report = convert.convert(
        args.tool,
        args.file,
        args.outdir,
        name=args.name,
        locale=args.locale,
        include_inactive=args.include_inactive,
        force=args.force,
    )
    for note in report.notes:
        ctx.err(f"{args.file}: warning: {note}")
    for note in report.skipped:
        ctx.err(f"{args.file}: skipped: {note}")
    ctx.out(
        f"{args.outdir}: {report.written} macros written (pack '{report.pack}'), "
        f"{len(report.notes)} warning(s), {len(report.skipped)} skipped"
    )
    return 0
