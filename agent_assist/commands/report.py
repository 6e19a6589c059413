"""report: handle-time figures from the local event log (count, median, p90, mean, rates)."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
from collections.abc import Callable

from agent_assist.app.sync import shareable_key
from agent_assist.commands import Context
from agent_assist.core.errors import AgentAssistError
from agent_assist.core.privacy import TeamKey, ticket_hash
from agent_assist.core.worklog.durations import parse_span, timings
from agent_assist.core.worklog.reports import FORMATS, GROUPINGS, build_report


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "report",
        help="handle time by ticket, SOP version, step or outcome",
        description="Handle-time figures for tickets ended in the period: "
        "count, median, p90, mean; per SOP version and step; skip "
        "and branch rates; escalation rate.",
    )
    p.add_argument(
        "--since",
        default="7d",
        metavar="SPAN|DATE",
        help="tickets ended in the last SPAN (7d, 24h, 2w) or since DATE "
        "(YYYY-MM-DD, UTC); default 7d",
    )
    p.add_argument("--by", choices=GROUPINGS, default="sop", help="rows per (default sop)")
    p.add_argument("--format", choices=FORMATS, default="table", help="default table")
    p.add_argument(
        "--shareable",
        action="store_true",
        help="show tickets as keyed hashes, fit to leave this workstation (keyed with "
        "the hub's team key after a sync, else this workstation's own key)",
    )
    p.set_defaults(handler=cmd_report)


def _since(text: str, now: dt.datetime) -> dt.datetime:
    try:
        day = dt.datetime.fromisoformat(text)
    except ValueError:
        return now - parse_span(text)
    if day.tzinfo is None:
        day = day.replace(tzinfo=dt.UTC)
    if day > now:
        raise AgentAssistError(f"--since {text} is in the future")
    return day


def _hashed(ticket: str, key: TeamKey) -> str:
    return ticket_hash(ticket, key)


def cmd_report(args: argparse.Namespace, ctx: Context) -> int:
    log = ctx.app.events
    now = ctx.app.clock.now()
    since = _since(args.since, now.wall)
    sessions = log.sessions(log.sessions_ended_since(since))
    label: Callable[[str], str] = str
    if args.shareable:
        key = shareable_key(ctx.app)  # the hub's team key, as the events pushed to it
        label = functools.partial(_hashed, key=key)
    report = build_report(timings(list(sessions.values())), args.by, since, now.wall, label)
    ctx.out(report.render(args.format))
    return 0
