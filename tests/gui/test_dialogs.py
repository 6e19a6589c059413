"""Settings (with signing in to the hub) and About dialogs, and the item models' contracts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from agent_assist.app.sync import SignIn
from agent_assist.core.errors import SyncError
from agent_assist.core.knowledge.models import Choice, Sop, Step
from agent_assist.core.settings import Settings
from agent_assist.core.worklog.checklist import ChecklistRun
from agent_assist.core.worklog.clock import FakeClock
from agent_assist.sync.credentials import TOKEN_ENV, Credentials
from agent_assist.sync.errors import AuthFailedError
from agent_assist.ui.about_dialog import AboutDialog
from agent_assist.ui.settings_dialog import LOCKED, SettingsDialog
from agent_assist.ui.steps_model import Role, StepsModel
from agent_assist.ui.tasks import TaskManager
from tests.unit.sync.test_credentials import DictKeyring

HUB = "https://hub.example.com"


def keyring_credentials(environ: dict[str, str] | None = None) -> Credentials:
    return Credentials(DictKeyring(), environ or {})


class FakeHub:
    """Stands in for ``app.sync.sign_in`` (the real one against a real hub is in
    tests/gui/test_live_sync.py): keeps the token as the real one does, or refuses it."""

    def __init__(self, creds: Credentials, refuse: SyncError | None = None) -> None:
        self.creds, self.refuse = creds, refuse
        self.calls: list[tuple[str, str]] = []

    def __call__(self, url: str, token: str) -> SignIn:
        self.calls.append((url, token))
        if self.refuse is not None:
            raise self.refuse
        where = self.creds.store(url, token)
        saved = where if where == "keyring" else None
        return SignIn(url, "agent-bob", "agent", None, saved, self.creds.warning)


def open_dialog(
    qtbot: QtBot,
    settings: Settings,
    creds: Credentials | None,
    hub: FakeHub | None = None,
    tasks: TaskManager | None = None,
) -> SettingsDialog:
    dialog = SettingsDialog(settings, creds, tasks=tasks, sign_in=hub)
    qtbot.addWidget(dialog)
    return dialog


def test_settings_dialog_saves_and_shows_locked_keys(qtbot: QtBot, tmp_path: Path) -> None:
    system = tmp_path / "system.toml"
    system.write_text(f'[enforced]\nhub_url = "{HUB}"\n', encoding="utf-8")
    settings = Settings(tmp_path, system_file=system)
    dialog = open_dialog(qtbot, settings, keyring_credentials())
    hub = dialog.editors["hub_url"]
    assert not hub.isEnabled()
    assert LOCKED in hub.toolTip()
    dialog.editors["agent_name"].setText("Dana")  # type: ignore[union-attr]
    dialog.editors["theme"].setCurrentText("dark")  # type: ignore[union-attr]
    with qtbot.waitSignal(dialog.settingsSaved):
        assert dialog.save()
    again = Settings(tmp_path, system_file=system)
    assert again.get("agent_name") == "Dana" and again.get("theme") == "dark"


def test_settings_show_and_keep_what_the_command_line_set(qtbot: QtBot, tmp_path: Path) -> None:
    """Issue 12: Settings showed an empty Hub URL although ``agent-assist login`` had just set
    it (the app read its settings once, at start)."""
    system = tmp_path / "none.toml"
    app_settings = Settings(tmp_path, system_file=system)  # the running app's, read at start
    Settings(tmp_path, system_file=system).set("hub_url", HUB)  # then the command line
    dialog = open_dialog(qtbot, app_settings, keyring_credentials())
    assert dialog.editors["hub_url"].text() == HUB  # type: ignore[union-attr]
    Settings(tmp_path, system_file=system).set("agent_name", "Set by the CLI")  # meanwhile
    dialog.editors["theme"].setCurrentText("dark")  # type: ignore[union-attr]
    assert dialog.save()
    again = Settings(tmp_path, system_file=system)
    assert (again.hub_url, again.agent_name, again.theme) == (HUB, "Set by the CLI", "dark")


def test_a_pasted_token_and_save_signs_in_and_says_so(
    qtbot: QtBot, tmp_path: Path, tasks: TaskManager
) -> None:
    """Issue 12: a pasted token + Save silently did nothing."""
    settings = Settings(tmp_path, system_file=tmp_path / "none.toml")
    creds = keyring_credentials()
    hub = FakeHub(creds)
    dialog = open_dialog(qtbot, settings, creds, hub, tasks)
    assert "saved in this computer's keyring" in dialog.token_note.text()
    dialog.editors["hub_url"].setText(HUB + "/")  # type: ignore[union-attr]
    dialog.token.setText("  secret-token ")
    with qtbot.waitSignal(dialog.signedIn) as signed, qtbot.waitSignal(dialog.finished):
        dialog.on_buttons_accepted()
    assert hub.calls == [(HUB, "secret-token")]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert signed.args[0].who == "agent-bob"
    assert creds.get(HUB) == "secret-token" and creds.source(HUB) == "keyring"
    assert dialog.sign_in_result.text() == (
        "Signed in to hub.example.com as agent-bob (agent). The token is saved in this "
        "computer's keyring."
    )
    assert "secret-token" not in (tmp_path / "settings.json").read_text(encoding="utf-8")


def test_a_token_without_a_hub_url_is_not_dropped(
    qtbot: QtBot, tmp_path: Path, tasks: TaskManager
) -> None:
    settings = Settings(tmp_path, system_file=tmp_path / "none.toml")
    creds = keyring_credentials()
    hub = FakeHub(creds)
    dialog = open_dialog(qtbot, settings, creds, hub, tasks)
    dialog.token.setText("secret-token")
    assert not dialog.save()
    assert dialog.error.text().startswith("To sign in, enter the hub URL first")
    assert hub.calls == [] and creds.source(HUB) == "none"


def test_a_refused_token_is_said_in_plain_words(
    qtbot: QtBot, tmp_path: Path, tasks: TaskManager
) -> None:
    settings = Settings(tmp_path, system_file=tmp_path / "none.toml")
    settings.set("hub_url", HUB)
    creds = keyring_credentials()
    refusal = AuthFailedError(
        f"hub {HUB} refused GET /v1/whoami (401: unknown token); log in again with "
        "'agent-assist login'"
    )
    dialog = open_dialog(qtbot, settings, creds, FakeHub(creds, refusal), tasks)
    dialog.token.setText("wrong")
    assert dialog.sign_in()
    assert not dialog.sign_in_button.isEnabled()  # while the hub is asked
    qtbot.waitUntil(lambda: not dialog.signing)
    text = dialog.sign_in_result.text()
    assert text.startswith("hub.example.com did not accept this token")
    assert "agent-assist" not in text and "GET /v1" not in text
    assert creds.source(HUB) == "none" and dialog.sign_in_button.isEnabled()


def test_a_plain_http_hub_is_refused_in_plain_words(
    qtbot: QtBot, tmp_path: Path, tasks: TaskManager
) -> None:
    settings = Settings(tmp_path, system_file=tmp_path / "none.toml")
    creds = keyring_credentials()
    refusal = SyncError("refusing plain http:// ... 'agent-assist login --insecure-http'")
    dialog = open_dialog(qtbot, settings, creds, FakeHub(creds, refusal), tasks)
    dialog.editors["hub_url"].setText("http://10.0.0.5:8750")  # type: ignore[union-attr]
    dialog.token.setText("secret-token")
    assert dialog.sign_in()
    qtbot.waitUntil(lambda: not dialog.signing)
    text = dialog.sign_in_result.text()
    assert text.startswith("10.0.0.5:8750 has a plain http:// address")
    assert "agent-assist" not in text


def test_without_a_keyring_the_token_lasts_for_the_session_and_says_so(
    qtbot: QtBot, tmp_path: Path, tasks: TaskManager
) -> None:
    """Issue 12: without a keyring there was no way to sign in on a desktop (``agent-assist
    login`` said "NOT saved" and exited 1).  The app keeps the token for its session, as
    docs/sync.md documents, and says so before and after."""
    settings = Settings(tmp_path, system_file=tmp_path / "none.toml")
    settings.set("hub_url", HUB)
    creds = Credentials(None, {})
    dialog = open_dialog(qtbot, settings, creds, FakeHub(creds), tasks)
    assert "no keyring" in dialog.token_note.text()
    assert "until Agent Assist quits" in dialog.token_note.text()
    assert TOKEN_ENV in dialog.token_note.text()  # the other documented fallback
    dialog.token.setText("secret-token")
    with qtbot.waitSignal(dialog.signedIn):
        dialog.on_signInButton_clicked()
    assert "lasts until Agent Assist quits" in dialog.sign_in_result.text()
    assert dialog.token_note.text().startswith("Signed in for this session")
    assert creds.get(HUB) == "secret-token"


def test_an_environment_token_overrides_and_says_so(qtbot: QtBot, tmp_path: Path) -> None:
    """Issue 12: with AGENT_ASSIST_TOKEN set, a token typed in Settings was silently
    ignored."""
    settings = Settings(tmp_path, system_file=tmp_path / "none.toml")
    settings.set("hub_url", HUB)
    creds = keyring_credentials({TOKEN_ENV: "from-the-environment"})
    dialog = open_dialog(qtbot, settings, creds)
    assert dialog.token_note.text().startswith(f"{TOKEN_ENV} is set on this computer")
    assert not dialog.token.isEnabled() and not dialog.sign_in_button.isEnabled()


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
