"""The cheat sheet (Help → Keyboard shortcuts, F1): the one table of shortcuts, by group,
with the keys written the platform's way (⌘ on macOS) and the summon key as configured."""

from __future__ import annotations

import html

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from agent_assist.ui.shortcuts import Shortcut, groups

NATIVE = QKeySequence.SequenceFormat.NativeText


def keys_text(shortcut: Shortcut, summon_keys: str = "") -> str:
    """The keys as this platform writes them."""
    if shortcut.name == "summon" and summon_keys:
        return QKeySequence(summon_keys).toString(NATIVE)
    if shortcut.shown:
        return shortcut.shown
    return ", ".join(QKeySequence(k).toString(NATIVE) for k in shortcut.keys)


def cheat_sheet_html(summon_keys: str = "") -> str:
    parts = []
    for group, rows in groups():
        cells = "".join(
            f"<tr><td><b>{html.escape(keys_text(s, summon_keys))}</b></td>"
            f"<td>{html.escape(s.sentence)}</td></tr>"
            for s in rows
        )
        parts.append(
            f'<h3>{html.escape(group)}</h3><table cellspacing="0" cellpadding="3">{cells}</table>'
        )
    return "".join(parts)


class ShortcutsDialog(QDialog):
    """Every keyboard shortcut; not modal, so it can stay open beside the panel."""

    def __init__(self, summon_keys: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setAccessibleName("Keyboard shortcuts")
        self.text.setHtml(cheat_sheet_html(summon_keys))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(520, 560)


def show_cheat_sheet(parent: QWidget, summon_keys: str) -> ShortcutsDialog:
    """The sheet in front: the one already open, else a new one (the summon key may have
    changed in Settings since the last)."""
    for old in parent.findChildren(ShortcutsDialog):
        if old.isVisible():
            dialog = old
            break
        old.deleteLater()
    else:
        dialog = ShortcutsDialog(summon_keys, parent)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
