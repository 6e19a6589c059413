"""connect, tickets, ticket: the ticketing tool from the command line (``docs/connectors.md``).

Every command goes through :class:`agent_assist.app.tickets.TicketDesk`, the use cases the
desktop app's Tickets view calls.  ``ticket suggest`` prints the ``suggest`` command's JSON
(plus the ticket's reference); ``ticket reply`` posts a filled macro, or, when the tool is
offline, prints the filled text for the agent to paste and exits 3.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
from typing import Any

from agent_assist.app.tickets import (
    STATUSES,
    TOKEN_ENV,
    TOOLS,
    Message,
    Ticket,
    TicketSummary,
)
from agent_assist.commands import Context
from agent_assist.commands.suggest import positive_int
from agent_assist.core.errors import AgentAssistError

OFFLINE = 3
"""Exit status of ``ticket reply`` when the reply is filled but could not be posted."""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "connect",
        help="connect a ticketing tool (RT, Zendesk, Freshdesk, Zammad)",
        description="Check the credentials against the tool, then remember the tool, URL and "
        f"user in the settings and the token in the OS keyring. The token is asked for, or "
        f"taken from ${TOKEN_ENV} (which also wins over the keyring later).",
    )
    p.add_argument("tool", choices=list(TOOLS), help="which ticketing tool")
    p.add_argument("--url", required=True, help="the tool's web address, e.g. https://rt.example")
    p.add_argument(
        "--user",
        default="",
        help="your user name (RT) or e-mail address (Zendesk, Freshdesk, Zammad)",
    )
    p.set_defaults(handler=cmd_connect)

    p = sub.add_parser("tickets", help="list your open tickets in the connected tool")
    p.add_argument(
        "--mine", action="store_true", help="your open tickets (the default, said explicitly)"
    )
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=cmd_tickets)

    top = sub.add_parser("ticket", help="read, suggest for, reply to or change one ticket")
    cmds = top.add_subparsers(dest="ticket_command", metavar="ACTION", required=True)
    p = cmds.add_parser("show", help="the ticket and its conversation")
    _ref(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_show)

    p = cmds.add_parser(
        "suggest",
        help="suggest SOPs and macros for the ticket's latest customer message (starts its timer)",
    )
    _ref(p)
    p.add_argument("--limit", type=positive_int, default=5, help="results (default 5)")
    p.add_argument(
        "--json", action="store_true", help="the suggest command's JSON, plus the ticket"
    )
    p.set_defaults(handler=cmd_suggest)

    p = cmds.add_parser(
        "reply", help="post a macro filled from the ticket (starts or resumes its timer)"
    )
    _ref(p)
    p.add_argument("--macro", required=True, metavar="ID", help="the macro to send")
    p.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a field's value (repeat for several); wins over what the ticket fills in",
    )
    p.add_argument("--internal", action="store_true", help="post as an internal note")
    p.add_argument("--status", choices=STATUSES, help="then set the ticket's status")
    p.set_defaults(handler=cmd_reply)

    p = cmds.add_parser("take", help="assign the ticket to yourself")
    _ref(p)
    p.set_defaults(handler=cmd_take)

    p = cmds.add_parser("status", help="set the ticket's status")
    _ref(p)
    p.add_argument("status", choices=STATUSES)
    p.set_defaults(handler=cmd_status)

    p = cmds.add_parser(
        "quality",
        help="record what the tool says (satisfaction, reopened) about tickets you finished",
    )
    p.add_argument("--days", type=positive_int, default=30, help="how far back (default 30)")
    p.set_defaults(handler=cmd_quality)


def _ref(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar="REF", help="the ticket: its number (123) or tool:number")


def cmd_connect(args: argparse.Namespace, ctx: Context) -> int:
    desk = ctx.app.tickets
    secret = None
    if not os.environ.get(TOKEN_ENV, "").strip():
        prompt = f"{TOOLS[args.tool]} token for {args.user or 'you'}: "
        # from a pipe, the first line is the token
        secret = getpass.getpass(prompt) if ctx.stdin.isatty() else ctx.stdin.readline().strip()
    done = desk.connect(args.tool, args.url, args.user, secret)
    where = {
        "keyring": "the token is in the OS keyring",
        "environment": f"the token comes from ${TOKEN_ENV}",
        "memory": f"no OS keyring: the token is not saved; set ${TOKEN_ENV} for later commands",
    }[done.secret_kept_in]
    ctx.out(
        f"Connected to {TOOLS[args.tool]} at {done.config.url} as {done.config.user or '?'}: "
        f"{done.open_tickets} open ticket(s) of yours; {where}"
    )
    return 0


def cmd_tickets(args: argparse.Namespace, ctx: Context) -> int:
    tickets = ctx.app.tickets.my_tickets()
    if args.json:
        ctx.out(json.dumps([summary_json(t) for t in tickets], ensure_ascii=False))
        return 0
    if not tickets:
        ctx.out("No open tickets of yours.")
    for t in tickets:
        when = t.updated.astimezone().strftime("%Y-%m-%d %H:%M")
        ctx.out(f"{t.ref:12} {t.status:9} {when}  {t.requester_name}: {t.subject}")
    return 0


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    ticket = ctx.app.tickets.show(args.ref)
    if args.json:
        ctx.out(json.dumps(ticket_json(ticket), ensure_ascii=False))
        return 0
    s = ticket.summary
    ctx.out(f"{s.ref}  {s.subject}")
    ctx.out(f"Status: {s.status}   Requester: {s.requester_name} ({s.requester_locale or '?'})")
    for m in ticket.messages:
        kind = "internal note" if m.internal else ("customer" if m.from_customer else "reply")
        ctx.out(f"\n--- {m.author} ({kind}), {m.created.astimezone():%Y-%m-%d %H:%M}")
        ctx.out(m.text)
    return 0


def cmd_suggest(args: argparse.Namespace, ctx: Context) -> int:
    ticket, rows = ctx.app.tickets.suggest(args.ref, args.limit)
    query = ticket.latest_customer_text
    if args.json:
        data = {
            "query": query,
            "results": [r.to_json() for r in rows],
            "ticket": ticket.summary.ref,
        }
        ctx.out(json.dumps(data, ensure_ascii=False))
        return 0
    ctx.out(f"Suggestions for {ticket.summary.ref}: {ticket.summary.subject}")
    if not rows:
        ctx.out("  (no match)" if query.strip() else "  (no customer message to search with)")
    for n, r in enumerate(rows, 1):
        mark = "" if r.confident else "  (weak)"
        ctx.out(f"  {n}. {r.score or 0:.2f}  {r.kind.value:5} {r.id}  {r.title}{mark}")
    return 0


def cmd_reply(args: argparse.Namespace, ctx: Context) -> int:
    values = parse_fields(args.field)
    reply = ctx.app.tickets.reply(
        args.ref, args.macro, values, internal=args.internal, status=args.status
    )
    what = "Internal note" if reply.internal else "Reply"
    if not reply.posted:
        ctx.out(reply.text)
        ctx.err(
            f"agent-assist: the {what.lower()} to {reply.ref} was NOT posted: {reply.problem}. "
            "The filled text is above: paste it into the ticket."
        )
        return OFFLINE
    ctx.out(f"{what} posted to {reply.ref} (macro {reply.macro_id}):\n\n{reply.text}\n")
    if reply.status is not None:
        ended = "; its handle-time session ended (resolved)" if reply.session_ended else ""
        ctx.out(f"Status of {reply.ref} set to {reply.status}{ended}.")
    elif args.status is not None:
        ctx.err(f"agent-assist: the status was NOT set: {reply.problem}")
        return OFFLINE
    return 0


def cmd_take(args: argparse.Namespace, ctx: Context) -> int:
    ctx.app.tickets.take(args.ref)
    ctx.out(f"{args.ref} is yours.")
    return 0


def cmd_status(args: argparse.Namespace, ctx: Context) -> int:
    ctx.app.tickets.set_status(args.ref, args.status)
    ctx.out(f"Status of {args.ref} set to {args.status}.")
    return 0


def cmd_quality(args: argparse.Namespace, ctx: Context) -> int:
    count = ctx.app.tickets.record_quality(args.days)
    ctx.out(
        f"Recorded {count} quality signal(s) for tickets finished in the last {args.days} days."
    )
    return 0


def parse_fields(items: list[str]) -> dict[str, str]:
    """``["name=Maria", …]`` as a mapping; a malformed item is a one-line error."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise AgentAssistError(f"--field '{item[:60]}': expected NAME=VALUE")
        out[name.strip()] = value
    return out


def summary_json(t: TicketSummary) -> dict[str, Any]:
    return {
        "ref": t.ref,
        "tool": t.tool,
        "id": t.id,
        "subject": t.subject,
        "status": t.status,
        "requester_name": t.requester_name,
        "requester_locale": t.requester_locale,
        "updated": t.updated.isoformat(),
    }


def message_json(m: Message) -> dict[str, Any]:
    return {
        "author": m.author,
        "from_customer": m.from_customer,
        "internal": m.internal,
        "created": m.created.isoformat(),
        "text": m.text,
    }


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    return {
        **summary_json(ticket.summary),
        "latest_customer_text": ticket.latest_customer_text,
        "messages": [message_json(m) for m in ticket.messages],
    }
