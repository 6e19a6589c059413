"""suggest: ranked SOPs and macros for a customer's words (one JSON line per query)."""

from __future__ import annotations

import argparse
import json

from agent_assist.commands import Context
from agent_assist.core.knowledge.models import Kind


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "suggest",
        help="suggest SOPs and macros for a customer's words",
        description="Rank SOPs and macros for QUERY, or for each line of stdin when no QUERY "
        "is given (answers stream one per line, in order).",
    )
    p.add_argument("query", nargs="*", help="the customer's words")
    p.add_argument("--limit", type=positive_int, default=5, help="results per query (default 5)")
    p.add_argument("--kind", choices=[k.value for k in Kind], help="only this kind")
    p.add_argument(
        "--json",
        action="store_true",
        help='one JSON object per query: {"query", "results": [{"kind", "id", '
        '"title", "score", "confident"}]}',
    )
    p.set_defaults(handler=cmd_suggest)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def cmd_suggest(args: argparse.Namespace, ctx: Context) -> int:
    search = ctx.app.search  # the app's own query: ranking, then each result's badges
    kind = Kind(args.kind) if args.kind else None
    queries = [" ".join(args.query)] if args.query else (line.rstrip("\r\n") for line in ctx.stdin)
    for query in queries:
        results = (  # the fused ranking: no typing to keep up with here
            search.rows(query, limit=args.limit, kind=kind, semantic=True) if query.strip() else []
        )
        if args.json:
            ctx.out(
                json.dumps(
                    {"query": query, "results": [r.to_json() for r in results]}, ensure_ascii=False
                )
            )
            continue
        if not results:
            ctx.out(f"{query}\n  (no match)")
            continue
        ctx.out(query if not args.query else f"Suggestions for: {query}")
        for n, r in enumerate(results, 1):
            mark = "" if r.confident else "  (weak)"
            ctx.out(f"  {n}. {r.score or 0:.2f}  {r.kind.value:5} {r.id}  {r.title}{mark}")
    return 0
