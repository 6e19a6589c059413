"""From outside the app: the real app (``python -m agent_assist``, xcb on a private Xvfb) runs
against a real hub; a lead's ``agent-assist publish`` is in the app's cache, as ``agent-assist
show ID --json`` on the same data dir sees it, within 2 s.  No hook into the app: only what an
agent's machine would see."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import write_pack
from tests.gui.xvfb import Xvfb, start_xvfb
from tests.integration import hubserver
from tests.integration.hubserver import RunningHub

hub = hubserver.hub
LATENCY = 2.0


def team_pack(step: str) -> dict[str, str]:
    return {
        "pack.yaml": "name: team\nversion: '1'\nlocale: en\n",
        "sops/vpn-reset.md": (
            "---\nid: vpn-reset\ntitle: VPN token reset\nsummary: The VPN refuses the token.\n"
            f"steps:\n  - {{id: reset, text: {step}}}\n---\nAsk for the device name first.\n"
        ),
    }


def cli_env(token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env["AGENT_ASSIST_TOKEN"] = token
    return env


def agent_assist(data_dir: Path, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``agent-assist --data-dir DATA_DIR ARGS`` as a separate process."""
    return subprocess.run(
        [sys.executable, "-m", "agent_assist", "--data-dir", str(data_dir), *args],
        env=cli_env(token),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def shown_version(data_dir: Path, token: str) -> int | None:
    result = agent_assist(data_dir, token, *SHOW)
    if result.returncode != 0:
        return None  # not in the cache yet
    return int(json.loads(result.stdout)["version"])


@pytest.fixture
def xvfb() -> Iterator[Xvfb]:
    server = start_xvfb()
    if server is None:
        pytest.skip("the Xvfb binary is not installed")
    yield server
    server.stop()


@pytest.fixture
def running_app(xvfb: Xvfb, hub: RunningHub, tmp_path: Path) -> Iterator[Path]:
    """The app on its own data dir, pointed at the hub, signed in through the environment;
    yields the data dir and quits the app with SIGTERM (it must exit 0)."""
    data = tmp_path / "agent"
    token = hub.tokens["agent"]
    assert agent_assist(data, token, "settings", "set", "hub_url", hub.url).returncode == 0
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = cli_env(token)
    env.update(DISPLAY=xvfb.display, QT_QPA_PLATFORM="xcb", XDG_RUNTIME_DIR=str(runtime))
    env.pop("WAYLAND_DISPLAY", None)
    stderr = tmp_path / "app-stderr.txt"
    with stderr.open("w", encoding="utf-8") as err:  # a file: a full pipe would stall the app
        app = subprocess.Popen(
            [sys.executable, "-m", "agent_assist", "--data-dir", str(data)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        yield data
    finally:
        app.send_signal(signal.SIGTERM)
        try:
            app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()
        assert app.returncode == 0, stderr.read_text(encoding="utf-8")


POLL_EVERY = 0.3
"""Seconds between ``show`` runs: they overlap (at most :data:`IN_FLIGHT` at once), so a run's
own start-up time (about a second on a busy machine) does not decide how soon a change is
seen."""
IN_FLIGHT = 2
SHOW = ("show", "vpn-reset", "--json")


def wait_for_version(data: Path, token: str, version: int, timeout: float) -> tuple[float, float]:
    """``(started, returned)``: seconds until the first ``show`` run that reported ``version``
    started and returned."""
    begun = time.monotonic()
    runs: list[tuple[float, subprocess.Popen[str]]] = []
    seen: list[object] = []  # what each finished run said: a version, or its error
    try:
        while time.monotonic() - begun <= timeout:
            now = time.monotonic()
            if len(runs) < IN_FLIGHT and (not runs or now - runs[-1][0] >= POLL_EVERY):
                runs.append((now, show_process(data, token)))
            for started, run in [r for r in runs if r[1].poll() is not None]:
                runs.remove((started, run))
                out, err = run.communicate()
                seen.append(json.loads(out)["version"] if run.returncode == 0 else err[-300:])
                if seen[-1] == version:
                    return started - begun, time.monotonic() - begun
            threading.Event().wait(0.01)
        raise AssertionError(f"show did not see version {version} within {timeout} s: {seen}")
    finally:
        for _, run in runs:
            run.kill()
            run.communicate()


def show_process(data: Path, token: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "agent_assist", "--data-dir", str(data), *SHOW],
        env=cli_env(token),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.xvfb
@pytest.mark.slow
def test_a_lead_publish_reaches_the_running_app_within_2_s(
    hub: RunningHub, running_app: Path, tmp_path: Path
) -> None:
    lead_dir, pack = tmp_path / "lead", tmp_path / "pack"
    lead = hub.tokens["lead"]
    agent = hub.tokens["agent"]

    def lead_publishes(step: str) -> None:
        write_pack(pack, team_pack(step))
        done = agent_assist(lead_dir, lead, "publish", str(pack), "--hub", hub.url)
        assert done.returncode == 0, done.stderr

    lead_publishes("Reset the VPN token in the admin console")
    started = time.monotonic()
    while shown_version(running_app, agent) != 1:  # the app has started and synced
        assert time.monotonic() - started < 60, "the app never synced"

    seen = []
    for version, step in ((2, "Issue a new token from self-service"), (3, "Call the VPN desk")):
        lead_publishes(step)
        seen.append(wait_for_version(running_app, agent, version, timeout=LATENCY))
    print(
        "lead publish done -> show run that saw it started / returned:",
        ", ".join(f"{a * 1000:.0f} / {b * 1000:.0f} ms" for a, b in seen),
    )
    assert max(returned for _, returned in seen) <= LATENCY
