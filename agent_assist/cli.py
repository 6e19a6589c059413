"""The ``agent-assist`` command: the desktop app by default, subcommands for everything else.

Exit codes: 0 success, 1 failure (one line on stderr saying what and where), 2 usage error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from agent_assist import __version__
from agent_assist.app.logs import FILE_ONLY, Logs, setup_logging
from agent_assist.commands import Context, register_all
from agent_assist.core.errors import AgentAssistError, PackError
from agent_assist.core.paths import data_dir

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agent-assist",
        description="Agent Assist: the right SOP and macro for the ticket in front of you. "
        "Without a subcommand, starts the desktop app.",
        epilog="Global options go before the subcommand: agent-assist --data-dir DIR import PACK",
    )
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    register_all(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
    finally:
        ctx.close()
        logs.close()


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
    sys.exit(main())
