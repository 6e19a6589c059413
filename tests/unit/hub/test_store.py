"""The hub store on SQLite: migrations, publish/retire semantics, feed ordering, tokens."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from agent_assist.core.knowledge.models import Kind
from agent_assist.hub import auth, knowledge, learning
from agent_assist.hub.db import Database, HubStoreError
from tests.conftest import TINY_PACK


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database.open(None, tmp_path)


def _upload(files: dict[str, str], **kw: object) -> knowledge.Upload:
    rest = {k: v for k, v in files.items() if k != "pack.yaml"}
    return knowledge.Upload(files["pack.yaml"], rest, **kw)  # type: ignore[arg-type]


def test_migration_is_idempotent_and_refuses_newer_schemas(tmp_path: Path) -> None:
    Database.open(None, tmp_path).close()
    db = Database.open(None, tmp_path)
    with db.transaction() as tx:
        tx.execute("INSERT INTO schema_version (version) VALUES (99)")
    db.close()
    with pytest.raises(HubStoreError, match="newer than this hub"):
        Database.open(None, tmp_path)


def test_unsupported_url_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(HubStoreError, match="unsupported database URL"):
        Database.open("mysql://x", tmp_path)


def test_publish_versions_and_unchanged(db: Database) -> None:
    first = knowledge.publish(db, _upload(TINY_PACK), "lead-anna")
    assert len(first.published) == 4 and first.cursor == 4
    assert knowledge.publish(db, _upload(TINY_PACK), "lead-anna").unchanged == 4
    changed = {
        **TINY_PACK,
        "macros/account-secured.md": TINY_PACK["macros/account-secured.md"] + "!",
    }
    second = knowledge.publish(db, _upload(changed, note="punchier"), "lead-anna")
    assert second.published == [
        {
            "kind": "macro",
            "id": "account-secured",
            "version": 2,
            "content_hash": second.published[0]["content_hash"],
        }
    ]
    history = knowledge.history(db, Kind.MACRO, "account-secured")
    assert [(h["version"], h["note"]) for h in history] == [(1, ""), (2, "punchier")]


def test_rejected_publish_changes_nothing(db: Database) -> None:
    broken = {**TINY_PACK, "sops/bad.md": "---\nid: [not, a, string]\n---\n"}
    with pytest.raises(knowledge.PublishRejectedError) as info:
        knowledge.publish(db, _upload(broken), "lead-anna")
    assert info.value.problems and info.value.problems[0].file == "sops/bad.md"
    assert knowledge.head(db) == 0


def test_retire_then_republish_makes_a_new_version(db: Database) -> None:
    knowledge.publish(db, _upload(TINY_PACK), "lead-anna")
    retired, _, cursor = knowledge.retire(db, [("sop", "coin-refund")], "lead-anna", "")
    assert retired == [{"kind": "sop", "id": "coin-refund", "version": 1}] and cursor == 5
    assert knowledge.retire(db, [("sop", "coin-refund")], "lead-anna", "")[1] == 1
    with pytest.raises(knowledge.UnknownItemError):
        knowledge.retire(db, [("sop", "nope")], "lead-anna", "")
    again = knowledge.publish(db, _upload(TINY_PACK), "lead-anna")
    assert [(p["id"], p["version"]) for p in again.published] == [("coin-refund", 2)]


def test_concurrent_feed_writers_get_gapless_increasing_seqs(db: Database) -> None:
    knowledge.publish(db, _upload(TINY_PACK), "lead-anna")
    errors: list[BaseException] = []

    def ack_and_learn(i: int) -> None:
        try:
            for j in range(10):
                with db.transaction() as tx:
                    knowledge.next_seqs(tx, "feed", 1 + (i + j) % 3)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ack_and_learn, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    expected = 4 + sum(1 + (i + j) % 3 for i in range(6) for j in range(10))
    assert knowledge.head(db) == expected


def test_tokens_are_hashed_and_revocable(db: Database) -> None:
    token = auth.create_token(db, "agent-bob", auth.Role.AGENT)
    assert len(token) >= 43
    caller = auth.authenticate(db, token)
    assert caller == auth.Caller("agent-bob", auth.Role.AGENT)
    with pytest.raises(auth.TokenError, match="exists already"):
        auth.create_token(db, "agent-bob", auth.Role.LEAD)
    with db.read() as tx:
        stored = tx.execute("SELECT hash FROM tokens").fetchone()[0]
    assert stored == auth.token_hash(token) and token not in stored
    auth.revoke_token(db, "agent-bob")
    assert auth.authenticate(db, token) is None
    with pytest.raises(auth.TokenError, match="no active token"):
        auth.revoke_token(db, "agent-bob")
    with pytest.raises(auth.TokenError, match="not a token name"):
        auth.create_token(db, "bad name", auth.Role.AGENT)


def test_roles_are_ordered() -> None:
    assert auth.Role.AGENT < auth.Role.LEAD < auth.Role.ADMIN
    with pytest.raises(auth.TokenError, match="unknown role"):
        auth.Role.parse("boss")


@pytest.mark.parametrize(
    ("query", "normalized"),
    [
        ("  Refund   MY coins ", "refund my coins"),
        ("mail me at jo@example.com", "mail me at [email]"),
        ("", ""),
    ],
)
def test_learning_normalizes_and_scrubs(query: str, normalized: str) -> None:
    assert learning.normalize_query(query) == normalized
