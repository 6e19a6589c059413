"""``agent-assist-hub``: serve the hub and administer its store from the command line.

Every subcommand takes ``--data-dir`` and ``--database`` so scripts point at one hub store;
commands other than ``serve`` work on the database directly (no running hub needed).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent_assist.core.errors import AgentAssistError
from agent_assist.hub.serve import add_arguments as add_serve_arguments

DATA_DIR_ENV = "AGENT_ASSIST_HUB_DATA_DIR"
DATABASE_ENV = "AGENT_ASSIST_HUB_DATABASE"
# The `hub` extra: a desktop install (`pip install agent-assist`) has none of these.
SERVER_MODULES = ("fastapi", "uvicorn", "psycopg", "prometheus_client")
SERVER_EXTRA_HINT = "the hub needs the server packages: pip install 'agent-assist[hub]'"
FORMATS = ("table", "csv", "json")  # of the reports (hub/report_format.py)


def missing_server_modules() -> list[str]:
    """The server packages that cannot be imported (without importing them: that is slow)."""
    missing = []
    for name in SERVER_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


def _default_data_dir() -> Path:
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV])
    import platformdirs

    return Path(platformdirs.user_data_dir("agent-assist-hub", appauthor=False))


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir", type=Path, default=None, help=f"hub data dir (env {DATA_DIR_ENV})"
    )
    common.add_argument(
        "--database",
        default=os.environ.get(DATABASE_ENV),
        help=f"postgresql://... (default: SQLite in the data dir; env {DATABASE_ENV})",
    )
    parser = argparse.ArgumentParser(prog="agent-assist-hub", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", parents=[common], help="run the hub (HTTP or HTTPS)")
    add_serve_arguments(serve)

    token = sub.add_parser("token", help="manage bearer tokens")
    tsub = token.add_subparsers(dest="token_command", required=True)
    create = tsub.add_parser("create", parents=[common], help="create a token (printed once)")
    create.add_argument("--role", required=True, choices=("agent", "lead", "admin"))
    create.add_argument("--name", required=True)
    create.add_argument(
        "--expires",
        default="never",
        metavar="WHEN",
        help="when the token stops working: 30d, 12h, 2w, an ISO time, or never (default)",
    )
    tsub.add_parser("list", parents=[common], help="list tokens (never the tokens themselves)")
    revoke = tsub.add_parser("revoke", parents=[common], help="revoke a token")
    revoke.add_argument("name")

    secret = sub.add_parser("secret", help="the team's key for ticket hashes")
    ssub = secret.add_subparsers(dest="secret_command", required=True)
    ssub.add_parser("rotate", parents=[common], help="make a new key (old ones are kept)")
    ssub.add_parser("list", parents=[common], help="list key ids (never the keys)")

    export = sub.add_parser("export-pack", parents=[common], help="write a signed offline pack")
    export.add_argument("out", type=Path, help="the zip to write")
    export.add_argument("--sign", action="store_true", required=True, help="sign (required)")

    report = sub.add_parser("report", help="reports for leads")
    rsub = report.add_subparsers(dest="report_command", required=True)
    fmt = argparse.ArgumentParser(add_help=False)
    fmt.add_argument("--format", choices=FORMATS, default="table", help="default: table")
    sops = rsub.add_parser("sops", parents=[common, fmt], help="per SOP version")
    sops.add_argument("--since", default=None, help="7d, 24h or an ISO time")
    sops.add_argument("--sop", default=None, help="only this SOP's versions")
    compare = rsub.add_parser("compare", parents=[common, fmt], help="compare two versions")
    compare.add_argument("--sop", required=True)
    compare.add_argument("-a", type=int, required=True)
    compare.add_argument("-b", type=int, required=True)
    gaps = rsub.add_parser("gaps", parents=[common, fmt], help="what agents did not find")
    gaps.add_argument("--since", default=None, help="7d, 24h or an ISO time")
    gaps.add_argument("--all", action="store_true", help="also groups already decided")

    demo = sub.add_parser(
        "demo", parents=[common], help="a hub seeded with weeks of simulated team work"
    )
    demo.add_argument("--port", type=int, default=0, help="default: a free port")
    demo.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    return parser


def app_from_env() -> Any:
    """The app of one worker process of ``serve --workers N`` (kept here for old units)."""
    from agent_assist.hub.serve import app_from_env as build

    return build()


def _secret(args: argparse.Namespace, db: Any) -> None:
    from agent_assist.hub import team_secret

    if args.secret_command == "rotate":
        key, previous = team_secret.rotate(db)
        print(f"team key {key.key_id} is current (replaces {previous or 'none'}; old keys kept)")
    else:
        for k in team_secret.list_keys(db):
            state = "current" if k["current"] else f"retired {k['retired_at']}"
            print(f"{k['key_id']}\t{k['created_at']}\t{state}")


def run(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    data_dir = args.data_dir or _default_data_dir()
    if args.command == "serve":
        from agent_assist.hub.serve import serve

        return serve(args, data_dir, DATA_DIR_ENV, DATABASE_ENV)
    if args.command == "demo":
        from agent_assist.hub.demo import run_demo

        return run_demo(data_dir, args.database, args.host, args.port)

    from agent_assist.hub import auth
    from agent_assist.hub.db import Database

    db = Database.open(args.database, data_dir)
    try:
        if args.command == "token":
            if args.token_command == "create":
                expires = auth.parse_expiry(args.expires)
                print(auth.create_token(db, args.name, auth.Role.parse(args.role), expires))
            elif args.token_command == "list":
                for t in auth.list_tokens(db):
                    state = "active" if t["active"] else f"revoked {t['revoked_at']}"
                    if not t["active"] and not t["revoked_at"]:
                        state = f"expired {t['expires_at']}"
                    until = f"expires {t['expires_at']}" if t["expires_at"] else "no expiry"
                    print(f"{t['name']}\t{t['role']}\t{t['created_at']}\t{state}\t{until}")
            else:
                auth.revoke_token(db, args.name)
                print(f"revoked {args.name}")
        elif args.command == "secret":
            _secret(args, db)
        elif args.command == "export-pack":
            from agent_assist.hub.export import export_pack

            summary = export_pack(db, data_dir, args.out)
            print(
                f"wrote {summary['path']}: {summary['items']} item(s), signed by key "
                f"{summary['fingerprint']}"
            )
        else:
            from agent_assist.hub import report_format, reports

            if args.report_command == "sops":
                since = reports.parse_since(args.since)
                data = reports.sop_report(db, since, sop_id=args.sop)
            elif args.report_command == "gaps":
                since = reports.parse_since(args.since)
                data = reports.gaps_report(db, since, include_decided=args.all)
            else:
                data = reports.compare_versions(db, args.sop, args.a, args.b)
            print(report_format.render(args.report_command, args.format, data))
    finally:
        db.close()
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    missing = missing_server_modules()
    if missing:
        print(
            f"agent-assist-hub: {SERVER_EXTRA_HINT} (missing: {', '.join(missing)})",
            file=sys.stderr,
        )
        sys.exit(1)
    try:
        code = run(argv)
    except AgentAssistError as exc:
        print(f"agent-assist-hub: {exc}", file=sys.stderr)
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
