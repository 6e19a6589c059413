"""login, logout, sync, publish: the desktop client's side of the team hub."""

from __future__ import annotations

import argparse
import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING

from agent_assist.commands import Context
from agent_assist.core.errors import SyncError
from agent_assist.core.settings import Settings, SettingsError
from agent_assist.sync.credentials import TOKEN_ENV

if TYPE_CHECKING:  # the sync modules load httpx: imported by the handlers that need them
    from agent_assist.sync.client import HubClient
    from agent_assist.sync.credentials import Credentials


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "login",
        help="save a hub token in the OS keyring",
        description="Check a token with the hub and save it in the OS keyring (service "
        "agent-assist, user name = the hub URL); also sets the hub_url setting. Without a "
        f"keyring the token cannot be saved: use {TOKEN_ENV} (see docs/sync.md).",
    )
    p.add_argument("--hub", required=True, metavar="URL", help="the hub's URL")
    p.add_argument(
        "--token-stdin", action="store_true", help="read the token from stdin (for scripts)"
    )
    p.set_defaults(handler=cmd_login)

    p = sub.add_parser("logout", help="remove the saved hub token")
    p.add_argument("--hub", metavar="URL", help="the hub (default: the hub_url setting)")
    p.set_defaults(handler=cmd_logout)

    p = sub.add_parser(
        "sync",
        help="pull knowledge from the hub and push handle-time events",
        description="One sync round: apply the hub's changes since the last sync, then send "
        "the event outbox, acknowledgements and suggestion feedback. Exit 0 when in sync.",
    )
    p.add_argument("--hub", metavar="URL", help="the hub (default: the hub_url setting)")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(handler=cmd_sync)

    p = sub.add_parser(
        "publish",
        help="check a pack and publish it to the hub (leads)",
        description="Check the pack with the same checks as 'validate', then upload it. The "
        "hub checks again and publishes nothing if anything is wrong.",
    )
    p.add_argument("path", type=Path, help="the pack folder (holding pack.yaml)")
    p.add_argument("--hub", metavar="URL", help="the hub (default: the hub_url setting)")
    p.add_argument("--note", default="", help="what changed, kept in each item's history")
    p.add_argument(
        "--prune", action="store_true", help="retire the pack's items that are no longer in it"
    )
    p.set_defaults(handler=cmd_publish)


def _hub(args: argparse.Namespace, ctx: Context) -> str:
    from agent_assist.sync.client import normalize_url

    url = normalize_url(args.hub or str(Settings(ctx.data_dir).get("hub_url") or ""))
    if not url:
        raise SyncError("no hub given: pass --hub URL or set the hub_url setting")
    if not url.startswith(("https://", "http://")):
        raise SyncError(f"'{url}' is not a hub URL (expected https://host[:port])")
    return url


def _client(url: str, token: str, ctx: Context) -> HubClient:
    from agent_assist.sync.client import HubClient, make_http

    ca_bundle = str(Settings(ctx.data_dir).get("ca_bundle") or "")
    return HubClient(make_http(url, ca_bundle), token)


def _token(url: str, creds: Credentials) -> str:
    token = creds.get(url)
    if not token:
        raise SyncError(
            f"no token for the hub {url}: run 'agent-assist login --hub {url}' or set {TOKEN_ENV}"
        )
    return token


def cmd_login(args: argparse.Namespace, ctx: Context) -> int:
    from agent_assist.sync.credentials import process_credentials
    from agent_assist.sync.errors import HubUnreachableError

    url, creds = _hub(args, ctx), process_credentials()
    if args.token_stdin:
        token = ctx.stdin.readline().strip()
    elif ctx.stdin.isatty():
        token = getpass.getpass(f"Token for {url}: ").strip()
    else:
        raise SyncError("no token: pass --token-stdin and write the token to stdin")
    if not token:
        raise SyncError("the token is empty")
    try:
        with _client(url, token, ctx) as client:
            who = client.whoami()
        ctx.out(f"Token accepted by {url}: {who.name} ({who.role})")
    except HubUnreachableError as exc:
        ctx.err(f"warning: could not check the token now ({exc}); saving it anyway")
    where = creds.store(url, token)
    if where == "keyring":
        ctx.out(f"Saved in the OS keyring (service agent-assist, user {url})")
    else:
        ctx.err(
            f"warning: {creds.warning}. The token was NOT saved; for the command line, "
            f"set {TOKEN_ENV} in the environment instead."
        )
    try:
        Settings(ctx.data_dir).set("hub_url", url)
    except SettingsError as exc:
        ctx.err(f"warning: hub_url not changed: {exc}")
    return 0 if where == "keyring" else 1


def cmd_logout(args: argparse.Namespace, ctx: Context) -> int:
    from agent_assist.sync.credentials import process_credentials

    url = _hub(args, ctx)
    if process_credentials().forget(url):
        ctx.out(f"Removed the token for {url}")
    else:
        ctx.out(f"No saved token for {url}")
    return 0


def cmd_sync(args: argparse.Namespace, ctx: Context) -> int:
    from agent_assist.sync.credentials import process_credentials
    from agent_assist.sync.service import SyncState, run_sync

    url, creds = _hub(args, ctx), process_credentials()
    warning = creds.warn_once()
    if warning and creds.source(url) != "environment":
        ctx.err(f"warning: {warning}")
    report, details = run_sync(ctx.data_dir, Settings(ctx.data_dir), hub_url=url)
    if args.json:
        out = {
            "state": report.state.value,
            "at": report.at.isoformat(),
            "error": report.error,
            **details.to_json(),
        }
        ctx.out(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        if details.key_pinned:
            ctx.out(f"Pinned the hub's signing key: ed25519 {details.key_pinned}")
        ctx.out(f"{url}: {report.state.value}")
        for label in details.changed:
            ctx.out(f"  changed  {label}")
        for label in details.skipped:
            ctx.err(f"  skipped  {label}")
        ctx.out(
            f"{len(details.changed)} item(s) changed; {details.pushed} event(s) pushed, "
            f"{details.pending} waiting; {details.acks} acknowledgement(s), "
            f"{details.feedback} feedback pair(s) sent; {details.learned} phrasing(s) learned"
        )
        if report.error:
            ctx.err(f"agent-assist: {report.error}")
    return 0 if report.state is SyncState.ONLINE and not report.error else 1


def cmd_publish(args: argparse.Namespace, ctx: Context) -> int:
    from agent_assist.sync.credentials import process_credentials
    from agent_assist.sync.errors import HubRejectedError
    from agent_assist.sync.publish import publish_pack

    url = _hub(args, ctx)
    token = _token(url, process_credentials())
    with _client(url, token, ctx) as client:
        try:
            pack, result = publish_pack(client, args.path, note=args.note, prune=args.prune)
        except HubRejectedError as exc:
            if not exc.problems:
                raise
            for problem in exc.problems:
                ctx.err(f"{args.path}/{problem}")
            raise SyncError(f"{exc}; nothing was published") from exc
    for problem in pack.warnings:
        ctx.err(f"{args.path}/{problem}")
    for label in result.published:
        ctx.out(f"  published  {label}")
    for label in result.retired:
        ctx.out(f"  retired    {label}")
    ctx.out(
        f"Published pack to {url}: {len(result.published)} new version(s), "
        f"{result.unchanged} unchanged, {len(result.retired)} retired (cursor {result.cursor})"
    )
    return 0
