"""History and diffs, the editor's validation and publish, approvals, reviews and usage on
both databases."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from agent_assist.core.knowledge.models import Kind
from agent_assist.hub import drafts, history, knowledge, reviews, usage
from agent_assist.hub.db import Database
from agent_assist.hub.ingest import store_events
from tests.conftest import TINY_PACK
from tests.unit.hub.databases import db  # noqa: F401
from tests.unit.hub.test_gaps import upload

TODAY = dt.date(2026, 11, 20)
HACKED = TINY_PACK["sops/hacked-account.md"]


@pytest.fixture
def pub(db: Database) -> Database:  # noqa: F811
    knowledge.publish(db, upload(TINY_PACK), "lead-anna")
    return db


def edit(
    db: Database,  # noqa: F811
    kind: Kind,
    item_id: str,
    text: str,
    by: str = "lead-anna",
    **kw: Any,
) -> dict[str, Any]:
    t = drafts.target(db, kind, item_id, kw.pop("pack", None))
    return drafts.submit(db, t, text, kw.pop("note", "edit"), by, **kw)


def test_diff_shows_fields_steps_and_body(pub: Database) -> None:
    v2 = (
        HACKED.replace("Put the account on hold", "Freeze the account").replace(
            "tags: [account, security]", "tags: [account]"
        )
        + "Check the recovery e-mail too.\n"
    )
    edit(pub, Kind.SOP, "hacked-account", v2, note="clearer")
    versions = history.item_versions(pub, Kind.SOP, "hacked-account")
    assert [(v["version"], v["author"], v["note"]) for v in versions] == [
        (1, "lead-anna", ""),
        (2, "lead-anna", "clearer"),
    ]
    d = history.diff(pub, Kind.SOP, "hacked-account", 1, 2)
    assert d["fields"] == [
        {"field": "tags", "old": '["account", "security"]', "new": '["account"]'}
    ]
    assert (
        d["steps"][0]["change"] == "changed"
        and d["steps"][0]["old_text"] == "Put the account on hold"
    )
    assert {"op": "+", "text": "Check the recovery e-mail too."} in d["body"]
    with pytest.raises(knowledge.UnknownItemError):
        history.version_source(pub, Kind.SOP, "hacked-account", 9)


def test_validation_names_the_broken_front_matter(pub: Database) -> None:
    t = drafts.target(pub, Kind.SOP, "hacked-account")
    problems, loaded = drafts.validate(pub, t, HACKED.replace("title: Hacked", "title: [Hacked"))
    assert loaded is None and problems[0]["file"] == "sops/hacked-account.md"
    assert "invalid YAML" in problems[0]["message"]
    problems, _ = drafts.validate(pub, t, HACKED.replace("steps:", "macros: [nope]\nsteps:"))
    assert any("unknown macro 'nope'" in p["message"] for p in problems)
    with pytest.raises(drafts.DraftError, match="error"):
        edit(pub, Kind.SOP, "hacked-account", HACKED.replace("id: hacked-account", "id: other"))


def test_publish_refuses_an_edit_of_an_outdated_version(pub: Database) -> None:
    edit(pub, Kind.SOP, "hacked-account", HACKED + "v2\n", base_version=1)
    with pytest.raises(drafts.DraftError, match="at version 2 now"):
        edit(pub, Kind.SOP, "hacked-account", HACKED + "other\n", base_version=1)


def test_new_items_need_a_known_pack(pub: Database) -> None:
    text = "---\nid: greeting\ntitle: Greeting\n---\nHello!\n"
    with pytest.raises(drafts.DraftError, match="tiny"):
        drafts.target(pub, Kind.MACRO, "greeting", "nope")
    result = edit(pub, Kind.MACRO, "greeting", text, pack="tiny")
    assert result["published"][0]["id"] == "greeting" and result["published"][0]["version"] == 1


def test_approval_flow(pub: Database) -> None:
    drafts.set_needs_approval(pub, True)
    filed = edit(pub, Kind.SOP, "hacked-account", HACKED + "v2\n", note="tone")
    draft_id = filed["draft"]
    assert filed["published"] == [] and knowledge.current_version(pub, "hacked-account") == 1
    assert [d["id"] for d in drafts.drafts(pub)] == [draft_id]
    with pytest.raises(drafts.DraftError, match="another lead") as own:
        drafts.approve(pub, draft_id, "lead-anna")
    assert own.value.status == 403
    done = drafts.approve(pub, draft_id, "lead-carl")
    assert done["published"][0]["version"] == 2
    [latest] = history.item_versions(pub, Kind.SOP, "hacked-account")[-1:]
    assert latest["author"] == "lead-anna" and latest["note"] == "tone (approved by lead-carl)"
    assert drafts.draft(pub, draft_id)["status"] == "approved"
    with pytest.raises(drafts.DraftError, match="approved already"):
        drafts.reject(pub, draft_id, "lead-carl", "late")


def test_a_stale_draft_cannot_be_approved_and_can_be_rejected(pub: Database) -> None:
    drafts.set_needs_approval(pub, True)
    first = edit(pub, Kind.SOP, "hacked-account", HACKED + "a\n")["draft"]
    second = edit(pub, Kind.SOP, "hacked-account", HACKED + "b\n", by="lead-carl")["draft"]
    drafts.approve(pub, first, "lead-carl")
    with pytest.raises(drafts.DraftError, match="changed since draft"):
        drafts.approve(pub, second, "lead-anna")
    assert drafts.reject(pub, second, "lead-anna", "outdated")["status"] == "rejected"
    assert drafts.draft(pub, second)["reason"] == "outdated"


def test_reviews_and_verified(pub: Database) -> None:
    overdue = HACKED.replace("steps:", "review_due: 2026-11-01\nsteps:")
    edit(pub, Kind.SOP, "hacked-account", overdue)
    data = reviews.reviews(pub, TODAY)
    assert [r["sop_id"] for r in data["overdue"]] == ["hacked-account"]
    assert data["overdue"][0]["owner"] == "lead-anna" and data["overdue"][0]["days_left"] == -19
    reviews.set_owner(pub, Kind.SOP, "hacked-account", "lead-carl", "lead-anna")
    with pytest.raises(drafts.DraftError, match="not in the future"):
        reviews.verify(pub, "hacked-account", TODAY, "", "lead-carl", TODAY)
    done = reviews.verify(pub, "hacked-account", dt.date(2027, 5, 1), "checked", "lead-carl", TODAY)
    assert done["published"][0]["version"] == 3
    row = next(r for r in reviews.reviews(pub, TODAY)["sops"] if r["sop_id"] == "hacked-account")
    assert row["state"] == "scheduled" and row["review_due"] == "2027-05-01"
    assert row["owner"] == "lead-carl" and reviews.review_counts(pub, TODAY)["overdue"] == 0
    assert (
        "review_due: 2027-05-01"
        in history.version_source(pub, Kind.SOP, "hacked-account", 3)["source_text"]
    )


def _use(kind: str, when: dt.datetime, **ids: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": kind,
        "wall": when.isoformat(timespec="microseconds"),
        "mono": 1.0,
        "run_id": "r",
        "agent_id": "agent-bob",
        "session_id": "s",
        **ids,
    }


def test_usage_counts_opens_copies_and_sends(pub: Database) -> None:
    now = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    store_events(
        pub,
        [
            _use("sop_opened", now - dt.timedelta(days=1), sop_id="coin-refund"),
            _use("sop_opened", now - dt.timedelta(days=2), sop_id="coin-refund"),
            _use("sop_opened", now - dt.timedelta(days=3), sop_id="coin-refund"),
            _use("sop_opened", now - dt.timedelta(days=90), sop_id="hacked-account"),
            _use("macro_copied", now - dt.timedelta(days=1), macro_id="refund-approved"),
            _use("macro_sent", now - dt.timedelta(days=1), macro_id="refund-approved"),
        ],
    )
    data = usage.usage(pub, now - dt.timedelta(days=30))
    assert [r["id"] for r in data["never"]] == ["account-secured", "hacked-account"]
    assert [r["id"] for r in data["rarely"]] == ["refund-approved"]
    macro = next(r for r in data["macros"] if r["id"] == "refund-approved")
    assert (macro["copied"], macro["sent"], macro["uses"]) == (1, 1, 2)
    coins = next(r for r in data["items"] if r["id"] == "coin-refund")
    assert coins["opened"] == 3 and coins["last_used"].startswith("2026-11-19")
