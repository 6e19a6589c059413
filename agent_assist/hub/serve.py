"""``agent-assist-hub serve``: uvicorn with the hub's bounds, optionally with TLS.

uvicorn runs with the hub's bounded HTTP protocol (``protocol.py``: header section at most
32 KiB and 10 s), the rate limits of ``--limit-*`` and, with ``--tls-cert``/``--tls-key``,
TLS on its own (a small team needs no reverse proxy for it).  With ``--workers N`` each worker
process builds its app from the environment (uvicorn's factory mode), sharing the database
like replicas do.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from agent_assist.core.errors import AgentAssistError

OPTIONS_ENV = "AGENT_ASSIST_HUB_SERVE_OPTIONS"
"""The app's options (limits, docs, keep-alive) for worker processes, as JSON."""
ACCESS_LOGGER = "agent_assist.hub.access"
DEFAULT_PORT = 8750
PROTOCOL = "agent_assist.hub.protocol:BoundedHttpToolsProtocol"


def add_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--sse-keepalive", type=float, default=15.0, help="seconds")
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--no-access-log", action="store_true", help="no JSON access log (benchmarks)"
    )
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.add_argument("--tls-cert", type=Path, help="PEM certificate (chain): serve HTTPS")
    serve.add_argument("--tls-key", type=Path, help="PEM private key of --tls-cert")
    serve.add_argument(
        "--docs", action="store_true", help="serve Swagger UI at /docs (loads it from a CDN)"
    )
    limits = serve.add_argument_group("rate limits (per process; N/s, N/min, N/h; 0: off)")
    limits.add_argument(
        "--limit-auth-failures",
        default="30/min",
        metavar="RATE",
        help="failed token checks per client IP and per token, then 429 (default 30/min)",
    )
    limits.add_argument(
        "--limit-writes",
        default="1200/min",
        metavar="RATE",
        help="POST/PUT/DELETE per token (default 1200/min)",
    )
    limits.add_argument(
        "--limit-ip-writes",
        default="12000/min",
        metavar="RATE",
        help="POST/PUT/DELETE per client IP (default 12000/min)",
    )


def _app_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "keepalive": args.sse_keepalive,
        "docs": args.docs,
        "workers": args.workers,
        "limits": {
            "auth_failures": args.limit_auth_failures,
            "writes": args.limit_writes,
            "ip_writes": args.limit_ip_writes,
        },
    }


def _build(database: str | None, data_dir: Path, options: dict[str, Any]) -> Any:
    from agent_assist.hub.app import create_app
    from agent_assist.hub.ratelimit import Rate, RateLimits

    try:
        limits = RateLimits(**{k: Rate.parse(v) for k, v in options["limits"].items()})
    except ValueError as exc:
        raise AgentAssistError(f"serve: {exc}") from None
    return create_app(
        database,
        data_dir,
        keepalive=options["keepalive"],
        limits=limits,
        docs=options["docs"],
        workers=options.get("workers", 1),
        own_process=True,
    )


def serve(args: argparse.Namespace, data_dir: Path, data_dir_env: str, database_env: str) -> int:
    import uvicorn

    logging.basicConfig(level=args.log_level.upper(), format="%(message)s", stream=sys.stderr)
    if args.no_access_log:
        logging.getLogger(ACCESS_LOGGER).setLevel(logging.WARNING)
    if bool(args.tls_cert) != bool(args.tls_key):
        raise AgentAssistError("serve: --tls-cert and --tls-key go together")
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "access_log": False,  # the hub writes its own JSON access log
        "log_level": args.log_level,
        "timeout_graceful_shutdown": 3,
        # Longer than a reverse proxy's upstream keep-alive (nginx: 60 s) and than a client's
        # poll interval, so a kept-alive connection is not closed just as it is reused.
        "timeout_keep_alive": 65,
        "http": _protocol(),
        "h11_max_incomplete_event_size": 32 * 1024,  # if httptools is missing (h11)
    }
    if args.tls_cert:
        options |= {"ssl_certfile": str(args.tls_cert), "ssl_keyfile": str(args.tls_key)}
    app_options = _app_options(args)
    if args.workers > 1:
        os.environ[data_dir_env] = str(data_dir)
        if args.database:
            os.environ[database_env] = args.database
        os.environ[OPTIONS_ENV] = json.dumps(app_options)
        uvicorn.run(f"{__name__}:app_from_env", factory=True, workers=args.workers, **options)
    else:
        uvicorn.run(_build(args.database, data_dir, app_options), **options)
    return 0


def _protocol() -> str:
    """The bounded httptools protocol, or h11 (bounded by ``h11_max_incomplete_event_size``)
    where httptools is not installed."""
    import importlib.util

    return PROTOCOL if importlib.util.find_spec("httptools") is not None else "h11"


def app_from_env() -> Any:
    """The app of one worker process of ``serve --workers N``."""
    from agent_assist.hub.cli import DATABASE_ENV, _default_data_dir

    options = json.loads(os.environ[OPTIONS_ENV])
    return _build(os.environ.get(DATABASE_ENV), _default_data_dir(), options)
