"""Light and dark themes: one stylesheet with ``@name`` colours, and a matching palette.

``system`` follows the desktop's colour scheme where Qt can read it (Qt 6.5+), else light.
Both themes keep text at WCAG AA contrast on their backgrounds.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from agent_assist.resources import resource

LIGHT = {
    "canvas": "#f4f6f9",
    "surface": "#ffffff",
    "ink": "#1f2933",
    "muted": "#5b6775",
    "line": "#d9dee5",
    "field_line": "#c9d1db",
    "accent": "#2f6fed",
    "accent_hover": "#2559c4",
    "hover": "#eef3fd",
    "warn_bg": "#fff4e0",
    "warn_line": "#f0c987",
    "warn_ink": "#7a4a00",
    "info_bg": "#eaf1fe",
    "info_line": "#b8cdf8",
    "danger": "#b42318",
    "ok": "#1a7f4b",
    "scroll": "#c4ccd6",
    "scroll_hover": "#9aa5b1",
    "link": "#2459d6",
}
DARK = {
    "canvas": "#1b1f24",
    "surface": "#252b33",
    "ink": "#e6eaef",
    "muted": "#a3adb9",
    "line": "#3a424d",
    "field_line": "#4a5461",
    "accent": "#4d86f7",
    "accent_hover": "#6a9bff",
    "hover": "#2f3946",
    "warn_bg": "#3a2e17",
    "warn_line": "#7a5a1e",
    "warn_ink": "#f5c977",
    "info_bg": "#1f2d45",
    "info_line": "#35507d",
    "danger": "#ff8a80",
    "ok": "#5fd39a",
    "scroll": "#4a5461",
    "scroll_hover": "#66717f",
    "link": "#8ab4ff",
}
_TOKEN = re.compile(r"@([a-z_]+)")


def resolve(theme: str) -> str:
    """``light`` or ``dark`` for a ``theme`` setting value."""
    if theme in ("light", "dark"):
        return theme
    hints = QGuiApplication.styleHints()
    return "dark" if hints.colorScheme() == Qt.ColorScheme.Dark else "light"


def colors(theme: str) -> dict[str, str]:
    return DARK if resolve(theme) == "dark" else LIGHT


def stylesheet(theme: str) -> str:
    text = resource("style", "app.qss").read_text(encoding="utf-8")
    table = colors(theme)
    return _TOKEN.sub(lambda m: table[m.group(1)], text)


def palette(theme: str) -> QPalette:
    c = {k: QColor(v) for k, v in colors(theme).items()}
    p = QPalette()
    role = QPalette.ColorRole
    for r, name in (
        (role.Window, "canvas"),
        (role.Base, "surface"),
        (role.AlternateBase, "canvas"),
        (role.Button, "surface"),
        (role.WindowText, "ink"),
        (role.Text, "ink"),
        (role.ButtonText, "ink"),
        (role.ToolTipBase, "surface"),
        (role.ToolTipText, "ink"),
        (role.PlaceholderText, "muted"),
        (role.Highlight, "accent"),
        (role.Link, "link"),
    ):
        p.setColor(r, c[name])
    p.setColor(role.HighlightedText, QColor("#ffffff"))
    return p


def apply(app: QApplication, theme: str, font_size: int) -> None:
    """Colours and base font size for the whole app (safe to call again after a change)."""
    app.setPalette(palette(theme))
    font = QFont(app.font())
    font.setPointSize(font_size)
    app.setFont(font)
    app.setStyleSheet(stylesheet(theme))
