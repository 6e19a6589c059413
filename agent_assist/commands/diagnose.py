"""doctor: is this workstation set up right, and if not, what to do."""

from __future__ import annotations

import argparse
import json

from agent_assist.app.diagnostics import run_checks
from agent_assist.commands import Context
from agent_assist.core.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("doctor", help="check the data dir, cache, keyring and Qt set-up")
    p.add_argument("--json", action="store_true", help="print the checks as JSON")
    p.set_defaults(handler=cmd_doctor)


def cmd_doctor(args: argparse.Namespace, ctx: Context) -> int:
    checks = run_checks(ctx.data_dir, ctx.data_dir_option)
    effective = Settings(ctx.data_dir).all()
    if args.json:
        ctx.out(
            json.dumps(
                {
                    "checks": [c.to_json() for c in checks],
                    "settings": [
                        {"key": e.key, "value": e.value, "source": e.source, "locked": e.locked}
                        for e in effective
                    ],
                },
                indent=2,
            )
        )
    else:
        for c in checks:
            ctx.out(f"[{'OK' if c.ok else 'PROBLEM'}] {c.name}: {c.detail}")
            if c.fix:
                ctx.out(f"      what to do: {c.fix}")
        ctx.out("\nEffective settings (value, and where it comes from):")
        width = max(len(e.key) for e in effective)
        for e in effective:
            lock = " [locked]" if e.locked else ""
            ctx.out(f"  {e.key:{width}}  {json.dumps(e.value)}  <- {e.source}{lock}")
    # Doctor reports; it fails only when the app cannot work at all (no writable cache).
    return 0 if all(c.ok for c in checks if c.name in ("data dir", "knowledge cache")) else 1
