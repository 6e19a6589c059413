"""sync_once's known states without a hub, and the loop's backoff (no sleeping: the wait is
injected).  Talking to a real hub is tests/integration/test_sync_*.py."""

from __future__ import annotations

import datetime as dt
import random
import threading
from pathlib import Path

from agent_assist.core.settings import Settings
from agent_assist.sync.backoff import Backoff
from agent_assist.sync.credentials import Credentials
from agent_assist.sync.service import SyncReport, SyncState, listen_for_changes, sync_once
from tests.integration.hubserver import free_port

AT = dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC)


def settings(data_dir: Path, hub: str = "") -> Settings:
    s = Settings(data_dir, system_file=data_dir / "none.toml")
    if hub:
        s.set("hub_url", hub)
    return s


def test_no_hub_configured(data_dir: Path) -> None:
    report = sync_once(data_dir, settings(data_dir), credentials=Credentials(None, {}))
    assert report.state is SyncState.NOT_CONFIGURED and report.changed == []


def test_no_token_is_auth_failed_with_what_to_do(data_dir: Path) -> None:
    hub = "http://127.0.0.1:9"
    report = sync_once(
        data_dir, settings(data_dir, hub), credentials=Credentials(None, {}), clock=lambda: AT
    )
    assert report.state is SyncState.AUTH_FAILED and report.at == AT
    assert report.error is not None and "agent-assist login" in report.error
    assert "AGENT_ASSIST_TOKEN" in report.error


def test_hub_down_is_offline_not_an_exception(data_dir: Path) -> None:
    hub = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    creds = Credentials(None, {"AGENT_ASSIST_TOKEN": "t"})
    report = sync_once(data_dir, settings(data_dir, hub), credentials=creds)
    assert report.state is SyncState.OFFLINE
    assert report.error is not None and "cannot reach the hub" in report.error


def test_loop_backs_off_while_the_hub_is_away(data_dir: Path) -> None:
    hub = f"http://127.0.0.1:{free_port()}"
    stop, waits, reports = threading.Event(), list[float](), list[SyncReport]()

    class Top(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 5:
            stop.set()

    listen_for_changes(
        data_dir,
        settings(data_dir, hub),
        stop,
        reports.append,
        credentials=Credentials(None, {"AGENT_ASSIST_TOKEN": "t"}),
        backoff=Backoff(base=2, cap=10, rng=Top()),
        wait=wait,
    )
    assert waits == [2, 4, 8, 10, 10]
    assert [r.state for r in reports] == [SyncState.OFFLINE] * 5


def test_loop_waits_for_the_user_without_a_token(data_dir: Path) -> None:
    stop, waits = threading.Event(), list[float]()

    def wait(seconds: float) -> None:
        waits.append(seconds)
        stop.set()

    listen_for_changes(
        data_dir,
        settings(data_dir, "http://127.0.0.1:9"),
        stop,
        lambda r: None,
        credentials=Credentials(None, {}),
        wait=wait,
        poll_seconds=42,
    )
    assert waits == [42]
