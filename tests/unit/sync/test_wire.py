"""Hub replies are parsed strictly: anything off names the endpoint and field."""

from __future__ import annotations

import base64
import threading

import pytest

from agent_assist.core.knowledge.models import Kind
from agent_assist.sync import wire
from agent_assist.sync.client import _sse_cursors
from agent_assist.sync.errors import MalformedReplyError


def upsert(seq: object, **over: object) -> dict[str, object]:
    change: dict[str, object] = {
        "seq": seq,
        "op": "upsert",
        "kind": "sop",
        "id": "coin-refund",
        "version": 2,
        "content_hash": "abc",
        "pack": "clipwave",
        "pack_locale": "en",
        "source_path": "sops/coin-refund.md",
        "source_text": "---\nid: coin-refund\ntitle: T\n---\n",
        "published_at": "2026-11-26T17:05:00Z",
        "author": "lead",
        "note": "",
    }
    change.update(over)
    return change


def test_changes_page_parses() -> None:
    page = wire.parse_changes(
        {
            "changes": [
                upsert(3),
                {"seq": 4, "op": "retire", "kind": "macro", "id": "m", "version": 1},
            ],
            "cursor": 4,
            "more": False,
        },
        since=2,
        etag='"c4"',
    )
    assert [c.seq for c in page.changes] == [3, 4]
    assert page.changes[0].kind is Kind.SOP and page.changes[0].pack == "clipwave"
    assert page.changes[1].op == "retire" and page.cursor == 4 and page.etag == '"c4"'


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ([], "expected a JSON object, got an array"),
        ({"cursor": 1, "more": False}, "missing field 'changes'"),
        ({"changes": "x", "cursor": 1, "more": False}, "field 'changes' is a string"),
        ({"changes": [], "cursor": "1", "more": False}, "field 'cursor' is a string"),
        ({"changes": [], "cursor": 2, "more": 1}, "field 'more' is a number"),
        ({"changes": [upsert(3, op="delete")], "cursor": 3, "more": False}, "field 'op'"),
        ({"changes": [upsert(3, kind="faq")], "cursor": 3, "more": False}, "field 'kind'"),
        (
            {"changes": [upsert(3, source_text=None)], "cursor": 3, "more": False},
            "changes[0]: field 'source_text' is null",
        ),
        ({"changes": [upsert(3, pack="")], "cursor": 3, "more": False}, "'pack' is empty"),
        ({"changes": [upsert(3), upsert(3)], "cursor": 3, "more": False}, "strictly increasing"),
        ({"changes": [upsert(1)], "cursor": 1, "more": False}, "expected more than 2"),
        ({"changes": [upsert(5)], "cursor": 4, "more": False}, "cursor 4 is behind"),
        ({"changes": [upsert(True)], "cursor": 3, "more": False}, "'seq' is a boolean"),
        ({"changes": [upsert(-3)], "cursor": 3, "more": False}, "expected >= 0"),
    ],
)
def test_malformed_changes_name_the_field(reply: object, message: str) -> None:
    with pytest.raises(MalformedReplyError, match="GET /v1/changes") as info:
        wire.parse_changes(reply, since=2)
    assert message in str(info.value)


def test_hub_key_is_checked() -> None:
    key = base64.b64encode(bytes(32)).decode()
    assert wire.parse_hub_key(
        {"algorithm": "ed25519", "public_key": key, "fingerprint": "f"}
    ).raw == bytes(32)
    with pytest.raises(MalformedReplyError, match="16 bytes"):
        wire.parse_hub_key(
            {
                "algorithm": "ed25519",
                "public_key": base64.b64encode(bytes(16)).decode(),
                "fingerprint": "f",
            }
        )
    with pytest.raises(MalformedReplyError, match="not base64"):
        wire.parse_hub_key({"algorithm": "ed25519", "public_key": "***", "fingerprint": "f"})
    with pytest.raises(MalformedReplyError, match="unknown algorithm 'rsa'"):
        wire.parse_hub_key({"algorithm": "rsa", "public_key": key, "fingerprint": "f"})


def test_learned_push_publish_and_whoami() -> None:
    learned, cursor = wire.parse_learned(
        {"phrasings": [{"seq": 1, "sop_id": "s", "text": "t", "count": 3}], "cursor": 1}
    )
    assert learned == [wire.Learned(1, "s", "t", 3)] and cursor == 1
    assert wire.parse_push({"accepted": 2, "duplicates": 1}) == wire.PushResult(2, 1)
    result = wire.parse_publish(
        {
            "published": [{"kind": "sop", "id": "a", "version": 2, "content_hash": "h"}],
            "unchanged": 3,
            "retired": [],
            "cursor": 9,
        }
    )
    assert result.published == ["sop:a v2"] and result.cursor == 9
    assert wire.parse_whoami({"name": "anna", "role": "agent"}).name == "anna"
    with pytest.raises(MalformedReplyError, match="phrasings\\[0\\]: missing field 'text'"):
        wire.parse_learned({"phrasings": [{"seq": 1, "sop_id": "s", "count": 1}], "cursor": 1})
    with pytest.raises(MalformedReplyError, match="'name' is empty"):
        wire.parse_whoami({"name": "", "role": "agent"})


def test_error_replies_are_read_tolerantly() -> None:
    message, problems = wire.parse_error(
        {
            "error": "invalid",
            "message": "bad pack",
            "problems": [
                {
                    "file": "sops/a.md",
                    "line": 4,
                    "field": "title",
                    "message": "missing",
                    "severity": "error",
                },
                "junk",
            ],
        }
    )
    assert message == "bad pack"
    assert [str(p) for p in problems] == ["sops/a.md:4: title: missing"]
    assert wire.parse_error("not json") == ("", [])


def test_sse_stream_yields_change_cursors_only() -> None:
    lines = [
        ": keep-alive",
        "",
        "event: changes",
        'data: {"cursor": 7}',
        "",
        "event: other",
        'data: {"cursor": 99}',
        "",
        "data: not json",
        "",
        "event: changes",
        'data: {"cursor": 8}',
        "",
    ]
    assert list(_sse_cursors(iter(lines), threading.Event())) == [7, 8]
    stop = threading.Event()
    stop.set()
    assert list(_sse_cursors(iter(lines), stop)) == []
