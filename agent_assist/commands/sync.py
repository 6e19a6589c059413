"""login, logout, sync, publish: the desktop client's side of the team hub."""

from __future__ import annotations

import argparse
import getpass
import json
from pathlib import Path

from agent_assist.app import sync
from agent_assist.app.sync import TOKEN_ENV
from agent_assist.commands import Context
from agent_assist.core.errors import SyncError


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
    p.add_argument(
        "--insecure-http",
        action="store_true",
        help="allow a plain http:// hub on another machine (the token crosses the network "
        "in the clear; sets the insecure_http setting). Prefer https://",
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


def cmd_login(args: argparse.Namespace, ctx: Context) -> int:
    url = sync.hub_url(ctx.app, args.hub)
    sync.check_transport(ctx.app, url, args.insecure_http)  # before asking for the token
    if args.token_stdin:
        token = ctx.stdin.readline().strip()
    elif ctx.stdin.isatty():
        token = getpass.getpass(f"Token for {url}: ").strip()
    else:
        raise SyncError("no token: pass --token-stdin and write the token to stdin")
    done = sync.sign_in(ctx.app, url, token, insecure_http=args.insecure_http)
    if done.who is not None:
        ctx.out(f"Token accepted by {url}: {done.who} ({done.role})")
    else:
        ctx.err(f"warning: could not check the token now ({done.unchecked_reason}); saved anyway")
    if done.hub_url_error:
        ctx.err(f"warning: hub_url not changed: {done.hub_url_error}")
    if done.saved_in == "keyring":
        ctx.out(f"Saved in the OS keyring (service agent-assist, user {url})")
        return 0
    ctx.err(
        f"warning: {done.warning}. The token was NOT saved; for the command line, "
        f"set {TOKEN_ENV} in the environment instead."
    )
    return 1


def cmd_logout(args: argparse.Namespace, ctx: Context) -> int:
    url, had = sync.sign_out(ctx.app, args.hub)
    ctx.out(f"Removed the token for {url}" if had else f"No saved token for {url}")
    return 0


def cmd_sync(args: argparse.Namespace, ctx: Context) -> int:
    url = sync.hub_url(ctx.app, args.hub)
    warning = sync.credentials_warning(url)
    if warning:
        ctx.err(f"warning: {warning}")
    report, details = sync.sync_now(ctx.app, url)
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
    return 0 if report.state.value == "online" and not report.error else 1


def cmd_publish(args: argparse.Namespace, ctx: Context) -> int:
    try:
        url, pack, result = sync.publish(ctx.app, args.path, args.hub, args.note, args.prune)
    except sync.PublishRefusedError as exc:
        for problem in exc.problems:
            ctx.err(f"{args.path}/{problem}")
        raise
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
