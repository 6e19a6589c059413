"""scrub: remove customer PII from text (stdin to stdout), as the app does before sharing."""

from __future__ import annotations

import argparse

from agent_assist.commands import Context
from agent_assist.core.privacy import scrub


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "scrub",
        help="remove emails, phone, card and IBAN numbers, names… from stdin",
        description="Read text on stdin and write it to stdout with emails, phone numbers, "
        "payment card numbers, IBANs, IP addresses, postcodes and greeted names "
        "replaced by [email], [phone], [card], [iban], [ip], [postcode], [name].",
    )
    p.set_defaults(handler=cmd_scrub)


def cmd_scrub(args: argparse.Namespace, ctx: Context) -> int:
    ctx.stdout.write(scrub(ctx.stdin.read()))
    ctx.stdout.flush()
    return 0
