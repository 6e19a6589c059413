"""Pull: the hub's change feed into the knowledge cache, one transaction per page.

Each page is parsed completely (every item's text read exactly as a pack file would be, by
:func:`agent_assist.core.knowledge.reader.parse_item`) before anything is written; then the page
and the cursor after it are stored together.  A sync stopped at any point therefore leaves the
cache exactly as it was before the page it was working on, and the next sync resumes there.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from agent_assist.core.cache.hub_sync import HubPage, HubRetire, HubUpsert
from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.problems import Severity
from agent_assist.core.knowledge.reader import parse_item
from agent_assist.sync import wire
from agent_assist.sync.client import HubClient
from agent_assist.sync.errors import MalformedReplyError
from agent_assist.sync.killpoints import page_limit

log = logging.getLogger(__name__)
PAGE_LIMIT = 500
MAX_PAGES_PER_SYNC = 10_000
"""A safety net against a hub whose feed never ends: the next sync continues."""


@dataclass
class PullResult:
    changed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Items the hub sent that this client cannot read (a newer pack format?): kept as they
    were, each with the first problem found."""
    pages: int = 0


def to_page(page: wire.ChangesPage, skipped: list[str]) -> HubPage:
    """The cache's form of a feed page; items that do not parse are left out and named in
    ``skipped`` (their older version stays)."""
    changes: list[HubUpsert | HubRetire] = []
    packs: dict[str, str] = {}
    for change in page.changes:
        if change.op == "retire":
            changes.append(HubRetire(change.kind, change.id))
            continue
        item, problems = parse_item(
            change.source_text,
            change.source_path or f"{change.kind}s/{change.id}.md",
            change.kind,
            change.pack_locale,
        )
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if item is None or errors:
            first = errors[0] if errors else problems[0] if problems else "unreadable"
            skipped.append(f"{change.kind}:{change.id} v{change.version}: {first}")
            log.warning(
                "hub item %s:%s v%s skipped: %s", change.kind, change.id, change.version, first
            )
            continue
        if item.content.id != change.id or item.content.kind is not change.kind:
            raise MalformedReplyError(
                f"GET /v1/changes: seq {change.seq} says {change.kind}:{change.id} but its "
                f"text holds {item.content.kind}:{item.content.id}"
            )
        packs[change.pack] = change.pack_locale
        changes.append(HubUpsert(change.pack, item, change.version, change.content_hash))
    return HubPage(tuple(changes), packs, page.cursor, page.etag)


def pull(
    client: HubClient,
    store: Store,
    *,
    after_page: Callable[[int], None] | None = None,
    before_commit: Callable[[int], None] | None = None,
    result: PullResult | None = None,
) -> PullResult:
    """Apply every page after the stored cursor, recording progress in ``result`` as each
    page commits (so a caller that sees an exception still knows what changed).
    ``after_page(n)`` runs after page ``n`` (1-based) committed, ``before_commit(n)`` just
    before it commits: hooks for tests."""
    result = result if result is not None else PullResult()
    hub = client.base_url
    while result.pages < MAX_PAGES_PER_SYNC:
        state = store.hub_state(hub)
        page = client.changes(state.cursor, limit=page_limit(PAGE_LIMIT), etag=state.etag)
        if page is None:  # 304: nothing new
            return result
        if not page.changes and page.cursor == state.cursor:
            return result
        n = result.pages + 1
        hook = functools.partial(before_commit, n) if before_commit else None
        result.changed += store.apply_hub_page(
            hub, to_page(page, result.skipped), before_commit=hook
        )
        result.pages = n
        if after_page is not None:
            after_page(n)
        if not page.more:
            return result
    return result
