"""The online/offline indicator follows the sync state; changes raise a calm notice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pytestqt.qtbot import QtBot

from agent_assist.core.cache.store import Store
from agent_assist.ui.tasks import TaskManager
from tests.gui.conftest import open_window


@dataclass
class FakeReport:
    state: str
    changed: list[str] = field(default_factory=list)
    at: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC))
    error: str | None = None


class FakeHub:
    def __init__(self) -> None:
        self.reports: list[FakeReport] = []

    def __call__(self) -> FakeReport:
        return self.reports.pop(0)


def test_indicator_follows_the_sync_state(
    qtbot: QtBot, tasks: TaskManager, tiny_store: Store, data_dir: Path
) -> None:
    hub = FakeHub()
    window = open_window(qtbot, tiny_store, tasks, data_dir, sync_round=hub)
    status = window.sync_status
    assert status.state == "not_configured"  # no hub_url: offline, calmly
    assert "Offline" in status.text()

    hub.reports.append(FakeReport("online", ["sop:coin-refund", "macro:gone"]))
    with qtbot.waitSignal(window.sync.syncFinished):
        window.commands.sync_now.trigger()
    assert status.state == "online"
    assert status.text().startswith("● Online · synced ")
    qtbot.waitUntil(lambda: tasks.is_idle)
    assert window.notice.isVisible()
    assert window.notice.items == [
        ("sop", "coin-refund", "Refund request for in-app coin purchase")
    ]
    with qtbot.waitSignal(window.itemShown) as shown:
        window.notice.text.linkActivated.emit("sop:coin-refund")
    assert shown.args == ["sop", "coin-refund"]

    hub.reports.append(FakeReport("offline", error="hub unreachable"))
    with qtbot.waitSignal(window.sync.syncFinished):
        window.sync.sync_now()
    assert status.state == "offline"
    assert status.text().startswith("● Offline · synced ")  # the last good sync stays shown
    assert status.toolTip() == "hub unreachable"

    hub.reports.append(FakeReport("auth_failed", error="token refused"))
    with qtbot.waitSignal(window.sync.syncFinished):
        window.sync.sync_now()
    assert "sign-in" in status.text()
