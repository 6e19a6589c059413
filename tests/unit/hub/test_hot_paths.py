"""The hub's hot paths: the idle poll's fast path, prepared feed pages, group commit and the
token check that needs no read."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import threading
import time
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest

from agent_assist.hub import ingest, knowledge
from agent_assist.hub.app import create_app
from agent_assist.hub.auth import Role, create_token, generation, revoke_token, token_hash
from agent_assist.hub.db import Database, SqliteDatabase, Tx
from agent_assist.hub.fastpath import FastPath, parse_query
from agent_assist.hub.gate import Rules
from agent_assist.hub.ingest import EventWriter, _Upload, count_events
from agent_assist.hub.keys import load_or_create_key
from agent_assist.hub.notices import SqliteTokenCounter
from agent_assist.hub.snapshots import Pages, accepts_gzip, prepare
from agent_assist.hub.state import HubState
from agent_assist.hub.tokencheck import TokenCheck
from tests.conftest import TINY_PACK
from tests.integration.hubserver import session_events


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(None, tmp_path)
    yield database
    database.close()


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        (b"", (0, 500)),
        (b"since=7", (7, 500)),
        (b"since=7&limit=3", (7, 3)),
        (b"limit=1000&since=0", (0, 1000)),
        (b"since=4611686018427387904", (2**62, 500)),
        (b"since=4611686018427387905", None),  # out of range: the route's 422
        (b"limit=0", None),
        (b"limit=1001", None),
        (b"since=-1", None),
        (b"since=1&since=2", None),  # repeated: the route decides
        (b"since=1&x=2", None),
        (b"since=%31", None),
        (b"since", None),
    ],
)
def test_the_fast_path_takes_only_plain_queries(raw: bytes, parsed: tuple[int, int] | None) -> None:
    assert parse_query(raw) == parsed


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
        ("*", True),
        ("*;q=0.5, gzip;q=0", False),  # an explicit gzip entry wins over *
        ("gzip;q=nonsense", False),
    ],
)
def test_gzip_is_used_only_when_accepted(value: str, ok: bool) -> None:
    assert accepts_gzip(value) is ok


def _publish(db: Database) -> int:
    files = {k: v for k, v in TINY_PACK.items() if k != "pack.yaml"}
    upload = knowledge.Upload(pack_yaml=TINY_PACK["pack.yaml"], files=files)
    return knowledge.publish(db, upload, "lead").cursor


def test_a_burst_of_the_same_page_is_prepared_once(db: Database) -> None:
    head = _publish(db)
    calls: list[int] = []

    def counted(database: Database, since: int, limit: int) -> Any:
        calls.append(since)
        time.sleep(0.05)  # long enough for the whole burst to arrive meanwhile
        return prepare(database, since, limit)

    pages = Pages(db, make=counted)

    async def burst() -> list[Any]:
        return await asyncio.gather(*(pages.page(0, 500, head) for _ in range(100)))

    results = asyncio.run(burst())
    assert calls == [0] and pages.prepared == 1
    assert all(r is results[0] for r in results)
    page = results[0]
    assert json.loads(page.body)["cursor"] == head == page.cursor
    assert page.gzipped is not None and gzip.decompress(page.gzipped) == page.body
    assert pages.get(0, 500, head) is page
    assert pages.get(0, 500, head + 1) is None  # a newer head is a different page


def test_a_page_newer_than_the_known_head_is_served_not_kept(db: Database) -> None:
    head = _publish(db)
    pages = Pages(db)
    page = asyncio.run(pages.page(0, 500, head - 1))  # the replica lags behind the database
    assert page.cursor == head
    assert pages.get(0, 500, head - 1) is None


def _events(n: int) -> list[list[dict[str, Any]]]:
    return [session_events(f"agent-{i}", "coin-refund", 1, 60.0) for i in range(n)]


def test_concurrent_uploads_share_one_transaction(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = EventWriter(db)
    entered, release = threading.Event(), threading.Event()
    real = db.transaction

    @contextlib.contextmanager
    def held() -> Iterator[Tx]:
        with real() as tx:
            if not entered.is_set():  # the first write holds on until four more queued
                entered.set()
                release.wait(10)
            yield tx

    monkeypatch.setattr(db, "transaction", held)
    uploads = _events(5)
    uploads[4] = uploads[4] + uploads[3][:2]  # two events also in another upload
    results: dict[int, tuple[int, int]] = {}

    def store(i: int) -> None:
        results[i] = writer.store(uploads[i])

    threads = [threading.Thread(target=store, args=(0,))]
    threads[0].start()
    assert entered.wait(10)
    threads += [threading.Thread(target=store, args=(i,)) for i in range(1, 5)]
    for thread in threads[1:]:
        thread.start()
    while len(writer._queue) < 4:
        time.sleep(0.001)
    release.set()
    for thread in threads:
        thread.join(10)
    assert writer.transactions == 2  # the first upload alone, then the other four together
    assert [results[i] for i in range(4)] == [(5, 0)] * 4
    assert results[4] == (5, 2)  # its copies of upload 3's events were stored already
    assert count_events(db) == 25
    assert writer.store(uploads[0]) == (0, 5)  # idempotent, as before


def test_a_failing_upload_does_not_fail_the_others_in_its_batch(db: Database) -> None:
    writer = EventWriter(db)
    good, bad = _events(2)
    bad[0] = {**bad[0], "session_id": None}  # NOT NULL: the database refuses it
    uploads = [_Upload(good), _Upload(bad)]
    writer._write(uploads)
    assert uploads[0].result == (5, 0) and uploads[0].error is None
    assert uploads[1].result is None and uploads[1].error is not None
    assert count_events(db) == 5


def test_the_cached_token_check_needs_no_read_and_sees_a_revocation(db: Database) -> None:
    token = create_token(db, "anna", Role.AGENT)
    hashed = token_hash(token)
    assert isinstance(db, SqliteDatabase)
    check = TokenCheck(db, peek=SqliteTokenCounter(db.path))

    async def verify() -> Any:
        return await check.find(hashed)

    assert check.cached(hashed) is None  # never verified by this replica
    assert asyncio.run(verify()) is not None
    row = check.cached(hashed)
    assert row is not None and row.caller.name == "anna"
    revoke_token(db, "anna")  # as the CLI or another replica would
    assert check.cached(hashed) is None
    assert asyncio.run(verify()) is None


def test_every_upload_is_stored_when_batches_are_full(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "MAX_BATCH_EVENTS", 10)  # two uploads of 5 per transaction
    writer = EventWriter(db)
    uploads = _events(24)
    results: list[tuple[int, int]] = []
    threads = [
        threading.Thread(target=lambda u=u: results.append(writer.store(u))) for u in uploads
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [(5, 0)] * 24
    assert count_events(db) == 120
    assert 12 <= writer.transactions <= 24


def _poll(fast: FastPath, headers: list[tuple[bytes, bytes]]) -> tuple[int | None, bool]:
    """One ``GET /v1/changes?since=0`` through ``fast``: (status it sent, whether it handed
    the request on to the app behind it)."""
    sent: list[dict[str, Any]] = []
    handed_on: list[bool] = []

    async def behind(scope: Any, receive: Any, send: Any) -> None:
        handed_on.append(True)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/v1/changes",
        "query_string": b"since=0",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
    }
    fast.app = behind
    asyncio.run(fast(scope, receive, send))
    status = sent[0]["status"] if sent else None
    return status, bool(handed_on)


def test_the_idle_poll_is_answered_before_the_routes(db: Database, tmp_path: Path) -> None:
    """A desktop's first pull (its token not verified yet) and its idle polls never reach
    the app; ``Content-Length: 0`` is no body (some clients send it on every GET), any other
    length, a chunked body or a token that is not let in is the gate's."""
    token = create_token(db, "anna", Role.AGENT)
    create_token(db, "old", Role.AGENT)
    revoke_token(db, "old")
    state = HubState(db, tmp_path, load_or_create_key(tmp_path), 15.0, 1.0)
    fast = FastPath(lambda *a: None, state=state)  # type: ignore[arg-type]
    auth = (b"authorization", b"Bearer " + token.encode())
    assert _poll(fast, [auth]) == (200, False)  # looked up, then the page prepared
    assert state.pages.prepared == 1
    base = [auth, (b"if-none-match", b'"c0"')]
    assert _poll(fast, base) == (304, False)
    assert _poll(fast, [*base, (b"content-length", b"0")]) == (304, False)
    assert _poll(fast, [*base, (b"content-length", b"2")]) == (None, True)
    assert _poll(fast, [*base, (b"transfer-encoding", b"chunked")]) == (None, True)
    assert _poll(fast, [(b"authorization", b"Bearer nope"), base[1]]) == (None, True)
    revoke_token(db, "anna")
    assert _poll(fast, base) == (None, True)  # revoked since: the gate says so


def test_every_role_may_poll_the_feed(tmp_path: Path) -> None:
    """The fast path lets in any unexpired token: that holds while the route's least role
    is the lowest there is."""
    app = create_app(None, tmp_path)
    rule = Rules(app).match("GET", "/v1/changes")
    assert rule is not None and rule.role == min(Role)


def test_the_token_counter_is_read_once_per_pass_of_the_loop(db: Database) -> None:
    """Requests handled in one pass of the event loop had all arrived before it began: one
    read serves them all; the next pass reads again and sees what changed meanwhile."""
    create_token(db, "anna", Role.AGENT)
    assert isinstance(db, SqliteDatabase)
    counter = SqliteTokenCounter(db.path)

    async def scenario() -> None:
        first = counter()
        assert first is not None
        revoke_token(db, "anna")  # committed by another process in the middle of the pass
        assert counter() == first
        await asyncio.sleep(0)  # the next pass
        assert counter() == first + 1

    asyncio.run(scenario())
    create_token(db, "bob", Role.AGENT)
    assert counter() == generation(db)  # outside a loop: every call reads
    counter.close()
