"""``agent-assist-hub demo``: a real hub, seeded through its own API, answering reports with
the token it prints, and stopping cleanly on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agent_assist.hub.demo_seed import TWO_VERSIONS
from tests.integration.hubserver import free_port

READY_TIMEOUT = 240.0  # seeding uploads weeks of sessions; a loaded CI machine is slow


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    port = free_port()
    cmd = [sys.executable, "-m", "agent_assist.hub.cli", "demo", "--data-dir", str(tmp_path)]
    process = subprocess.Popen(
        [*cmd, "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    printed: dict[str, str] = {}
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            name, _, value = line.strip().partition(": ")
            printed[name] = value
            if "console" in printed and "token" in printed:
                ready.set()
        ready.set()  # the process ended

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(READY_TIMEOUT), "no console/token lines"
        assert "token" in printed, process.stderr.read() if process.stderr else ""
        yield process, printed
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_demo_serves_a_seeded_hub_and_stops_on_ctrl_c(
    demo: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    process, printed = demo
    assert printed["console"].startswith("http://127.0.0.1:")
    assert printed["console"].endswith("/console")
    base = printed["console"].removesuffix("/console")
    headers = {"Authorization": f"Bearer {printed['token']}"}
    report = httpx.get(f"{base}/v1/reports/sops", headers=headers, timeout=60).json()
    versions: dict[str, set[int]] = {}
    for row in report["sops"]:
        versions.setdefault(row["sop_id"], set()).add(row["version"])
    for sop_id in TWO_VERSIONS:
        assert versions[sop_id] == {1, 2}, sop_id
    assert report["sessions"] > 300
    assert [(r["sop_id"], r["unpublished_reason"]) for r in report["unpublished"]] == [
        ("coin-refund", "run before version 1 was published here")
    ]
    worse = {
        r["version"]: r["quality"] for r in report["sops"] if r["sop_id"] == "duplicate-charge"
    }
    assert worse[2]["satisfaction_mean"] < worse[1]["satisfaction_mean"]
    steps = next(r["steps"] for r in report["sops"] if r["sop_id"] == "coin-refund")
    assert steps[0]["position"] == 1 and steps[0]["text"]
    compared = httpx.get(
        f"{base}/v1/reports/compare",
        params={"sop_id": "coin-refund", "a": 1, "b": 2},
        headers=headers,
        timeout=60,
    ).json()
    assert compared["enough_data"] is True and compared["difference"] < 0
    coverage = httpx.get(
        f"{base}/v1/acks", params={"sop_id": "coin-refund", "version": 2}, headers=headers
    ).json()
    assert 0 < coverage["coverage"] < 1  # some agents acknowledged version 2, not all

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
