"""Settings and About dialogs, and the item models' contracts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from agent_assist.core.knowledge.models import Choice, Sop, Step
from agent_assist.core.settings import Settings
from agent_assist.core.worklog.checklist import ChecklistRun
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.ui.about_dialog import AboutDialog
from agent_assist.ui.settings_dialog import LOCKED, SettingsDialog
from agent_assist.ui.steps_model import Role, StepsModel


class MemoryCredentials:
    warning = None

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}

    def store(self, url: str, token: str) -> str:
        self.tokens[url] = token
        return "keyring"


def test_settings_dialog_saves_and_shows_locked_keys(qtbot: QtBot, tmp_path: Path) -> None:
    system = tmp_path / "system.toml"
    system.write_text('[enforced]\nhub_url = "https://hub.example.com"\n', encoding="utf-8")
    settings = Settings(tmp_path, system_file=system)
    creds = MemoryCredentials()
    dialog = SettingsDialog(settings, creds)
    qtbot.addWidget(dialog)
    hub = dialog.editors["hub_url"]
    assert not hub.isEnabled()
    assert LOCKED in hub.toolTip()
    dialog.editors["agent_name"].setText("Dana")  # type: ignore[union-attr]
    dialog.editors["theme"].setCurrentText("dark")  # type: ignore[union-attr]
    dialog.token.setText("secret-token")
    with qtbot.waitSignal(dialog.settingsSaved):
        assert dialog.save()
    again = Settings(tmp_path, system_file=system)
    assert again.get("agent_name") == "Dana" and again.get("theme") == "dark"
    assert creds.tokens == {"https://hub.example.com": "secret-token"}
    assert "secret-token" not in (tmp_path / "settings.json").read_text(encoding="utf-8")


def test_about_lists_versions_and_licences(qtbot: QtBot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    text = dialog.text.toPlainText()
    for expected in ("Agent Assist", "Qt 6.", "PySide6 6.", "Python 3.", "PSF-2.0", "LGPL"):
        assert expected in text


def test_steps_model_passes_qtmodeltester(qtmodeltester: Any) -> None:
    sop = Sop(
        "s",
        "S",
        steps=(
            Step("a", "First"),
            Step("b", "Pick", choices=(Choice("x", "d"), Choice("y", "c"))),
            Step("c", "Skipped branch"),
            Step("d", "Last", required=False),
        ),
    )
    clock = FakeClock()
    model = StepsModel(clock)
    qtmodeltester.check(model)
    run = ChecklistRun.start(sop, 1, clock)
    run.complete(clock)
    run.choose("x", clock)
    model.set_run(run)
    qtmodeltester.check(model)
    assert model.current_row() == 3
    states = [model.data(model.index(n), Role.STATE) for n in range(4)]
    assert states == ["done", "chosen", "bypassed", "current"]
