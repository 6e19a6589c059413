"""The settings dialog: one editor per setting of the typed registry (``core/settings/``).

Settings IT has enforced are shown, disabled, with "set by your IT department".  The hub token
is checked with the hub and goes to the OS keyring (never to a settings file); where there is
no keyring the dialog says it lasts for this session only, and when ``AGENT_ASSIST_TOKEN``
overrides it, says that instead of taking a token it would not use.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from agent_assist.app.sync import (
    SignIn,
    TokenStore,
    check_hub_url,
    hub_name,
    sign_in_failure,
    sign_in_summary,
    token_note,
)
from agent_assist.core.errors import AgentAssistError, SyncError
from agent_assist.core.settings import BY_KEY, Settings, SettingsError
from agent_assist.ui.plain_text import plain_label
from agent_assist.ui.tasks import TaskManager

SHOWN = (
    "agent_name",
    "hub_url",
    "theme",
    "font_size",
    "content_locale",
    "clipboard_watch",
    "ticket_pattern",
    "follow_focus",
    "status_on_end",
    "hotkey",
    "ca_bundle",
    "update_policy",
    "retention_days",
)
LABELS = {
    "agent_name": "Your name",
    "hub_url": "Hub URL",
    "theme": "Theme",
    "font_size": "Font size",
    "content_locale": "Content locale",
    "clipboard_watch": "Fill ticket id from clipboard",
    "ticket_pattern": "Ticket id pattern",
    "follow_focus": "Follow the ticket in the focused window",
    "status_on_end": "Set the ticket's status when it ends",
    "hotkey": "Summon shortcut",
    "ca_bundle": "Hub CA bundle",
    "update_policy": "App updates",
    "retention_days": "Keep handle-time events (days)",
}
LOCKED = "set by your IT department"
HOTKEY_NOTE = (
    "Brings Agent Assist up from any application, with the copied text in the search field "
    "(Windows, macOS and X11 desktops; on Wayland it works while Agent Assist has focus)."
)
Editor = QLineEdit | QComboBox | QSpinBox | QCheckBox


def editor_for(key: str, value: Any) -> Editor:
    setting = BY_KEY[key]
    editor: Editor
    if setting.type is bool:
        editor = QCheckBox()
        editor.setChecked(bool(value))
    elif setting.type is int:
        editor = QSpinBox()
        editor.setRange(setting.minimum or 0, setting.maximum or 10_000)
        editor.setValue(int(value))
    elif setting.choices:
        editor = QComboBox()
        editor.addItems(list(setting.choices))
        editor.setCurrentText(str(value))
    else:
        editor = QLineEdit(str(value))
    editor.setAccessibleName(LABELS.get(key, key))
    return editor


def editor_value(editor: Editor) -> Any:
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QSpinBox):
        return editor.value()
    if isinstance(editor, QComboBox):
        return editor.currentText()
    return editor.text()


class SettingsDialog(QDialog):
    """The settings, read from the same files the command line writes (re-read on open and
    before saving, so a change made meanwhile by ``agent-assist`` is shown and kept), and
    signing in to the hub.

    "Sign in" (or Save with a token entered) checks the token with the hub on the network
    pool and says what happened: who the hub says you are and where the token is kept.

    Signals:
        settingsSaved(): the user's settings were written (the app re-reads them).
        signedIn(object): the hub accepted a token (or could not be reached to check it);
            the :class:`~agent_assist.app.sync.SignIn`.
    """

    settingsSaved = Signal()
    signedIn = Signal(object)

    def __init__(
        self,
        settings: Settings,
        credentials: TokenStore | None = None,
        parent: QWidget | None = None,
        *,
        tasks: TaskManager | None = None,
        sign_in: Callable[[str, str], SignIn] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        settings.reload()
        self._settings, self._credentials = settings, credentials
        self._tasks, self._sign_in = tasks, sign_in
        self.signing = False
        self.editors: dict[str, Editor] = {}
        self._shown: dict[str, Any] = {}
        form = QFormLayout()
        for key in SHOWN:
            effective = settings.effective(key)
            editor = editor_for(key, effective.value)
            editor.setToolTip(BY_KEY[key].description)
            if effective.locked:
                editor.setEnabled(False)
                editor.setToolTip(f"{LOCKED} ({effective.source})")
                row: QWidget = _with_note(editor, LOCKED)
            elif key == "hotkey":
                row = _with_note(editor, HOTKEY_NOTE)
            else:
                row = editor
            self.editors[key] = editor
            self._shown[key] = editor_value(editor)
            form.addRow(LABELS.get(key, key), row)
        form.addRow("Hub sign-in", self._sign_in_row())
        self.error = QLabel()
        self.error.setObjectName("fieldProblem")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        hub = self.editors["hub_url"]
        if isinstance(hub, QLineEdit):
            hub.textChanged.connect(self.on_hubUrl_textChanged)
        self._show_token_state()

    def _sign_in_row(self) -> QWidget:
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setAccessibleName("Hub sign-in token")
        self.token.setPlaceholderText("paste the token from your hub admin")
        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setToolTip("Check the token with the hub and keep it")
        self.sign_in_button.clicked.connect(self.on_signInButton_clicked)
        self.token_note = plain_label()
        self.token_note.setObjectName("muted")
        self.token_note.setWordWrap(True)
        self.sign_in_result = plain_label()  # may quote the hub's own words
        self.sign_in_result.setObjectName("signInResult")
        self.sign_in_result.setWordWrap(True)
        self.sign_in_result.hide()
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.token, 1)
        line.addWidget(self.sign_in_button)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(line)
        column.addWidget(self.token_note)
        column.addWidget(self.sign_in_result)
        return box

    def _hub_text(self) -> str:
        editor = self.editors["hub_url"]
        return str(editor_value(editor)).strip() if editor.isEnabled() else self._settings.hub_url

    def _show_token_state(self) -> None:
        if self._credentials is None:
            note, usable = "Signing in is not available in this build.", False
        else:
            url = self._hub_text().rstrip("/")
            note, usable = token_note(self._credentials, url)
        self.token_note.setText(note)
        self.token.setEnabled(usable and not self.signing)
        can_check = self._sign_in is not None and self._tasks is not None
        self.sign_in_button.setEnabled(usable and can_check and not self.signing)

    def focus_sign_in(self) -> None:
        """Put the cursor where signing in starts: the hub URL when none is set, else the
        token."""
        hub = self.editors["hub_url"]
        target = hub if hub.isEnabled() and not self._hub_text() else self.token
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> bool:
        """Write what the agent changed; a token entered is then checked with the hub and
        kept (:meth:`sign_in`).  False, saying why, when nothing could be saved."""
        token = self.token.text().strip() if self.token.isEnabled() else ""
        if token:
            try:
                check_hub_url(self._hub_text())
            except SyncError as exc:
                self.error.setText(f"To sign in, enter the hub URL first: {exc}.")
                return False
        try:
            self._settings.reload()  # keep what the command line changed meanwhile
            for key, editor in self.editors.items():
                if not editor.isEnabled():
                    continue
                value = editor_value(editor)
                if value != self._shown[key]:  # changed here: others are left as they are now
                    self._settings.set(key, value)
                    self._shown[key] = value
        except SettingsError as exc:
            self.error.setText(str(exc))
            return False
        self.error.clear()
        self.settingsSaved.emit()
        if token:
            self.sign_in(close_after=True)
        return True

    def sign_in(self, close_after: bool = False) -> bool:
        """Check the token with the hub (on the network pool) and keep it; the outcome is
        shown here and sent as :attr:`signedIn`.  False when it could not start."""
        token = self.token.text().strip()
        try:
            url = check_hub_url(self._hub_text())
        except SyncError as exc:
            self.error.setText(f"To sign in, enter the hub URL first: {exc}.")
            return False
        if not token:
            self.error.setText("Paste the token from your hub admin first.")
            self.token.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        if self._sign_in is None or self._tasks is None:
            return False
        self.error.clear()
        self._set_signing(True)
        self._say(f"Checking the token with {hub_name(url)}…")
        self._tasks.run(
            partial(self._sign_in, url, token),
            partial(self._signed_in, close_after),
            partial(self._not_signed_in, url),
            network=True,
        )
        return True

    def _set_signing(self, on: bool) -> None:
        self.signing = on
        self.buttons.setEnabled(not on)
        self._show_token_state()

    def _say(self, text: str) -> None:
        self.sign_in_result.setText(text)
        self.sign_in_result.setVisible(bool(text))

    def _signed_in(self, close_after: bool, done: SignIn) -> None:
        self._set_signing(False)
        self.token.clear()
        self._say(sign_in_summary(done))
        self._show_token_state()
        self.signedIn.emit(done)
        if close_after:
            self.accept()

    def _not_signed_in(self, url: str, exc: AgentAssistError) -> None:
        self._set_signing(False)
        text = sign_in_failure(exc, url) if isinstance(exc, SyncError) else str(exc)
        self._say(text)

    @Slot(str)
    def on_hubUrl_textChanged(self, text: str) -> None:
        self._show_token_state()

    @Slot()
    def on_signInButton_clicked(self) -> None:
        self.sign_in()

    @Slot()
    def on_buttons_accepted(self) -> None:
        if self.save() and not self.signing:
            self.accept()


def _with_note(editor: QWidget, note: str) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(editor)
    label = QLabel(note)
    label.setObjectName("muted")
    label.setWordWrap(True)
    layout.addWidget(label)
    return box
