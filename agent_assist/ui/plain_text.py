"""Showing text that comes from packs, the hub or the agent as text, never as markup.

Qt guesses: a QLabel in its default ``AutoText`` mode, and every tooltip, render anything that
*looks* like HTML as HTML — so a step reading ``<img src="//host/share/x.png">`` would make
the desktop fetch a file (on Windows a UNC path can leak the user's credentials over SMB) and a
step could restyle itself as a fake warning.  Every widget that shows content goes through one
of these helpers, and rich text documents load no resources at all (:mod:`.detail_view`).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that shows ``text`` literally, whatever it contains."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def tooltip(text: str) -> str:
    """``text`` as a tooltip that shows it literally (Qt would render markup in it)."""
    if not text:
        return ""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


def no_mnemonic(text: str) -> str:
    """``text`` for a button or menu label with its ``&`` shown, not taken as a shortcut."""
    return text.replace("&", "&&")
