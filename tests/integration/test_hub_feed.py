"""Publish -> delta feed -> ETag/304, history, retire, prune, SSE push, atomic rejection."""

from __future__ import annotations

import json
import queue
import threading
from typing import Any

import httpx

from agent_assist.hub.fastpath import ACCESS_SAMPLE
from tests.conftest import TINY_PACK
from tests.integration import hubserver
from tests.integration.hubserver import RunningHub, publish_body

hub = hubserver.hub


def _publish(hub: RunningHub, files: dict[str, str], **kw: Any) -> httpx.Response:
    return httpx.post(
        f"{hub.url}/v1/publish", json=publish_body(files, **kw), headers=hub.auth("lead")
    )


def _changes(hub: RunningHub, since: int = 0, **kw: Any) -> httpx.Response:
    return httpx.get(
        f"{hub.url}/v1/changes", params={"since": since, **kw}, headers=hub.auth("agent")
    )


def test_publish_feed_etag_history_retire(hub: RunningHub) -> None:
    first = _publish(hub, TINY_PACK, note="first")
    assert first.status_code == 200, first.text
    body = first.json()
    assert len(body["published"]) == 4 and body["unchanged"] == 0
    assert body["cursor"] == 4

    feed = _changes(hub)
    assert feed.status_code == 200
    assert feed.headers["etag"] == '"c4"'
    page = feed.json()
    assert [c["seq"] for c in page["changes"]] == [1, 2, 3, 4]
    assert page["cursor"] == 4 and page["more"] is False
    refund = next(c for c in page["changes"] if c["id"] == "coin-refund")
    assert refund["op"] == "upsert" and refund["version"] == 1
    assert refund["author"] == hub.names["lead"] and refund["note"] == "first"
    assert refund["source_text"] == TINY_PACK["sops/coin-refund.md"]
    assert refund["pack"] == "tiny" and refund["source_path"] == "sops/coin-refund.md"

    idle = _changes(hub, 4, limit=10)
    idle = httpx.get(
        f"{hub.url}/v1/changes",
        params={"since": 4},
        headers={**hub.auth("agent"), "If-None-Match": '"c4"'},
    )
    assert idle.status_code == 304 and idle.content == b""

    paged = _changes(hub, 0, limit=3).json()
    assert paged["more"] is True and paged["cursor"] == 3

    same = _publish(hub, TINY_PACK).json()
    assert same["published"] == [] and same["unchanged"] == 4 and same["cursor"] == 4

    changed = dict(TINY_PACK)
    changed["sops/coin-refund.md"] = TINY_PACK["sops/coin-refund.md"] + "\nUpdated.\n"
    second = _publish(hub, changed, note="clarified").json()
    assert [(p["id"], p["version"]) for p in second["published"]] == [("coin-refund", 2)]
    stale = httpx.get(
        f"{hub.url}/v1/changes",
        params={"since": 4},
        headers={**hub.auth("agent"), "If-None-Match": '"c4"'},
    )
    assert stale.status_code == 200 and stale.json()["changes"][0]["version"] == 2

    retired = httpx.post(
        f"{hub.url}/v1/retire",
        json={"items": [{"kind": "macro", "id": "account-secured"}], "note": "gone"},
        headers=hub.auth("lead"),
    )
    assert retired.status_code == 200, retired.text
    assert retired.json()["retired"] == [{"kind": "macro", "id": "account-secured", "version": 1}]
    last = _changes(hub, 5).json()["changes"]
    assert [(c["op"], c["id"]) for c in last] == [("retire", "account-secured")]

    history = httpx.get(
        f"{hub.url}/v1/items/sop/coin-refund/history", headers=hub.auth("agent")
    ).json()["versions"]
    assert [(v["version"], v["note"], v["retired"]) for v in history] == [
        (1, "first", False),
        (2, "clarified", False),
    ]
    assert all(len(v["content_hash"]) == 64 for v in history)

    pruned = dict(changed)
    del pruned["sops/hacked-account.md"]
    result = _publish(hub, pruned, prune=True).json()
    assert result["retired"] == [{"kind": "sop", "id": "hacked-account", "version": 1}]


