"""Feed pages prepared once per cursor: the JSON body and its gzip, shared by every client.

After a publish, and when a team starts its desktops in the morning, every client asks for
the same page (``since``, ``limit``) at nearly the same moment.  A page up to a given head
never changes (see ``db.py``: a reader at cursor N can never miss an entry below N), so it is
read, serialised and compressed once: the first request prepares it in a worker thread,
the requests that arrive meanwhile wait for that same preparation, and later ones get the
bytes from memory (the fast path in ``fastpath.py`` serves them without the framework).
Memory is bounded: at most ``size`` pages, all for the current head (a new head drops the
old pages, which no client asks for any more).
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from agent_assist.hub import knowledge
from agent_assist.hub.db import Database

PAGE_CACHE_SIZE = 256
GZIP_MIN_BYTES = 1024
"""Smaller bodies go as they are: gzip would save less than its header and CPU cost."""
GZIP_LEVEL = 6

Key = tuple[int, int, int]
"""(since, limit, head) of a page."""


@dataclass(frozen=True)
class Page:
    body: bytes
    gzipped: bytes | None
    """``body`` compressed, or ``None`` when it is too small to be worth it."""
    cursor: int

    @property
    def etag(self) -> str:
        return f'"c{self.cursor}"'

    def encoded(self, gzip_ok: bool) -> tuple[bytes, bool]:
        """The bytes to send and whether they are gzip-encoded."""
        if gzip_ok and self.gzipped is not None:
            return self.gzipped, True
        return self.body, False


def prepare(db: Database, since: int, limit: int) -> Page:
    """Read, serialise and compress one feed page (a worker thread's job)."""
    entries, cursor, more = knowledge.changes(db, since, limit)
    body = json.dumps(
        {"changes": entries, "cursor": cursor, "more": more}, ensure_ascii=False
    ).encode("utf-8")
    packed = None
    if len(body) >= GZIP_MIN_BYTES:
        packed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    return Page(body, packed, cursor)


class Pages:
    """The prepared pages of one replica (owned by its event loop)."""

    def __init__(
        self,
        db: Database,
        size: int = PAGE_CACHE_SIZE,
        make: Callable[[Database, int, int], Page] = prepare,
    ) -> None:
        self.db = db
        self.size = size
        self.make = make
        self.prepared = 0
        """Pages serialised so far (a burst of the same page counts once)."""
        self._pages: dict[Key, Page] = {}
        self._pending: dict[Key, asyncio.Future[Page]] = {}

    def get(self, since: int, limit: int, head: int) -> Page | None:
        """A page already prepared for ``head``, without waiting."""
        return self._pages.get((since, limit, head))

    async def page(self, since: int, limit: int, head: int) -> Page:
        """The page after ``since`` as of ``head``: from memory, from a preparation already
        under way, or prepared now."""
        key = (since, limit, head)
        page = self._pages.get(key)
        if page is not None:
            return page
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._prepare(key))
            self._pending[key] = pending
        return await asyncio.shield(pending)

    async def _prepare(self, key: Key) -> Page:
        since, limit, head = key
        try:
            page = await run_in_threadpool(self.make, self.db, since, limit)
        finally:
            del self._pending[key]
        self.prepared += 1
        # Cacheable only if nothing newer than the head this replica knows of is in it (the
        # database may be ahead of the replica's notices; such a page is served, not kept).
        if page.cursor <= head:
            if len(self._pages) >= self.size or any(k[2] != head for k in self._pages):
                self._pages.clear()
            self._pages[key] = page
        return page


def accepts_gzip(value: str) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (``gzip;q=0`` refuses it; an
    explicit ``gzip`` entry wins over ``*``)."""
    found: dict[str, float] = {}
    for part in value.split(","):
        coding, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, number = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(number)
                except ValueError:
                    q = 0.0
        found[coding.strip().lower()] = q
    q = found.get("gzip", found.get("x-gzip", found.get("*", 0.0)))
    return q > 0
