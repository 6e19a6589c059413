"""Token checks: every answer is at least as new as its request, and requests that wait
together share one read of the token counter."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from agent_assist.hub import auth, tokencheck
from agent_assist.hub.auth import Role, create_token, revoke_token, token_hash
from agent_assist.hub.db import Database, HubStoreError
from agent_assist.hub.tokencheck import TokenCheck


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database.open(None, tmp_path)


def test_a_revocation_is_seen_by_the_next_check(db: Database) -> None:
    token = create_token(db, "anna", Role.AGENT)
    check = TokenCheck(db)

    async def scenario() -> None:
        row = await check.find(token_hash(token))
        assert row is not None and row.caller.name == "anna"
        assert await check.find(token_hash(token)) is not None  # cached now
        revoke_token(db, "anna")  # as the CLI or another replica would
        assert await check.find(token_hash(token)) is None

    asyncio.run(scenario())
    db.close()


def test_expiry_is_reported_with_the_row(db: Database) -> None:
    token = create_token(db, "old", Role.AGENT, dt.datetime(2001, 1, 1, tzinfo=dt.UTC))
    check = TokenCheck(db)
    row = asyncio.run(check.find(token_hash(token)))
    assert row is not None and row.expired(dt.datetime.now(dt.UTC))
    db.close()


def test_concurrent_checks_share_counter_reads(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = create_token(db, "bob", Role.AGENT)
    reads: list[int] = []
    real = auth.generation

    def counted(database: Database) -> int:
        reads.append(1)
        return real(database)

    monkeypatch.setattr(tokencheck, "generation", counted)
    check = TokenCheck(db)

    async def scenario() -> None:
        rows = await asyncio.gather(*(check.find(token_hash(token)) for _ in range(200)))
        assert all(r is not None and r.caller.name == "bob" for r in rows)

    asyncio.run(scenario())
    # The first request reads; all the others arrived during that read and share the next.
    assert len(reads) == 2
    db.close()


def test_tokens_not_cached_are_looked_up_together(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team's desktops starting at once: 300 different tokens, a few shared queries, and
    each request still gets its own row (or none for a revoked token)."""
    tokens = [create_token(db, f"agent-{i}", Role.AGENT) for i in range(300)]
    revoke_token(db, "agent-7")
    queries: list[int] = []
    real = auth.lookup_many

    def counted(database: Database, hashes: list[str]) -> dict[str, auth.TokenRow]:
        queries.append(len(hashes))
        return real(database, hashes)

    monkeypatch.setattr(tokencheck, "lookup_many", counted)
    check = TokenCheck(db)

    async def scenario() -> list[auth.TokenRow | None]:
        return await asyncio.gather(*(check.find(token_hash(t)) for t in tokens))

    rows = asyncio.run(scenario())
    assert [r.caller.name if r else None for r in rows] == [
        None if i == 7 else f"agent-{i}" for i in range(300)
    ]
    assert sum(queries) == 300 and len(queries) <= 3
    db.close()


def test_a_failed_lookup_reaches_every_waiter_and_the_next_one_retries(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = create_token(db, "anna", Role.AGENT)
    failures = [HubStoreError("the hub database is locked")]
    real = auth.lookup_many

    def flaky(database: Database, hashes: list[str]) -> dict[str, auth.TokenRow]:
        if failures:
            raise failures.pop()
        return real(database, hashes)

    monkeypatch.setattr(tokencheck, "lookup_many", flaky)
    check = TokenCheck(db, peek=lambda: 1)  # no counter reads: all five wait together

    async def scenario() -> None:
        first = await asyncio.gather(
            *(check.find(token_hash(token)) for _ in range(5)), return_exceptions=True
        )
        assert all(isinstance(r, HubStoreError) for r in first)
        row = await check.find(token_hash(token))
        assert row is not None and row.caller.name == "anna"

    asyncio.run(scenario())
    db.close()
