"""Push: wake every connected SSE client when the feed moves.

Each replica learns of changes two ways: at once from its own publishes (``notify``), and
within ``poll_seconds`` from any other replica sharing the database (``watch`` reads the feed
counter).  Clients only learn *that* something changed; they pull the change through the delta
feed, which stays the single source of truth.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable

import anyio


class Broadcaster:
    """The latest feed cursor and an event that fires when it moves (owned by one loop)."""

    def __init__(self, cursor: int = 0) -> None:
        self.cursor = cursor
        self._changed = asyncio.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.clients = 0
        self.head = cursor
        """The newest cursor this replica knows of, updated at once by its own publishes
        (any thread) and within the watch interval for other replicas' publishes."""

    def advance(self, cursor: int) -> None:
        """Loop thread only: record ``cursor`` and wake every waiting stream."""
        self.head = max(self.head, cursor)
        if cursor > self.cursor:
            self.cursor = cursor
            changed, self._changed = self._changed, asyncio.Event()
            changed.set()

    def notify(self, cursor: int) -> None:
        """From any thread (publish runs in the thread pool)."""
        self.head = max(self.head, cursor)
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.advance, cursor)

    async def watch(self, read_head: Callable[[], int], poll_seconds: float) -> None:
        """Follow the feed counter in the database (changes made by other replicas)."""
        while True:
            # A database blip must not stop the watcher; requests report such faults.
            with contextlib.suppress(Exception):
                self.advance(await anyio.to_thread.run_sync(read_head))
            await asyncio.sleep(poll_seconds)

    async def stream(self, keepalive: float) -> AsyncIterator[str]:
        """The SSE body: the current cursor at once, then one event per change, with a
        keep-alive comment after ``keepalive`` quiet seconds."""
        self.clients += 1
        try:
            seen = self.cursor
            yield "retry: 2000\n\n"
            yield _event(seen)
            while True:
                changed = self._changed
                if self.cursor == seen:
                    try:
                        await asyncio.wait_for(changed.wait(), keepalive)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                seen = self.cursor
                yield _event(seen)
        finally:
            self.clients -= 1


def _event(cursor: int) -> str:
    return f"event: changes\ndata: {json.dumps({'cursor': cursor})}\n\n"
