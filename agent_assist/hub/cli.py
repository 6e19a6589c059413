"""``agent-assist-hub``: serve the hub and administer its store from the command line.

Every subcommand takes ``--data-dir`` and ``--database`` so scripts point at one hub store;
commands other than ``serve`` work on the database directly (no running hub needed).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent_assist.core.errors import AgentAssistError

DEFAULT_PORT = 8750
DATA_DIR_ENV = "AGENT_ASSIST_HUB_DATA_DIR"
DATABASE_ENV = "AGENT_ASSIST_HUB_DATABASE"
KEEPALIVE_ENV = "AGENT_ASSIST_HUB_SSE_KEEPALIVE"
ACCESS_LOGGER = "agent_assist.hub.access"


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

    serve = sub.add_parser("serve", parents=[common], help="run the hub (HTTP)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--sse-keepalive", type=float, default=15.0, help="seconds")
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--no-access-log", action="store_true", help="no JSON access log (benchmarks)"
    )
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")

    token = sub.add_parser("token", help="manage bearer tokens")
    tsub = token.add_subparsers(dest="token_command", required=True)
    create = tsub.add_parser("create", parents=[common], help="create a token (printed once)")
    create.add_argument("--role", required=True, choices=("agent", "lead", "admin"))
    create.add_argument("--name", required=True)
    tsub.add_parser("list", parents=[common], help="list tokens (never the tokens themselves)")
    revoke = tsub.add_parser("revoke", parents=[common], help="revoke a token")
    revoke.add_argument("name")

    export = sub.add_parser("export-pack", parents=[common], help="write a signed offline pack")
    export.add_argument("out", type=Path, help="the zip to write")
    export.add_argument("--sign", action="store_true", required=True, help="sign (required)")

    report = sub.add_parser("report", help="reports for leads")
    rsub = report.add_subparsers(dest="report_command", required=True)
    sops = rsub.add_parser("sops", parents=[common], help="per SOP version")
    sops.add_argument("--since", default=None, help="7d, 24h or an ISO time")
    compare = rsub.add_parser("compare", parents=[common], help="compare two versions")
    compare.add_argument("--sop", required=True)
    compare.add_argument("-a", type=int, required=True)
    compare.add_argument("-b", type=int, required=True)
    return parser


def _serve(args: argparse.Namespace, data_dir: Path) -> int:
    import uvicorn

    from agent_assist.hub.app import create_app

    logging.basicConfig(level=args.log_level.upper(), format="%(message)s", stream=sys.stderr)
    if args.no_access_log:
        logging.getLogger(ACCESS_LOGGER).setLevel(logging.WARNING)
    options = {
        "host": args.host,
        "port": args.port,
        "access_log": False,  # the hub writes its own JSON access log
        "log_level": args.log_level,
        "timeout_graceful_shutdown": 3,
        # Longer than a reverse proxy's upstream keep-alive (nginx: 60 s) and than a client's
        # poll interval, so a kept-alive connection is not closed just as it is reused.
        "timeout_keep_alive": 65,
    }
    if args.workers > 1:
        # Each worker process builds its own app from the environment (uvicorn's factory
        # mode); they share the database like replicas do.
        os.environ[DATA_DIR_ENV] = str(data_dir)
        if args.database:
            os.environ[DATABASE_ENV] = args.database
        os.environ[KEEPALIVE_ENV] = str(args.sse_keepalive)
        uvicorn.run(f"{__name__}:app_from_env", factory=True, workers=args.workers, **options)
    else:
        uvicorn.run(create_app(args.database, data_dir, keepalive=args.sse_keepalive), **options)
    return 0


def app_from_env() -> Any:
    """The app of one worker process of ``serve --workers N``."""
    from agent_assist.hub.app import create_app

    keepalive = float(os.environ.get(KEEPALIVE_ENV, "15"))
    return create_app(os.environ.get(DATABASE_ENV), _default_data_dir(), keepalive=keepalive)


def run(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    data_dir = args.data_dir or _default_data_dir()
    if args.command == "serve":
        return _serve(args, data_dir)

    from agent_assist.hub import auth
    from agent_assist.hub.db import Database

    db = Database.open(args.database, data_dir)
    try:
        if args.command == "token":
            if args.token_command == "create":
                print(auth.create_token(db, args.name, auth.Role.parse(args.role)))
            elif args.token_command == "list":
                for t in auth.list_tokens(db):
                    state = "active" if t["active"] else f"revoked {t['revoked_at']}"
                    print(f"{t['name']}\t{t['role']}\t{t['created_at']}\t{state}")
            else:
                auth.revoke_token(db, args.name)
                print(f"revoked {args.name}")
        elif args.command == "export-pack":
            from agent_assist.hub.export import export_pack

            summary = export_pack(db, data_dir, args.out)
            print(
                f"wrote {summary['path']}: {summary['items']} item(s), signed by key "
                f"{summary['fingerprint']}"
            )
        else:
            from agent_assist.hub import reports

            if args.report_command == "sops":
                data = reports.sop_report(db, reports.parse_since(args.since))
            else:
                data = reports.compare_versions(db, args.sop, args.a, args.b)
            print(json.dumps(data, indent=2, ensure_ascii=False))
    finally:
        db.close()
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    try:
        code = run(argv)
    except AgentAssistError as exc:
        print(f"agent-assist-hub: {exc}", file=sys.stderr)
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
