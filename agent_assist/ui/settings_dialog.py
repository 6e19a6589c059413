"""The settings dialog: one editor per setting of the typed registry (``core/settings/``).

Settings IT has enforced are shown, disabled, with "set by your IT department".  The hub token
goes to the OS keyring through :mod:`agent_assist.sync.credentials` (never to a settings file);
where there is no keyring, the dialog says what happens instead.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from agent_assist.core.settings import BY_KEY, Settings, SettingsError

SHOWN = (
    "agent_name",
    "hub_url",
    "theme",
    "font_size",
    "content_locale",
    "clipboard_watch",
    "ticket_pattern",
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
    """Signals:
    settingsSaved(): the user's settings were written (the app re-reads them).
    """

    settingsSaved = Signal()

    def __init__(
        self, settings: Settings, credentials: object | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self._settings, self._credentials = settings, credentials
        self.editors: dict[str, Editor] = {}
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
            form.addRow(LABELS.get(key, key), row)
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setAccessibleName("Hub sign-in token")
        self.token.setPlaceholderText("paste the token from your hub admin")
        self.token_note = QLabel(self._token_note())
        self.token_note.setObjectName("muted")
        self.token_note.setWordWrap(True)
        form.addRow("Hub token", _with_note(self.token, self.token_note.text()))
        self.error = QLabel()
        self.error.setObjectName("fieldProblem")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _token_note(self) -> str:
        warning = getattr(self._credentials, "warning", None)
        if self._credentials is None:
            return "Sign-in is not available in this build."
        return str(warning) if warning else "Stored in your system keyring, never in a file."

    def save(self) -> bool:
        try:
            for key, editor in self.editors.items():
                if not editor.isEnabled():
                    continue
                value = editor_value(editor)
                if value != self._settings.get(key):
                    self._settings.set(key, value)
            token = self.token.text().strip()
            url = self._settings.hub_url
            if token and url and self._credentials is not None:
                self._credentials.store(url, token)  # type: ignore[attr-defined]
        except SettingsError as exc:
            self.error.setText(str(exc))
            return False
        self.settingsSaved.emit()
        return True

    @Slot()
    def on_buttons_accepted(self) -> None:
        if self.save():
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
