"""The real window with the real live sync against a real hub (uvicorn on 127.0.0.1): a publish
shows in the open results and detail within 2 s, with the agent's selection kept; a hub set in
Settings after start is used without a restart; a refused token reads in plain words and signing
in again from Settings brings the app back live."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from agent_assist.app.context import AppContext
from agent_assist.app.live import LiveSync
from agent_assist.core.cache.store import Store
from agent_assist.core.settings import Settings
from agent_assist.core.worklog.clock import SystemClock
from agent_assist.sync.credentials import TOKEN_ENV, Credentials
from agent_assist.ui.app import window_settings
from agent_assist.ui.icons import kind_icons
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.tasks import TaskManager
from tests.integration import hubserver
from tests.integration.hubserver import RunningHub

hub = hubserver.hub
LATENCY = 2.0
"""Seconds from a lead's publish to the agent's open window (the issue: under 2 s)."""


def vpn_pack(step: str = "Reset the VPN token in the admin console") -> dict[str, str]:
    """A team pack with one SOP; ``step`` changes between publishes."""
    return {
        "pack.yaml": "name: team\nversion: '1'\nlocale: en\n",
        "sops/vpn-reset.md": (
            "---\nid: vpn-reset\ntitle: VPN token reset\nsummary: The VPN refuses the token.\n"
            "phrasings: [my vpn token stopped working]\n"
            f"steps:\n  - {{id: reset, text: {step}}}\n---\nAsk for the device name first.\n"
        ),
    }


def publish(hub: RunningHub, files: dict[str, str]) -> None:
    body = hubserver.publish_body(files, note="test")
    response = httpx.post(f"{hub.url}/v1/publish", json=body, headers=hub.auth("lead"))
    assert response.status_code == 200, response.text


@dataclass
class App:
    window: MainWindow
    live: LiveSync
    settings: Callable[[], Settings]
    creds: Credentials

    def rows(self) -> list[str]:
        return [row.id for row in self.window.model.rows]

    def shown_text(self) -> str:
        return self.window.detail.toPlainText()


@pytest.fixture
def open_app(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path
) -> Iterator[Callable[..., App]]:
    """Opens the window over the tiny pack with a real :class:`LiveSync`; stops it after."""
    opened: list[App] = []

    def open_(hub_url: str = "", creds: Credentials | None = None) -> App:
        def settings() -> Settings:
            return Settings(data_dir, system_file=data_dir / "no-system.toml")

        if hub_url:
            settings().set("hub_url", hub_url)
        creds = creds or Credentials(None, {})
        ctx = AppContext(
            data_dir, clock=SystemClock(), agent="tester", settings=settings(), store=tiny_store
        )
        live = LiveSync(data_dir, settings=settings, credentials=creds)
        window = MainWindow(
            ctx.search,
            tasks,
            window_settings(data_dir),
            kind_icons(),
            ctx.work,
            ctx.settings,
            live_sync=live,
            credentials=lambda: creds,
        )
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        app = App(window, live, settings, creds)
        opened.append(app)
        return app

    yield open_
    for app in opened:
        if not app.live.stop(3):  # the open stream is cut at once, not at the next keep-alive
            import faulthandler

            faulthandler.dump_traceback()
            raise AssertionError("the listener did not stop")


def wait_live(qtbot: QtBot, app: App, timeout: int = 15_000) -> None:
    qtbot.waitUntil(lambda: app.window.sync.state == "live", timeout=timeout)


def within(qtbot: QtBot, condition: Callable[[], bool], started: float) -> float:
    """Seconds from ``started`` until ``condition`` held (fails after :data:`LATENCY`)."""
    qtbot.waitUntil(condition, timeout=int(LATENCY * 1000) + 500)
    return time.monotonic() - started


def test_a_publish_shows_in_the_open_window_within_2_s_keeping_the_selection(
    qtbot: QtBot, hub: RunningHub, open_app: Callable[..., App]
) -> None:
    """Issue 12: a publish at 21:49:05 appeared at 21:53:51 (a 5-minute poll, no stream)."""
    app = open_app(hub.url, Credentials(None, {TOKEN_ENV: hub.tokens["agent"]}))
    wait_live(qtbot, app)
    assert "vpn-reset" not in app.rows()

    started = time.monotonic()
    publish(hub, vpn_pack())
    first = within(qtbot, lambda: "vpn-reset" in app.rows(), started)

    window = app.window
    row = app.rows().index("vpn-reset")
    assert row > 0  # not the first row: keeping the selection is not keeping row 0
    with qtbot.waitSignal(window.itemShown):
        window.results.setCurrentIndex(window.model.index(row))
    assert "Reset the VPN token" in app.shown_text()
    wait_live(qtbot, app)

    started = time.monotonic()
    publish(hub, vpn_pack("Issue a new VPN token from the self-service page"))
    second = within(qtbot, lambda: "self-service page" in app.shown_text(), started)
    current = window.current_row()
    assert current is not None and current.id == "vpn-reset"  # the selection is kept
    assert window.results.currentIndex().row() == row
    print(f"publish -> open window: {first * 1000:.0f} ms, then {second * 1000:.0f} ms")
    assert max(first, second) <= LATENCY


def test_sync_now_while_live_runs_a_round_at_once(
    qtbot: QtBot, hub: RunningHub, open_app: Callable[..., App]
) -> None:
    """F5 / "Retry now" ends the open stream at once (its socket is shut down); closing the
    client alone left the read waiting for the hub's next keep-alive, 15 s later."""
    app = open_app(hub.url, Credentials(None, {TOKEN_ENV: hub.tokens["agent"]}))
    wait_live(qtbot, app)
    with qtbot.waitSignal(app.window.sync.syncFinished, timeout=2_000):
        app.window.commands.sync_now.trigger()
    wait_live(qtbot, app, timeout=2_000)


