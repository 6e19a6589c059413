"""Events ingest: at-least-once delivery from clients becomes exactly-once storage.

Each event is stored once, keyed on its UUID (``INSERT ... ON CONFLICT DO NOTHING``), so a
client may resend a batch after any failure.  What is stored is cut to the allow-list
(:mod:`agent_assist.core.worklog.shareable`, which the request model enforces too) and every
free-text field is scrubbed again on arrival: the client scrubs before sending, and
:func:`scrub` is idempotent, so a second pass costs little and protects the hub from an old or
faulty client.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agent_assist.core.worklog import shareable
from agent_assist.core.worklog.clock import Instant
from agent_assist.core.worklog.events import Event, EventType, Outcome
from agent_assist.hub.auth import now_text
from agent_assist.hub.db import Database, HubStoreError, Tx

MAX_BATCH_EVENTS = 5000
"""Events one shared transaction takes at most (a request carries at most 1,000)."""


def store_events(db: Database, events: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """Store validated ``events`` (the shareable form); returns (accepted, duplicates)."""
    with db.transaction() as tx:
        accepted = _insert(tx, events, now_text())
    return accepted, len(events) - accepted


def _insert(tx: Tx, events: Sequence[dict[str, Any]], received: str) -> int:
    accepted = 0
    for event in events:
        body = shareable.restrict(event)
        accepted += tx.execute(
            "INSERT INTO events (id, agent_id, type, wall, session_id, body, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            (
                body["id"],
                body["agent_id"],
                body["type"],
                body["wall"],
                body["session_id"],
                json.dumps(body, ensure_ascii=False, sort_keys=True),
                received,
            ),
        ).rowcount
    return accepted


@dataclass
class _Upload:
    events: Sequence[dict[str, Any]]
    result: tuple[int, int] | None = None
    error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self.result is not None or self.error is not None


class EventWriter:
    """Group commit: uploads that arrive together share one transaction (one fsync).

    Leader and followers, with no added wait: an upload that finds no write under way
    writes at once, alone; uploads that arrive while a write is under way queue, and when it
    commits, the first of them writes every queued upload (up to ``MAX_BATCH_EVENTS``) in
    one transaction.  Each upload still learns its own accepted and duplicate counts (an
    event both uploads carry counts as accepted for the one written first).  If a shared
    transaction fails, each of its uploads is retried alone, so one upload's failure is
    never another's; storage stays idempotent on the event id either way.  Per process:
    other replicas' writers meet the database's own lock."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._cond = threading.Condition()
        self._queue: list[_Upload] = []
        self._writing = False
        self.transactions = 0
        """Write transactions so far (uploads over transactions: the batching achieved)."""

    def store(self, events: Sequence[dict[str, Any]]) -> tuple[int, int]:
        """Like :func:`store_events`, sharing the transaction with concurrent callers."""
        upload = _Upload(events)
        with self._cond:
            self._queue.append(upload)
        while True:
            with self._cond:
                while self._writing and not upload.done:
                    self._cond.wait()
                if upload.done:
                    break
                self._writing = True  # this thread leads the next batch (its own upload is
                batch = self._take()  # in it unless older ones fill it: then it goes again)
            try:
                self._write(batch)
            finally:
                with self._cond:
                    for waiting in batch:  # only if the write itself was interrupted
                        if not waiting.done:
                            waiting.error = HubStoreError("the shared event write was interrupted")
                    self._writing = False
                    self._cond.notify_all()
        if upload.error is not None:
            raise upload.error
        assert upload.result is not None
        return upload.result

    def _take(self) -> list[_Upload]:
        """The queued uploads, oldest first, up to the batch bound (at least one)."""
        batch: list[_Upload] = []
        size = 0
        while self._queue and (not batch or size + len(self._queue[0].events) <= MAX_BATCH_EVENTS):
            upload = self._queue.pop(0)
            batch.append(upload)
            size += len(upload.events)
        return batch

    def _write(self, batch: list[_Upload]) -> None:
        received = now_text()
        try:
            counts = []
            with self.db.transaction() as tx:
                for upload in batch:
                    counts.append(_insert(tx, upload.events, received))
            self.transactions += 1
        except Exception as exc:
            if len(batch) == 1:
                batch[0].error = exc
                return
            for upload in batch:  # alone, so a failure stays with the upload that caused it
                self._write([upload])
            return
        for upload, accepted in zip(batch, counts, strict=True):
            upload.result = (accepted, len(upload.events) - accepted)


def count_events(db: Database) -> int:
    with db.read() as tx:
        return int(tx.execute("SELECT count(*) FROM events").fetchone()[0])


def to_event(body: dict[str, Any]) -> Event:
    """A stored event as the core model; the ticket hash stands in for the ticket."""
    wall = dt.datetime.fromisoformat(body["wall"].replace("Z", "+00:00"))
    if wall.tzinfo is None:
        wall = wall.replace(tzinfo=dt.UTC)
    return Event(
        EventType(body["type"]),
        Instant(wall, float(body["mono"]), str(body["run_id"])),
        body["agent_id"],
        ticket=body.get("ticket_hash", ""),
        session_id=body["session_id"],
        sop_id=body.get("sop_id"),
        sop_version=body.get("sop_version"),
        step_id=body.get("step_id"),
        choice=body.get("choice"),
        macro_id=body.get("macro_id"),
        outcome=Outcome(body["outcome"]) if body.get("outcome") else None,
        reason=body.get("reason"),
        query=body.get("query"),
        rank=body.get("rank"),
        counted_seconds=body.get("counted_seconds"),
        satisfaction=body.get("satisfaction"),
        reopened=body.get("reopened"),
        id=body["id"],
    )


NOT_WORK = frozenset({EventType.TICKET_QUALITY, EventType.SEARCH_ABANDONED})
"""Signals about a ticket or a search, not moments of work: kept out of sessions, so a
quality signal logged days after a ticket ended never adds to its handle time."""


def sessions_since(db: Database, since: str | None) -> list[list[Event]]:
    """Every session with an event at or after ``since`` (ISO text), events in time order."""
    with db.read() as tx:
        if since is None:
            rows = tx.execute("SELECT session_id, body FROM events").fetchall()
        else:
            rows = tx.execute(
                "SELECT session_id, body FROM events WHERE session_id IN "
                "(SELECT session_id FROM events WHERE wall >= ?)",
                (since,),
            ).fetchall()
    grouped: dict[str, list[Event]] = {}
    for session_id, body in rows:
        event = to_event(json.loads(body))
        if event.type not in NOT_WORK:
            grouped.setdefault(str(session_id), []).append(event)
    out = []
    for events in grouped.values():
        events.sort(key=lambda e: (e.at.wall, e.at.mono))
        starts = [e for e in events if e.type is EventType.TICKET_STARTED]
        if starts:  # a session's first event must be its start
            events.remove(starts[0])
            out.append([starts[0], *events])
    return out
