"""data: what the handle-time log holds about you — export it or erase it.

How long events are kept is the ``retention_days`` setting (``agent-assist settings``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from agent_assist.commands import Context
from agent_assist.commands.session import agent_option
from agent_assist.core.errors import AgentAssistError
from agent_assist.core.worklog.retention import erase_agent, export_agent


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    top = sub.add_parser(
        "data",
        help="export or erase your handle-time data (GDPR)",
        description="Your rights over the local handle-time log: a copy of "
        "everything (export) and deletion (erase). How long events are kept: "
        "agent-assist settings set retention_days DAYS.",
    )
    cmds = top.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    p = cmds.add_parser("export", help="everything stored about you, as JSON")
    p.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE, not stdout")
    agent_option(p)
    p.set_defaults(handler=cmd_export)

    p = cmds.add_parser("erase", help="delete everything stored about you (asks first)")
    p.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    agent_option(p)
    p.set_defaults(handler=cmd_erase)


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    app = ctx.app
    data = export_agent(app.events, app.agent_id, app.clock.now().wall, app.retention_days())
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if args.output is None:
        ctx.out(text)
        return 0
    try:
        args.output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise AgentAssistError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    ctx.err(f"Exported {data['event_count']} event(s) to {args.output}")
    return 0


def cmd_erase(args: argparse.Namespace, ctx: Context) -> int:
    agent, log = ctx.app.agent_id, ctx.app.events
    count = log.count(agent)
    what = f"{count} event(s) about agent '{agent}' in {log.path}"
    if not args.yes:
        if not ctx.stdin.isatty():
            raise AgentAssistError(
                f"not erasing {what} without confirmation: no terminal "
                "to ask on; add --yes to erase"
            )
        ctx.stderr.write(f"Erase {what}? This cannot be undone. Type 'yes' to erase: ")
        ctx.stderr.flush()
        if ctx.stdin.readline().strip().lower() != "yes":
            ctx.err("Nothing erased.")
            return 1
    erased = erase_agent(log, agent)
    ctx.out(f"Erased {erased} event(s) about agent '{agent}'")
    return 0