def test_a_hub_set_in_settings_after_start_is_used_without_a_restart(
    qtbot: QtBot, hub: RunningHub, open_app: Callable[..., App]
) -> None:
    """Issue 12: a hub configured in Settings after start was never polled until F5; a pasted
    token + Save did nothing; without a keyring there was no way to sign in on a desktop."""
    app = open_app()  # no hub, and no keyring on this machine
    status = app.window.sync_status
    assert status.state == "not_configured"

    dialog = app.window.settings_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.editors["hub_url"].setText(hub.url)  # type: ignore[union-attr]
    dialog.token.setText(hub.tokens["agent"])
    with qtbot.waitSignal(dialog.signedIn, timeout=10_000):
        dialog.on_buttons_accepted()  # Save
    assert "as agent-bob (agent)" in app.window.statusBar().currentMessage()
    assert "lasts until Agent Assist quits" in app.window.statusBar().currentMessage()
    assert app.settings().hub_url == hub.url
    wait_live(qtbot, app, timeout=5_000)  # no restart, no F5

    started = time.monotonic()
    publish(hub, vpn_pack())
    elapsed = within(qtbot, lambda: "vpn-reset" in app.rows(), started)
    assert elapsed <= LATENCY


def test_a_hub_set_from_the_command_line_while_the_app_runs_is_used(
    qtbot: QtBot, hub: RunningHub, open_app: Callable[..., App], data_dir: Path
) -> None:
    from agent_assist.cli import main

    app = open_app(creds=Credentials(None, {TOKEN_ENV: hub.tokens["agent"]}))
    assert main(["--data-dir", str(data_dir), "settings", "set", "hub_url", hub.url]) == 0
    wait_live(qtbot, app, timeout=5_000)


def test_a_refused_token_is_plain_and_signing_in_again_brings_the_app_back(
    qtbot: QtBot, hub: RunningHub, open_app: Callable[..., App], caplog: pytest.LogCaptureFixture
) -> None:
    creds = Credentials(None, {})
    creds.store(hub.url, "a-revoked-token")
    app = open_app(hub.url, creds)
    status = app.window.sync_status
    qtbot.waitUntil(lambda: status.state == "auth_failed", timeout=10_000)
    assert status.text() == "● Sign-in needed"
    assert status.button.text() == "Sign in again"
    for words in ("agent-assist", "GET /v1", "401"):
        assert words not in status.toolTip()

    dialog = app.window.settings_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.focus_sign_in()
    dialog.token.setText(hub.tokens["agent"])
    with caplog.at_level(logging.WARNING), qtbot.waitSignal(dialog.signedIn, timeout=10_000):
        dialog.on_signInButton_clicked()
    assert dialog.sign_in_result.text().startswith(
        f"Signed in to 127.0.0.1:{hub.port} as agent-bob (agent)."
    )
    wait_live(qtbot, app, timeout=5_000)

    # the first good round pins the hub's key and says how to check it: with what exists
    pinned = [r.getMessage() for r in caplog.records if "pinned the signing key" in r.getMessage()]
    assert pinned and "agent-assist-hub key" not in pinned[0]
    assert f"{hub.url}/v1/hub-key" in pinned[0]
    for command in re.findall(r"'agent-assist-hub ([a-z-]+)", pinned[0]):
        shown = subprocess.run(
            [sys.executable, "-m", "agent_assist.hub.cli", command, "--help"],
            capture_output=True,
            check=False,
        )
        assert shown.returncode == 0, f"agent-assist-hub {command} does not exist"