def test_pack_with_an_error_publishes_nothing(hub: RunningHub) -> None:
    broken = dict(TINY_PACK)
    broken["sops/hacked-account.md"] = broken["sops/hacked-account.md"].replace(
        "steps:", "macros: [no-such-macro]\nsteps:"
    )
    response = _publish(hub, broken)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_pack" or body["error"] == "invalid"
    assert any("no-such-macro" in p["message"] for p in body["problems"])
    assert body["problems"][0]["file"] == "sops/hacked-account.md"
    assert _changes(hub).json()["changes"] == []

    outside = _publish(hub, {**TINY_PACK, "../evil.md": "x"})
    assert outside.status_code == 422 and "../evil.md" in outside.text


def _read_events(hub: RunningHub, out: queue.Queue[Any], stop: threading.Event) -> None:
    try:
        _stream(hub, out, stop)
    except httpx.HTTPError as exc:  # the hub stopping at teardown ends the stream
        out.put(("closed", str(exc)))


def _stream(hub: RunningHub, out: queue.Queue[Any], stop: threading.Event) -> None:
    with (
        httpx.Client(timeout=httpx.Timeout(30, read=30)) as client,
        client.stream("GET", f"{hub.url}/v1/stream", headers=hub.auth("agent")) as response,
    ):
        out.put(("status", response.status_code))
        event = None
        for line in response.iter_lines():
            if stop.is_set():
                return
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "changes":
                out.put(("changes", json.loads(line.removeprefix("data: "))["cursor"]))


def test_sse_notice_after_publish(hub: RunningHub) -> None:
    events: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()
    reader = threading.Thread(target=_read_events, args=(hub, events, stop), daemon=True)
    reader.start()
    assert events.get(timeout=10) == ("status", 200)
    assert events.get(timeout=10) == ("changes", 0)  # on connect: the current cursor
    assert _publish(hub, TINY_PACK).status_code == 200
    assert events.get(timeout=2) == ("changes", 4)
    httpx.post(
        f"{hub.url}/v1/retire",
        json={"items": [{"kind": "sop", "id": "coin-refund"}]},
        headers=hub.auth("lead"),
    )
    assert events.get(timeout=2) == ("changes", 5)
    stop.set()


def test_access_log_is_one_json_line_per_request(hub: RunningHub) -> None:
    hub.http.get("/v1/whoami", headers=hub.auth("agent"))

    def is_entry(line: str) -> bool:
        return line.startswith("{") and json.loads(line).get("route") == "/v1/whoami"

    entry = json.loads(hub.wait_for_log(is_entry))
    assert entry["status"] == 200 and entry["method"] == "GET"
    assert entry["caller"] == hub.names["agent"] and entry["ms"] >= 0


def test_the_fast_path_logs_a_sample_of_its_answers(hub: RunningHub) -> None:
    """Feed polls answered before the routes: the first, then one in ``ACCESS_SAMPLE``."""
    for _ in range(ACCESS_SAMPLE + 1):
        response = hub.http.get("/v1/changes", params={"since": 0}, headers=hub.auth("agent"))
        assert response.status_code == 200

    def is_entry(line: str) -> bool:
        return line.startswith("{") and json.loads(line).get("route") == "/v1/changes"

    hub.wait_for_log(lambda line: is_entry(line) and sum(map(is_entry, hub.log)) >= 2)
    entries = [json.loads(line) for line in hub.log if is_entry(line)]
    assert len(entries) == 2
    assert all(e["fast"] and e["sampled"] == ACCESS_SAMPLE and e["status"] == 200 for e in entries)
    assert entries[0]["caller"] == hub.names["agent"]
