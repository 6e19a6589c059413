"""Who holds a bearer token, as of this very request, on every replica.

Verified tokens are cached by hash together with the value of the database's ``tokens``
counter they were read under; every create and revoke moves that counter in its own
transaction (``auth.py``).  Each request first reads the counter and trusts the cache only
while it has not moved, so a token revoked through any replica or the CLI is refused on the
next request everywhere.

The counter read is one row, and it is shared: while one read is in flight, the requests
that arrive queue for the next one, which starts after they arrived (so its answer is at
least as new as each of them).  Under load a replica therefore reads the counter about once
per database round trip, however many requests it serves.  Token lookups are shared the same
way: the tokens not in the cache are looked up together, one query for all that arrived
while the previous lookup was under way (when a team's desktops start at once, a thousand
different tokens cost a handful of queries, not a thousand worker-thread round trips).

Where the replica can know without waiting that no token changed, the read is skipped:
``peek`` gives a value that moves with every token change (on SQLite the counter itself,
read on the event loop's own connection; on PostgreSQL the epoch of ``LISTEN`` notices while
they are known to arrive, see ``notices.py``), or ``None`` when it cannot tell, and then the
shared read above is done.  :meth:`TokenCheck.cached` is the idle-poll fast path's check: a
token this replica verified since the last change, or nothing (``fastpath.py``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Hashable
from typing import Any

from starlette.concurrency import run_in_threadpool

from agent_assist.hub.auth import TokenRow, generation, lookup_many
from agent_assist.hub.db import Database


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Mark a shared read's failure as seen even if every waiter went away."""
    if not task.cancelled():
        task.exception()


class TokenCheck:
    """Looks tokens up for the gate (``gate.py``); one per hub app."""

    def __init__(
        self,
        db: Database,
        size: int = 50_000,
        now: Callable[[], dt.datetime] = _utc_now,
        peek: Callable[[], Hashable | None] | None = None,
    ) -> None:
        self.db = db
        self.size = size
        self.now = now
        self.peek = peek
        self._cache: dict[str, TokenRow] = {}
        self._generation: Hashable | None = None
        self._inflight: asyncio.Future[int] | None = None
        self._queued: asyncio.Future[int] | None = None
        self._waiting: dict[str, asyncio.Future[TokenRow | None]] = {}
        """Hashes to look up in the next shared query, each with its waiters' future."""
        self._lookups: asyncio.Future[None] | None = None

    async def find(self, hashed: str, *, cached_only: bool = False) -> TokenRow | None:
        """The unrevoked token whose SHA-256 is ``hashed`` (possibly expired:
        ``row.expired(now)``), or ``None``.  ``cached_only``: only a token this replica
        verified since the last token change (no lookup: for a throttled sender)."""
        current = self.peek() if self.peek is not None else None
        if current is None:
            current = await self.fresh_generation()
        if current != self._generation:
            self._cache.clear()
            self._generation = current
        row = self._cache.get(hashed)
        if row is None and not cached_only:
            row = await self._lookup(hashed)
            if row is not None and self._generation == current:
                if len(self._cache) >= self.size:
                    self._cache.clear()
                self._cache[hashed] = row
        return row

    def cached(self, hashed: str) -> TokenRow | None:
        """The token whose SHA-256 is ``hashed`` if this replica verified it since the last
        token change and can tell so without waiting; else ``None`` (then ask :meth:`find`)."""
        current = self.peek() if self.peek is not None else None
        if current is None:
            return None
        if current != self._generation:
            self._cache.clear()
            self._generation = current
            return None
        return self._cache.get(hashed)

    async def _lookup(self, hashed: str) -> TokenRow | None:
        """The token row for ``hashed`` from a shared query that starts after this call."""
        waiting = self._waiting.get(hashed)
        if waiting is None:
            waiting = asyncio.get_running_loop().create_future()
            self._waiting[hashed] = waiting
            if self._lookups is None:
                self._lookups = asyncio.ensure_future(self._look_up_waiting())
                self._lookups.add_done_callback(_retrieve)
        return await asyncio.shield(waiting)

    async def _look_up_waiting(self) -> None:
        """Look up what is waiting, one query at a time, until nothing is."""
        batch: dict[str, asyncio.Future[TokenRow | None]] = {}
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, {}
                try:
                    rows = await run_in_threadpool(lookup_many, self.db, list(batch))
                except Exception as exc:  # each waiter reports it (the gate: a 503)
                    for future in batch.values():
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for hashed, future in batch.items():
                    if not future.done():
                        future.set_result(rows.get(hashed))
                batch = {}
        finally:
            self._lookups = None
            for future in [*batch.values(), *self._waiting.values()]:
                future.cancel()  # only when this task itself was cancelled (shutdown)
            self._waiting = {}

    def fresh_generation(self) -> asyncio.Future[int]:
        """The ``tokens`` counter, read by a query that started after this call."""
        if self._inflight is None:
            self._inflight = asyncio.ensure_future(self._read())
            self._inflight.add_done_callback(_retrieve)
            return asyncio.shield(self._inflight)
        if self._queued is None:
            self._queued = asyncio.ensure_future(self._read_after(self._inflight))
            self._queued.add_done_callback(_retrieve)
        return asyncio.shield(self._queued)

    async def _read(self) -> int:
        me = asyncio.current_task()
        try:
            return await run_in_threadpool(generation, self.db)
        finally:
            if self._inflight is me:
                self._inflight = None

    async def _read_after(self, earlier: asyncio.Future[int]) -> int:
        await asyncio.wait([earlier])
        me = asyncio.current_task()
        self._queued = None
        self._inflight = me
        try:
            return await run_in_threadpool(generation, self.db)
        finally:
            if self._inflight is me:
                self._inflight = None
