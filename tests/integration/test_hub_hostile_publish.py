"""Hostile publishes on a real hub (security review, issue 11): a few hundred bytes of YAML
aliases, huge keys and packs full of errors get a short 422, never a 500, and the hub's memory
stays where it was.  The hub process is measured from outside (``/proc/<pid>``), and its
address space is capped so that a regression fails the test instead of exhausting the
machine."""

from __future__ import annotations

import os
import resource
import string
from pathlib import Path

import httpx
import pytest

from tests.integration import hubserver
from tests.integration.hubserver import RunningHub, publish_body

hub = hubserver.hub
MB = 1024 * 1024
HEADROOM = 3 * 1024 * MB
"""Address space the hub may grow by: enough for the old loader to fail with MemoryError
(a 500) instead of taking the machine's memory, plenty for a bounded one."""

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")


def key_bomb(size: int, levels: int, width: int = 9) -> str:
    """A SOP of exactly ``size`` bytes whose one key is ``levels`` nested lists of ``width``
    aliases (as in tests/unit/core/knowledge/test_hostile_packs.py)."""
    names = string.ascii_lowercase
    lists = [f"&a [{','.join(['x'] * width)}]"]
    lists += [f"&{names[i]} [{','.join(['*' + names[i - 1]] * width)}]" for i in range(1, levels)]
    head, tail = "---\nid: bomb\ntitle: Bomb", f"\n? [{', '.join(lists)}]\n: 1\n---\n"
    return head + "b" * (size - len(head) - len(tail)) + tail


def _status(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` memory figure, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} in /proc/{pid}/status")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _capped_pid(hub: RunningHub) -> int:
    assert hub.process is not None
    pid = hub.process.pid
    limit = _status(pid, "VmSize") + HEADROOM
    resource.prlimit(pid, resource.RLIMIT_AS, (limit, limit))
    return pid


def _publish(hub: RunningHub, files: dict[str, str]) -> httpx.Response:
    return hub.http.post(
        "/v1/publish", json=publish_body(files), headers=hub.auth("lead"), timeout=300
    )


def test_key_bombs_get_a_short_422_and_leave_hub_memory_alone(hub: RunningHub) -> None:
    pid = _capped_pid(hub)
    rss_before = _status(pid, "VmRSS")
    for size, levels in [(339, 7), (382, 8)]:
        text = key_bomb(size, levels)
        assert len(text.encode()) == size
        cpu = _cpu_seconds(pid)
        response = _publish(hub, {"sops/bomb.md": text})
        assert _cpu_seconds(pid) - cpu < 1.0, f"{size} bytes"
        assert response.status_code == 422, response.text[:300]
        assert len(response.content) < 4096
        body = response.json()
        assert body["message"].startswith("the pack has 1 error(s); nothing was published")
        assert "sops/bomb.md:4: YAML too large: more than 100,000 values" in body["message"]
        [problem] = body["problems"]
        assert (problem["file"], problem["line"]) == ("sops/bomb.md", 4)
    grown = _status(pid, "VmHWM") - rss_before
    assert grown < 100 * MB, f"the hub's peak memory grew by {grown / MB:.0f} MB"
    assert hub.http.get("/healthz").is_success


def test_huge_keys_and_values_are_never_echoed(hub: RunningHub) -> None:
    pid = _capped_pid(hub)
    long_key = "k" * 100_000
    files = {
        "sops/key.md": f"---\nid: key\ntitle: T\n? {long_key}\n: 1\n---\n",  # YAML's long key form
        "sops/field.md": f"---\nid: field\ntitle: T\n{'f' * 190}: 1\n---\n",
        "sops/id.md": f"---\nid: {'I' * 200_000}\ntitle: T\n---\n",
    }
    response = _publish(hub, files)
    assert response.status_code == 422, response.text[:300]
    assert len(response.content) < 4096
    problems = {p["file"]: p for p in response.json()["problems"]}
    assert problems["sops/key.md"]["message"] == (
        "YAML too large: a key of 100,000 characters (expected at most 200)"
    )
    assert problems["sops/field.md"]["field"] == "f" * 60 + "…"
    assert problems["sops/id.md"]["message"].startswith("'" + "I" * 60 + "…' is not a valid id")
    assert _status(pid, "VmHWM") < 1024 * MB


def test_a_pack_full_of_errors_gets_a_bounded_answer(hub: RunningHub) -> None:
    files = {f"sops/s{i}.md": f"---\nid: s{i}\ntitel: T\n---\n" for i in range(300)}
    response = _publish(hub, files)
    assert response.status_code == 422
    body = response.json()
    assert body["message"].startswith("the pack has 600 error(s); nothing was published")
    assert len(body["problems"]) == 100
    assert len(response.content) < 64 * 1024
