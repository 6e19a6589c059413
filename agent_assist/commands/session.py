"""session: time a ticket from the command line, through the same calls the desktop UI makes.

Every command is its own process, hence its own clock run: time between two commands is
measured on the wall clock (see ``core/worklog/durations.py``).  Tests drive time with
``$AGENT_ASSIST_FAKE_CLOCK`` (``core/worklog/clock.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator

from agent_assist.app.identity import AGENT_ENV
from agent_assist.commands import Context
from agent_assist.core.errors import NotFoundError, SessionError
from agent_assist.core.knowledge.models import Kind, Sop
from agent_assist.core.worklog.durations import SopRef, format_seconds, parse_span
from agent_assist.core.worklog.events import Outcome
from agent_assist.core.worklog.sessions import SessionService


def agent_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--agent", metavar="ID", help=f"agent id (default: ${AGENT_ENV} or your login name)"
    )


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    top = sub.add_parser(
        "session",
        help="time a ticket: start, pause, resume, step, end",
        description="Log handle time for tickets. Commands act on the most "
        "recent open ticket; --ticket T picks another.",
    )
    cmds = top.add_subparsers(dest="session_command", metavar="ACTION", required=True)

    p = cmds.add_parser("start", help="start timing a ticket")
    p.add_argument("ticket", help="the ticket id, as in your ticketing tool (stays local)")
    p.add_argument(
        "--sop", metavar="ID", help="the SOP you follow (its current version is recorded)"
    )
    p.set_defaults(handler=cmd_start)
    for name, handler, text in (
        ("pause", cmd_pause, "pause a ticket (time stops)"),
        ("resume", cmd_resume, "resume a paused ticket"),
    ):
        p = cmds.add_parser(name, help=text)
        p.set_defaults(handler=handler)

    p = cmds.add_parser("step", help="record that you are on a checklist step")
    p.add_argument("step_id", help="the step's id in the SOP")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--choice", metavar="LABEL", help="answer a decision step")
    how.add_argument("--skip", metavar="REASON", help="skip the step, saying why")
    p.set_defaults(handler=cmd_step)

    p = cmds.add_parser("end", help="end a ticket with its outcome")
    p.add_argument("--outcome", required=True, choices=[o.value for o in Outcome])
    p.set_defaults(handler=cmd_end)

    p = cmds.add_parser("status", help="show open tickets and their time so far")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_status)

    p = cmds.add_parser(
        "trim",
        help="count only part of the time since the ticket's last "
        "event (forgot to pause, app crashed)",
    )
    p.add_argument(
        "--keep",
        required=True,
        metavar="DURATION",
        help="how much of that time was work, e.g. 5m or 0",
    )
    p.set_defaults(handler=cmd_trim)
    p = cmds.add_parser(
        "confirm", help="count all the time since the ticket's last event, even beyond the 4 h cap"
    )
    p.set_defaults(handler=cmd_confirm)

    for name, parser in cmds.choices.items():
        agent_option(parser)
        if name not in ("start", "status"):
            parser.add_argument("--ticket", metavar="T", help="which open ticket")


@contextlib.contextmanager
def _service(args: argparse.Namespace, ctx: Context) -> Iterator[SessionService]:
    """The app's own session service (one clock, one agent-id rule, retention on open)."""
    yield ctx.app.work.sessions


def cmd_start(args: argparse.Namespace, ctx: Context) -> int:
    sop = None
    if args.sop:
        item = ctx.store.get(args.sop, Kind.SOP)
        sop = SopRef(item.content.id, item.version)
        if item.retired:
            ctx.err(f"agent-assist: warning: SOP '{args.sop}' is retired")
    with _service(args, ctx) as service:
        service.start(args.ticket, sop)
    used = f" with SOP {sop.id} v{sop.version}" if sop else ""
    ctx.out(f"Started {args.ticket.strip()}{used}")
    return 0


