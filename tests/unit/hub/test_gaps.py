"""The gaps inbox on both databases: grouping, counts, nearest SOPs, decisions, and the
"covered by" phrasings applied on the SOP's next publish."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from agent_assist.core.knowledge.models import Kind, Sop
from agent_assist.core.knowledge.reader import parse_item
from agent_assist.hub import gaps, knowledge, pending
from agent_assist.hub.db import Database
from agent_assist.hub.ingest import store_events
from tests.conftest import TINY_PACK
from tests.unit.hub.databases import db  # noqa: F401

DAY = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def upload(files: dict[str, str], note: str = "") -> knowledge.Upload:
    rest = {k: v for k, v in files.items() if k != "pack.yaml"}
    return knowledge.Upload(files["pack.yaml"], rest, note=note)


def gap_event(query: str, agent: str, day: int, kind: str = "no_match_reported") -> dict[str, Any]:
    wall = DAY + dt.timedelta(days=day)
    return {
        "id": str(uuid.uuid4()),
        "type": kind,
        "wall": wall.isoformat(timespec="microseconds"),
        "mono": 1.0,
        "run_id": "run",
        "agent_id": agent,
        "session_id": "",
        "query": query,
    }


@pytest.fixture
def seeded(db: Database) -> Database:  # noqa: F811
    knowledge.publish(db, upload(TINY_PACK), "lead-anna")
    store_events(
        db,
        [
            gap_event("Where is my parcel", "agent-bob", 0),
            gap_event("where is my parcel", "agent-cy", 3),
            gap_event("where is my  parcel?", "agent-bob", 5, "search_abandoned"),
            gap_event("where is my package", "agent-cy", 1),
            gap_event("app crashes when uploading a video", "agent-bob", 2),
            gap_event("video upload crashes the app", "agent-dee", 4),
            gap_event("coins bought but never arrived, want refund", "agent-bob", 2),
            gap_event("", "agent-bob", 2),  # nothing typed: not a gap
        ],
    )
    return db


def _group(inbox: dict[str, Any], member: str) -> dict[str, Any]:
    return next(g for g in inbox["groups"] if any(q["text"] == member for q in g["queries"]))


def test_similar_queries_group_with_counts_and_dates(seeded: Database) -> None:
    inbox = gaps.inbox(seeded)
    parcel = _group(inbox, "where is my parcel")
    assert {q["text"] for q in parcel["queries"]} == {
        "where is my parcel",
        "where is my parcel?",
        "where is my package",
    }
    assert parcel["count"] == 4 and parcel["agents"] == 2
    assert parcel["first_seen"].startswith("2026-11-02") and parcel["last_seen"].startswith(
        "2026-11-07"
    )
    crash = _group(inbox, "video upload crashes the app")
    assert {q["text"] for q in crash["queries"]} == {
        "app crashes when uploading a video",
        "video upload crashes the app",
    }
    assert parcel is not crash and len(inbox["groups"]) == 3
    assert inbox["groups"][0] is parcel  # the biggest open group first
    sources = {s for q in parcel["queries"] for s in q["sources"]}
    assert sources == {"no_match_reported", "search_abandoned"}


def test_nearest_sops_come_from_the_suggestion_engine(seeded: Database) -> None:
    coins = _group(gaps.inbox(seeded), "coins bought but never arrived, want refund")
    assert coins["nearest"][0]["sop_id"] == "coin-refund"
    assert (
        coins["nearest"][0]["score"] > coins["nearest"][-1]["score"] or len(coins["nearest"]) == 1
    )


def test_since_leaves_older_reports_out(seeded: Database) -> None:
    inbox = gaps.inbox(seeded, DAY + dt.timedelta(days=4))
    assert {q["text"] for g in inbox["groups"] for q in g["queries"]} == {
        "where is my parcel?",
        "video upload crashes the app",
    }


def test_dismiss_and_new_sop_close_a_group_until_new_wording_comes(seeded: Database) -> None:
    crash = _group(gaps.inbox(seeded), "video upload crashes the app")
    done = gaps.decide(
        seeded, [q["text"] for q in crash["queries"]], gaps.Decision.NEW_SOP, "lead-anna"
    )
    assert done["decided"] == 2 and done["queued"] == 0
    inbox = gaps.inbox(seeded)
    assert all(
        q["text"] != "video upload crashes the app" for g in inbox["groups"] for q in g["queries"]
    )
    decided = _group(gaps.inbox(seeded, include_decided=True), "video upload crashes the app")
    assert decided["open"] is False and decided["decisions"][0]["label"] == "new SOP needed"
    store_events(seeded, [gap_event("the app crashes uploading my video", "agent-eve", 6)])
    again = _group(gaps.inbox(seeded), "the app crashes uploading my video")
    assert again["open"] and again["open_count"] == 1 and again["count"] == 3
    assert gaps.reopen(seeded, ["video upload crashes the app"]) == 1


def test_covered_by_queues_phrasings_applied_on_the_next_publish(seeded: Database) -> None:
    parcel = _group(gaps.inbox(seeded), "where is my parcel")
    texts = [q["text"] for q in parcel["queries"]]
    with pytest.raises(gaps.GapError, match="no current SOP"):
        gaps.decide(seeded, texts, gaps.Decision.COVERED, "lead-anna", "nope")
    done = gaps.decide(seeded, texts, gaps.Decision.COVERED, "lead-anna", "hacked-account")
    assert done["queued"] == 3
    assert all(p["pending"] for p in pending.listing(seeded, "hacked-account"))
    assert all(q["text"] not in texts for g in gaps.inbox(seeded)["groups"] for q in g["queries"])

    # The next publish of the pack applies them (the lead changed something else).
    changed = {
        **TINY_PACK,
        "macros/account-secured.md": TINY_PACK["macros/account-secured.md"] + "!",
    }
    result = knowledge.publish(seeded, upload(changed, "tweak"), "lead-anna")
    assert {(p["id"], p["version"]) for p in result.published} == {
        ("account-secured", 2),
        ("hacked-account", 2),
    }
    [v2] = [i for i in knowledge.current_items(seeded) if i["id"] == "hacked-account"]
    item, _ = parse_item(v2["source_text"], v2["source_path"], Kind.SOP, "en")
    assert item is not None and isinstance(item.content, Sop)
    assert sorted(item.content.phrasings[-3:]) == sorted(texts)
    assert item.content.phrasings[:2] == (
        "someone hacked my account",
        "my email was changed without me",
    )
    listed = pending.listing(seeded, "hacked-account")
    assert [p["applied_version"] for p in listed] == [2, 2, 2]
    # The lead's folder still holds the old text: publishing it again keeps the phrasings.
    assert knowledge.publish(seeded, upload(changed), "lead-anna").published == []


def test_phrasings_wait_while_their_sop_is_not_published(seeded: Database) -> None:
    pending.add(seeded, "coin-refund", ["coins never came"], "lead-anna")
    other = {
        "pack.yaml": "name: other\n",
        "macros/hello.md": "---\nid: hello\ntitle: Hello\n---\nHi\n",
    }
    knowledge.publish(seeded, upload(other), "lead-anna")
    assert pending.listing(seeded, "coin-refund")[0]["pending"] is True
