"""settings: show and change settings, and where each value comes from."""

from __future__ import annotations

import argparse
import json

from agent_assist.commands import Context
from agent_assist.core.settings import BY_KEY, Settings, SettingsError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "settings",
        help="show or change settings",
        description="Without arguments, list every setting with its value and where it comes "
        "from (built-in default, IT preset, your settings, or enforced by IT).",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    s = actions.add_parser("set", help="change a setting")
    s.add_argument("key", choices=sorted(BY_KEY), metavar="KEY")
    s.add_argument("value")
    r = actions.add_parser("reset", help="go back to the default for a setting")
    r.add_argument("key", choices=sorted(BY_KEY), metavar="KEY")
    p.set_defaults(handler=cmd_settings)


def cmd_settings(args: argparse.Namespace, ctx: Context) -> int:
    settings = Settings(ctx.data_dir)
    if args.action == "set":
        try:
            value = BY_KEY[args.key].parse(args.value)
        except ValueError as exc:
            raise SettingsError(f"{args.key}: {exc}") from None
        settings.set(args.key, value)
        ctx.out(f"{args.key} = {json.dumps(value)}")
        return 0
    if args.action == "reset":
        settings.reset(args.key)
        now = settings.effective(args.key)
        ctx.out(f"{args.key} = {json.dumps(settings.get(args.key))} ({now.source})")
        return 0
    rows = settings.all()
    if args.json:
        ctx.out(
            json.dumps(
                {
                    "settings": [
                        {"key": e.key, "value": e.value, "source": e.source, "locked": e.locked}
                        for e in rows
                    ],
                    "problems": settings.problems,
                },
                indent=2,
            )
        )
        return 0
    width = max(len(e.key) for e in rows)
    for e in rows:
        lock = " [locked]" if e.locked else ""
        ctx.out(f"{e.key:{width}}  {json.dumps(e.value):24}  {e.source}{lock}")
    for problem in settings.problems:
        ctx.err(f"warning: {problem}")
    return 0
