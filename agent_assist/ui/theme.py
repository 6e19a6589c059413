"""Light and dark themes: one stylesheet with ``@name`` colours, and a matching palette.

``system`` follows the desktop's colour scheme where Qt can read it (Qt 6.5+), else light.
Both themes keep text at WCAG AA contrast (4.5:1) on their backgrounds: :data:`TEXT_ON` lists
every text colour on every background it is drawn on, and ``tests/gui/test_theme.py`` measures
each pair in both themes, and every palette role, so a new colour cannot slip in unchecked.
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
    "on_accent": "#ffffff",
    "focus": "#2f6fed",
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
    "shade": "#4b5563",
    "strong": "#1a7f4b",
    "weak": "#965800",
    "badge": "#b42318",
}
DARK = {
    "canvas": "#1b1f24",
    "surface": "#252b33",
    "ink": "#e6eaef",
    "muted": "#a3adb9",
    "line": "#3a424d",
    "field_line": "#4a5461",
    "accent": "#3366d6",
    "accent_hover": "#2b5fcc",
    "on_accent": "#ffffff",
    "focus": "#6a9bff",
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
    "shade": "#101418",
    "strong": "#5fd39a",
    "weak": "#f0b54f",
    "badge": "#ff8a80",
}
TEXT_ON = (
    ("ink", "canvas"),  # window text, menus, the status bar's counts
    ("ink", "surface"),  # fields, lists, the detail pane, buttons, headings, tooltips
    ("ink", "hover"),  # a hovered row or button, the current step
    ("ink", "info_bg"),  # the "updated knowledge" notice
    ("muted", "surface"),  # placeholders, the meta line, "Preview", times, disabled text
    ("muted", "canvas"),  # the status bar, a disabled button
    ("on_accent", "accent"),  # primary buttons, selected rows and menu items
    ("on_accent", "accent_hover"),  # a hovered primary button
    ("link", "surface"),
    ("warn_ink", "surface"),  # deadlines, the acknowledgement note
    ("warn_ink", "warn_bg"),  # "No confident match", the limited-start banner's title
    ("ink", "warn_bg"),  # the limited-start banner
    ("danger", "surface"),  # a field's problem
    ("danger", "canvas"),  # sync: sign-in needed
    ("ok", "canvas"),  # sync: online
    ("strong", "surface"),  # a result's match strength
    ("weak", "surface"),
    ("badge", "surface"),  # a result's badges ("ack needed", "changed")
    ("on_accent", "shade"),  # the palette's BrightText on Dark
)
"""Every (text colour, background) pair the stylesheet, the palette and the results list
draw; each must reach 4.5:1 in both themes."""
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
    arrow = resource("style", f"arrow-down-{resolve(theme)}.svg").as_posix()
    table = {**colors(theme), "arrow": arrow}
    return _TOKEN.sub(lambda m: table[m.group(1)], text)


_ROLE = QPalette.ColorRole
PALETTE_ROLES = {
    _ROLE.Window: "canvas",
    _ROLE.Base: "surface",
    _ROLE.AlternateBase: "canvas",
    _ROLE.Button: "surface",
    _ROLE.WindowText: "ink",
    _ROLE.Text: "ink",
    _ROLE.ButtonText: "ink",
    _ROLE.ToolTipBase: "surface",
    _ROLE.ToolTipText: "ink",
    _ROLE.PlaceholderText: "muted",
    _ROLE.Highlight: "accent",
    _ROLE.HighlightedText: "on_accent",
    _ROLE.Link: "link",
    _ROLE.LinkVisited: "link",
    _ROLE.BrightText: "on_accent",
    _ROLE.Dark: "shade",
    _ROLE.Mid: "line",
}
DISABLED_TEXT = (_ROLE.WindowText, _ROLE.Text, _ROLE.ButtonText)
"""Shown in the muted colour when disabled (still readable: muted passes 4.5:1 too)."""


def palette(theme: str) -> QPalette:
    c = {k: QColor(v) for k, v in colors(theme).items()}
    p = QPalette()
    for role, name in PALETTE_ROLES.items():
        p.setColor(role, c[name])
    for role in DISABLED_TEXT:
        p.setColor(QPalette.ColorGroup.Disabled, role, c["muted"])
    return p


APPLIED = "agentAssistTheme"
"""The application property that remembers what :func:`apply` last applied."""


def apply(app: QApplication, theme: str, font_size: int) -> None:
    """Colours and base font size for the whole app (safe to call again after a change).

    Applying the same again is skipped: a new application stylesheet re-polishes every
    widget, which costs the window's start a few hundred milliseconds for nothing.
    """
    key = f"{resolve(theme)}:{font_size}"
    if app.property(APPLIED) == key:
        return
    app.setProperty(APPLIED, key)
    app.setPalette(palette(theme))
    font = QFont(app.font())
    font.setPointSize(font_size)
    app.setFont(font)
    app.setStyleSheet(stylesheet(theme))