def cmd_pause(args: argparse.Namespace, ctx: Context) -> int:
    with _service(args, ctx) as service:
        t = service.pause(args.ticket)
    ctx.out(f"Paused {t.ticket} at {format_seconds(t.handle_seconds)}")
    return 0


def cmd_resume(args: argparse.Namespace, ctx: Context) -> int:
    with _service(args, ctx) as service:
        t = service.resume(args.ticket)
    ctx.out(f"Resumed {t.ticket} after a pause of {format_seconds(t.paused_seconds)} in all")
    return 0


def _check_step(ctx: Context, sop: SopRef | None, step_id: str, choice: str | None) -> None:
    """Catch typos against the SOP's steps when the cache holds the version being followed."""
    if sop is None:
        return
    try:
        item = ctx.store.get(sop.id, Kind.SOP)
    except NotFoundError:
        return
    if item.version != sop.version or not isinstance(item.content, Sop):
        return
    steps = {s.id: s for s in item.content.steps}
    if step_id not in steps:
        raise SessionError(
            f"SOP {sop.id} v{sop.version} has no step '{step_id}' "
            f"(steps: {', '.join(steps) or 'none'})"
        )
    labels = [c.label for c in steps[step_id].choices]
    if choice is not None and choice not in labels:
        raise SessionError(
            f"step '{step_id}' of SOP {sop.id} has no choice '{choice}' "
            f"(choices: {', '.join(labels) or 'none'})"
        )


def cmd_step(args: argparse.Namespace, ctx: Context) -> int:
    with _service(args, ctx) as service:
        current = service.running(args.ticket)
        _check_step(ctx, current.current_sop, args.step_id, args.choice)
        t = service.step(args.step_id, choice=args.choice, skip=args.skip, ticket=current.ticket)
    done = (
        f": chose '{args.choice}'"
        if args.choice is not None
        else ": skipped"
        if args.skip is not None
        else ""
    )
    ctx.out(f"{t.ticket}: step {args.step_id}{done}")
    return 0


def cmd_end(args: argparse.Namespace, ctx: Context) -> int:
    with _service(args, ctx) as service:
        t = service.end(Outcome(args.outcome), args.ticket)
    paused = f" (paused {format_seconds(t.paused_seconds)})" if t.paused_seconds else ""
    flags = f" [{' '.join(t.flags)}]" if t.flags else ""
    ctx.out(
        f"Ended {t.ticket}: {args.outcome}, handle time "
        f"{format_seconds(t.handle_seconds)}{paused}{flags}"
    )
    return 0


def cmd_status(args: argparse.Namespace, ctx: Context) -> int:
    with _service(args, ctx) as service:
        status = service.status()
        agent = service.agent_id
    if args.json:
        ctx.out(
            json.dumps(
                {"agent_id": agent, "open": [s.to_json() for s in status]},
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    if not status:
        ctx.out("No open tickets.")
    for s in status:
        t = s.timing
        state = "paused" if t.paused else "running"
        sop = f"  SOP {t.current_sop.id} v{t.current_sop.version}" if t.current_sop else ""
        step = f"  step {t.current_step}" if t.current_step else ""
        ctx.out(f"{t.ticket}  {state}  {format_seconds(t.handle_seconds)}{sop}{step}")
        if s.from_previous_run and not t.paused and s.idle_seconds > 15 * 60:
            ctx.out(
                f"  last event {format_seconds(s.idle_seconds)} ago; if that was not "
                f"work: agent-assist session trim --ticket {t.ticket} --keep 0"
            )
    return 0


def cmd_trim(args: argparse.Namespace, ctx: Context) -> int:
    keep = parse_span(args.keep).total_seconds()
    with _service(args, ctx) as service:
        service.trim_gap(keep, args.ticket)
    ctx.out(f"Counting {format_seconds(keep)} at most of the time since the last event")
    return 0


def cmd_confirm(args: argparse.Namespace, ctx: Context) -> int:
    with _service(args, ctx) as service:
        service.confirm_gap(args.ticket)
    ctx.out("Counting all of the time since the last event")
    return 0
