"""The ``agent-assist`` command: the desktop app by default, subcommands for everything else.

Exit codes: 0 success, 1 failure (one line on stderr saying what and where), 2 usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from agent_assist import __version__
from agent_assist.app.logs import FILE_ONLY, Logs, setup_logging
from agent_assist.commands import Context
from agent_assist.core.errors import AgentAssistError, PackError
from agent_assist.core.paths import data_dir

log = logging.getLogger(__name__)


class _NotTheGuiError(Exception):
    """The command line is not a plain desktop-app start (see :func:`gui_args`)."""


class _QuietParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _NotTheGuiError(message)


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The whole command line; ``commands=False`` leaves the subcommands out (and never
    prints: :func:`gui_args` uses it only to recognise a desktop-app start)."""
    kind = argparse.ArgumentParser if commands else _QuietParser
    parser = kind(
        prog="agent-assist",
        add_help=commands,
        description="Agent Assist: the right SOP and macro for the ticket in front of you. "
        "Without a subcommand, starts the desktop app.",
        epilog="Global options go before the subcommand: agent-assist --data-dir DIR import PACK",
    )
    if commands:
        parser.add_argument("--version", action="version", version=f"agent-assist {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="keep all data in DIR (default: $AGENT_ASSIST_DATA_DIR or the "
        "platform's user data folder)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="log everything to stderr and to the log file (agent-assist.log in the data dir)",
    )
    gui = parser.add_argument_group("desktop app options")
    gui.add_argument(
        "--smoke",
        action="store_true",
        help="start, show the window, then quit (for install checks)",
    )
    gui.add_argument(
        "--screenshot", metavar="PNG", help="save a screenshot of the window once shown, then quit"
    )
    gui.add_argument("--query", metavar="TEXT", help="start with TEXT in the search field")
    gui.add_argument(
        "--demo-state",
        metavar="NAME",
        choices=("search", "sop", "checklist", "macro"),
        help="play a named state (search, sop, checklist, macro), then quit; with --screenshot "
        "it is saved as PNG (use a throwaway --data-dir: it writes like real use)",
    )
    if commands:
        from agent_assist.commands import register_all

        sub = parser.add_subparsers(dest="command", metavar="COMMAND")
        register_all(sub)
    return parser


def gui_args(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """The options of a desktop-app start, or None when ``argv`` is anything else.

    Building the whole parser imports every command's module, which a start of the window
    does not need (a tenth of a second on a workstation): when the line holds only the global
    and desktop options, they are read without it.  Anything else (a subcommand, ``--help``,
    ``--version``, a mistake) goes to the whole parser, which says what it has to say.
    """
    try:
        args, rest = build_parser(commands=False).parse_known_args(argv)
    except _NotTheGuiError:
        return None
    if rest:
        return None
    args.command = None
    return args


def exit_now(code: int) -> NoReturn:
    """End the process once the desktop app has closed everything it had open.

    By then the event log and the knowledge cache are closed, the worker has stopped and the
    log is flushed; the interpreter's own tear-down (every Qt object and module, one by one)
    only makes the agent wait for a window that is already gone, so it is skipped.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    logging.shutdown()
    os._exit(code)


def run() -> NoReturn:
    """The ``agent-assist`` entry point: :func:`main`, then a quick exit after the app."""
    code = main(quick_exit=True)
    sys.exit(code)


def main(argv: Sequence[str] | None = None, *, quick_exit: bool = False) -> int:
    """Run the command line ``argv``; with ``quick_exit``, a desktop-app run ends the process
    (:func:`exit_now`) once everything is closed instead of returning."""
    args = gui_args(argv) or build_parser().parse_args(argv)
    ctx = Context(
        data_dir=data_dir(args.data_dir),
        data_dir_option=args.data_dir,
        stdout=sys.stdout,
        stderr=sys.stderr,
        stdin=sys.stdin,
        agent=getattr(args, "agent", None),
    )
    logs = setup_logging(ctx.data_dir, args.debug, ctx.stderr)
    try:
        code = dispatch(args, ctx, logs)
    finally:
        ctx.close()
        logs.close()
    if args.command is None and quick_exit:
        exit_now(code)
    return code


def dispatch(args: argparse.Namespace, ctx: Context, logs: Logs) -> int:
    """Run the desktop app or the subcommand; errors become one line on stderr and a code."""
    try:
        if args.command is None:
            from agent_assist.ui.app import run_app  # Qt only when the GUI is wanted

            return run_app(args, ctx.app, ctx.stdout, ctx.stderr, logs)
        return int(args.handler(args, ctx))
    except PackError as exc:
        for problem in exc.problems:
            ctx.err(str(problem))
        ctx.err(f"agent-assist: {exc}")
        return 1
    except AgentAssistError as exc:
        ctx.err(f"agent-assist: {exc}")
        return 1
    except KeyboardInterrupt:
        ctx.err("agent-assist: interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        return report_bug(exc, logs, ctx)


def report_bug(exc: Exception, logs: Logs, ctx: Context) -> int:
    """A bug: one line on stderr saying where the details are, the report in the log."""
    from agent_assist.app.crash import bug_report, error_summary

    report = bug_report(exc)
    log.critical("unexpected error\n%s", report, extra=FILE_ONLY)
    if logs.path is None:  # no log file to point at: the details go to stderr
        ctx.err(report)
    where = f"; details in {logs.path}" if logs.path is not None else ""
    ctx.err(f"agent-assist: unexpected error: {error_summary(exc)}{where}")
    return 1


if __name__ == "__main__":
    run()
