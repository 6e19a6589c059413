"""The per-process cache of folded sessions, on both databases: what it answers after new
events, late events of a known session, and deletions (retention, erasure) is exactly what
a fresh read of every event answers; the gaps inbox's cache follows events and decisions."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from agent_assist.hub import gaps, quality, reports, session_cache
from agent_assist.hub.db import Database
from agent_assist.hub.ingest import store_events
from agent_assist.hub.overview import Period, overview
from tests.browser.seed import AGENTS, PLANS, session
from tests.browser.seed import quality as quality_event
from tests.unit.hub.databases import db  # noqa: F401
from tests.unit.hub.test_gaps import gap_event

NOW = dt.datetime.now(dt.UTC)


def _sessions(count: int, seed: int) -> list[tuple[list[dict[str, Any]], str]]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        plan = PLANS[n % len(PLANS)]
        end = NOW - dt.timedelta(days=rng.uniform(0.1, 20))
        out.append(session(rng, plan, AGENTS[n % len(AGENTS)], end))
    return out


def _fresh(hub_db: Database) -> dict[str, Any]:
    """Every figure the cache feeds, from a cache emptied first (a full read)."""
    session_cache.forget(hub_db)
    return _figures(hub_db)


def _figures(hub_db: Database) -> dict[str, Any]:
    period = Period.ending(NOW.date(), 30)
    return {
        "sops": reports.sop_report(hub_db, None),
        "week": reports.sop_report(hub_db, NOW - dt.timedelta(days=7)),
        "overview": overview(hub_db, period),
        "quality": session_cache.snapshot(hub_db).quality(),
    }


def test_cache_answers_as_a_full_read_after_every_kind_of_change(db: Database) -> None:  # noqa: F811
    made = _sessions(12, seed=1)
    for events, _ in made[:8]:
        store_events(db, events[:-1])  # not ended yet
    assert _figures(db)["sops"]["sessions"] == 0
    for events, _ in made[:8]:
        store_events(db, events[-1:])  # the ends arrive later: known sessions grow
    for events, _ in made[8:]:
        store_events(db, events)  # new sessions
    ticket = made[0][1]
    store_events(db, [quality_event(random.Random(2), ticket, 1, NOW)])
    cached = _figures(db)
    assert cached["sops"]["sessions"] == 12
    assert cached == _fresh(db)
    assert quality.ticket_quality(db) == cached["quality"]

    erased = made[0][0][0]["session_id"]  # erasure: one session gone entirely
    part = made[1][0]  # retention: part of another session gone
    with db.transaction() as tx:
        tx.execute("DELETE FROM events WHERE session_id = ?", (erased,))
        tx.execute("DELETE FROM events WHERE id = ?", (part[-1]["id"],))
    after = _figures(db)
    assert after["sops"]["sessions"] == 10  # both are no longer ended sessions
    assert erased not in session_cache.snapshot(db).sessions
    assert after == _fresh(db)


def test_unchanged_events_give_the_same_snapshot_and_memo(db: Database) -> None:  # noqa: F811
    for events, _ in _sessions(3, seed=3):
        store_events(db, events)
    first = session_cache.snapshot(db)
    assert session_cache.snapshot(db) is first  # nothing moved: derived results are reused
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert first.memo("k", compute) == 1
    assert first.memo("k", compute) == 1
    assert calls == [1]
    store_events(db, _sessions(1, seed=4)[0][0])
    assert session_cache.snapshot(db) is not first


def test_pinned_block_reads_the_sessions_once(db: Database) -> None:  # noqa: F811
    made = _sessions(2, seed=5)
    store_events(db, made[0][0])
    with session_cache.pinned():
        inside = session_cache.snapshot(db)
        store_events(db, made[1][0])
        assert session_cache.snapshot(db) is inside
    assert len(session_cache.snapshot(db).ended) == 2


def test_events_outside_a_session_are_read_only_when_they_matter(db: Database) -> None:  # noqa: F811
    store_events(db, [gap_event("printer on fire", "agent-bob", 0)])
    blank = session_cache.snapshot(db).sessions[""]
    assert blank.timing is None and blank.quality == ()
    assert session_cache.snapshot(db).sessions[""] is blank  # not re-read while unchanged


def test_gaps_inbox_follows_events_decisions_and_erasure(db: Database) -> None:  # noqa: F811
    store_events(db, [gap_event("printer on fire", a, 0) for a in ("agent-bob", "agent-cara")])
    first = gaps.inbox(db)
    assert first["open_groups"] == 1 and first["groups"][0]["count"] == 2
    first["groups"].clear()  # a caller changing its copy changes nothing kept
    assert gaps.inbox(db)["groups"][0]["count"] == 2
    store_events(db, [gap_event("printer on fire", "agent-dan", 1)])
    assert gaps.inbox(db)["groups"][0]["count"] == 3
    gaps.decide(db, ["printer on fire"], gaps.Decision.DISMISS, "lead")
    assert gaps.inbox(db)["open_groups"] == 0
    assert gaps.inbox(db, include_decided=True)["groups"][0]["open"] is False
    with db.transaction() as tx:  # an agent's events erased
        tx.execute("DELETE FROM events WHERE agent_id = ?", ("agent-dan",))
    assert gaps.inbox(db, include_decided=True)["groups"][0]["count"] == 2


def test_usage_follows_new_uses_and_publishes(db: Database) -> None:  # noqa: F811
    from agent_assist.hub import knowledge, usage
    from tests.conftest import TINY_PACK
    from tests.unit.hub.test_gaps import upload

    knowledge.publish(db, upload(TINY_PACK), "lead-anna")
    since = NOW - dt.timedelta(days=30)

    def opened(agent: str) -> dict[str, Any]:
        event = gap_event("", agent, 0) | {"type": "sop_opened", "sop_id": "coin-refund"}
        return event | {"wall": NOW.isoformat(timespec="microseconds")}

    def row() -> dict[str, Any]:
        return next(r for r in usage.usage(db, since)["items"] if r["id"] == "coin-refund")

    assert row()["uses"] == 0
    store_events(db, [opened("agent-bob")])
    assert (row()["uses"], row()["agents"]) == (1, 1)
    store_events(db, [opened("agent-cara")])
    assert (row()["uses"], row()["agents"]) == (2, 2)
    changed = {**TINY_PACK, "sops/coin-refund.md": TINY_PACK["sops/coin-refund.md"] + "\nMore."}
    knowledge.publish(db, upload(changed, "tweak"), "lead-anna")
    assert row()["version"] == 2  # a publish is seen at once
