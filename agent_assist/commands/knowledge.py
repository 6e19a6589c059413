"""import, export, list, show, validate: moving packs in and out of the knowledge cache."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from agent_assist.app import packs
from agent_assist.commands import Context
from agent_assist.core.errors import PackError
from agent_assist.core.knowledge.models import Kind, Macro, Sop


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "import",
        help="check a knowledge pack and load it into the cache",
        description="Check a pack and load it into the cache in one "
        "transaction: a pack with any error imports nothing.",
    )
    p.add_argument(
        "path", type=Path, help="the pack folder (holding pack.yaml), or a signed pack .zip"
    )
    p.add_argument(
        "--prune", action="store_true", help="retire this pack's items that are no longer in it"
    )
    p.add_argument("--json", action="store_true", help="print the import report as JSON")
    p.add_argument(
        "--hub-key",
        type=Path,
        metavar="FILE",
        help="verify a signed .zip with this hub key (default: keys pinned by sync)",
    )
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", help="write a pack from the cache back out as files")
    p.add_argument("path", type=Path, help="folder to write (must be empty or new)")
    p.add_argument("--pack", help="which pack, when the cache holds several")
    p.add_argument("--force", action="store_true", help="replace a non-empty folder")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("list", help="list SOPs and macros in the cache")
    p.add_argument("--kind", choices=[k.value for k in Kind], help="only this kind")
    p.add_argument("--retired", action="store_true", help="include retired items")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", help="show one SOP or macro")
    p.add_argument("id", help="the item's id")
    p.add_argument(
        "--kind", choices=[k.value for k in Kind], help="when a SOP and a macro share the id"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("validate", help="check a pack without importing it")
    p.add_argument("path", type=Path, help="the pack folder")
    p.add_argument("--json", action="store_true", help="print problems as JSON")
    p.set_defaults(handler=cmd_validate)


def _report_problems(ctx: Context, pack_problems: list, root: Path) -> None:  # type: ignore[type-arg]
    for problem in pack_problems:
        ctx.err(f"{root}/{problem}" if problem.file != str(root) else str(problem))


def cmd_validate(args: argparse.Namespace, ctx: Context) -> int:
    pack = packs.validate(args.path)
    if args.json:
        ctx.out(
            json.dumps(
                {
                    "errors": len(pack.errors),
                    "warnings": len(pack.warnings),
                    "problems": [p.to_json() for p in pack.problems],
                },
                indent=2,
            )
        )
    else:
        _report_problems(ctx, pack.problems, args.path)
    sops, macros = len(pack.of_kind(Kind.SOP)), len(pack.of_kind(Kind.MACRO))
    verdict = "invalid" if pack.errors else "valid"
    ctx.err(
        f"{args.path}: {verdict}: {sops} SOPs, {macros} macros, {len(pack.errors)} "
        f"error(s), {len(pack.warnings)} warning(s)"
    )
    return 1 if pack.errors else 0


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    if args.path.suffix.lower() == ".zip":  # a signed offline pack from the hub
        report, key = packs.import_signed(
            ctx.app, args.path, key_file=args.hub_key, prune=args.prune
        )
        ctx.err(f"{args.path}: signature verified (hub key {key})")
        ctx.out(
            json.dumps(report.to_json(), indent=2) if args.json else f"Imported {report.summary()}"
        )
        return 0
    pack = packs.validate(args.path)
    _report_problems(ctx, pack.problems, args.path)
    if pack.errors:
        raise PackError(f"{args.path}: {len(pack.errors)} error(s); nothing was imported")
    report = packs.load(ctx.app, pack, prune=args.prune)  # re-checks; atomic
    if args.json:
        ctx.out(json.dumps(report.to_json(), indent=2))
    else:
        ctx.out(f"Imported {report.summary()}")
    return 0


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    name, count = packs.export(ctx.app, args.path, pack=args.pack, force=args.force)
    ctx.out(f"Exported pack '{name}' ({count} items) to {args.path}")
    return 0


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    kind = Kind(args.kind) if args.kind else None
    items = ctx.store.items(kind, include_retired=args.retired)
    if args.json:
        rows = [{**i.to_summary_json(), "retired": i.retired} for i in items]
        ctx.out(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not items:
        ctx.out("The knowledge cache is empty. Import a pack: agent-assist import PACK")
        return 0
    width = max(len(i.id) for i in items)
    for i in items:
        flag = "  (retired)" if i.retired else ""
        ctx.out(f"{i.kind.value:5}  {i.id:{width}}  v{i.version:<3} {i.title}{flag}")
    counts = ctx.store.counts()
    ctx.out(f"\n{counts['sop']} SOPs, {counts['macro']} macros")
    return 0


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    item = ctx.store.get(args.id, Kind(args.kind) if args.kind else None)
    if args.json:
        versions = [
            {"version": v.version, "content_hash": v.content_hash, "created_at": v.created_at}
            for v in ctx.store.versions(item.kind, item.id)
        ]
        ctx.out(
            json.dumps(
                {
                    **item.to_summary_json(),
                    "retired": item.retired,
                    "content": item.content.to_json(),
                    "versions": versions,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    c = item.content
    ctx.out(
        f"{c.title}\n{item.kind.value} {c.id} · version {item.version} · {item.pack}"
        + (" · RETIRED" if item.retired else "")
    )
    if c.tags:
        ctx.out("tags: " + ", ".join(c.tags))
    if isinstance(c, Sop):
        if c.summary:
            ctx.out(f"\n{c.summary}")
        if c.deadline:
            unit = "business days" if c.deadline.business else "days"
            ctx.out(f"deadline: {c.deadline.days} {unit} {c.deadline.label}".rstrip())
        if c.steps:
            ctx.out("\nSteps:")
            for n, step in enumerate(c.steps, 1):
                opt = "" if step.required else " (optional)"
                ctx.out(f"  {n}. [{step.id}] {step.text}{opt}")
                for choice in step.choices:
                    ctx.out(f"       -> {choice.label}: {choice.next}")
        if c.macros:
            ctx.out("\nMacros: " + ", ".join(c.macros))
    elif isinstance(c, Macro) and c.fields:
        ctx.out("fields: " + ", ".join(f.name for f in c.fields))
    if c.body:
        ctx.out(f"\n{c.body}")
    return 0
