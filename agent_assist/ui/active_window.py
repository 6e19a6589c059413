"""The title of the window the agent is in, read from the desktop (no Qt).

* X11: the root window's ``_NET_ACTIVE_WINDOW`` (set by every EWMH window manager), then
  that window's ``_NET_WM_NAME`` (UTF-8), else its ``WM_NAME``, through python-xlib.  Two
  small round trips to the X server: cheap enough to ask twice a second.
* Windows: ``GetForegroundWindow`` and ``GetWindowTextW`` (user32, through ctypes).
* macOS: reading another application's window title needs the accessibility (screen
  recording, since macOS 10.15) permission the app does not ask for: unsupported.
* Wayland: by design no application can see other applications' windows: unsupported.

A reader is used from one thread only (a python-xlib display is not shared between threads):
:class:`~agent_assist.ui.ticket_focus.FocusWatcher` makes it on its own thread.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any, Protocol

log = logging.getLogger(__name__)

MAX_TITLE = 1000


class TitleReader(Protocol):
    def title(self) -> str:
        """The focused window's title ("" when none or unreadable)."""
        ...

    def close(self) -> None: ...


class UnsupportedError(Exception):
    """The title of the focused window cannot be read here; the message says why."""


class X11Titles:
    """``_NET_ACTIVE_WINDOW`` and ``_NET_WM_NAME`` on the X display ``display`` (default:
    ``$DISPLAY``)."""

    def __init__(self, display: str | None = None) -> None:
        from Xlib import X, error  # lazy: fails without a display
        from Xlib import display as xdisplay

        try:
            self._display = xdisplay.Display(display)
        except Exception as exc:  # python-xlib raises several unrelated types
            raise UnsupportedError(f"cannot open the X display {display or ''}: {exc}") from exc
        self._errors: tuple[type[BaseException], ...] = (error.XError, error.BadWindow)
        self._any = X.AnyPropertyType
        self._root = self._display.screen().root
        atom = self._display.intern_atom
        self._active, self._name = atom("_NET_ACTIVE_WINDOW"), atom("_NET_WM_NAME")
        self._utf8 = atom("UTF8_STRING")

    def title(self) -> str:
        try:
            active = self._root.get_full_property(self._active, self._any)
            if active is None or not active.value or not active.value[0]:
                return ""
            window = self._display.create_resource_object("window", int(active.value[0]))
            name = window.get_full_property(self._name, self._utf8)
            if name is not None and name.value:
                return _text(name.value)
            legacy: Any = window.get_wm_name()
            return _text(legacy) if legacy else ""
        except self._errors:  # the window closed between the two questions
            return ""

    def close(self) -> None:
        self._display.close()


class WindowsTitles:
    """``GetForegroundWindow`` and ``GetWindowTextW``."""

    def __init__(self) -> None:
        import ctypes

        self._ctypes = ctypes
        self._user32 = ctypes.windll.user32  # type: ignore[attr-defined]  # Windows only

    def title(self) -> str:
        handle = self._user32.GetForegroundWindow()
        if not handle:
            return ""
        length = min(int(self._user32.GetWindowTextLengthW(handle)), MAX_TITLE)
        buffer = self._ctypes.create_unicode_buffer(length + 1)
        self._user32.GetWindowTextW(handle, buffer, length + 1)
        return str(buffer.value)

    def close(self) -> None:
        """Nothing to release."""


def _text(value: object) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return text[:MAX_TITLE]


def open_reader(platform_name: str, display: str | None = None) -> TitleReader:
    """The reader for Qt's platform ``platform_name`` (``xcb``, ``windows``, ``cocoa``,
    ``wayland``, …); raises :class:`UnsupportedError` saying why there is none."""
    if platform_name == "xcb" or (display and platform_name in ("offscreen", "minimal")):
        return X11Titles(display or os.environ.get("DISPLAY"))
    if platform_name == "windows" and sys.platform == "win32":
        return WindowsTitles()
    if platform_name == "cocoa":
        raise UnsupportedError(
            "on macOS, reading the ticketing tool's window title needs a permission Agent "
            "Assist does not ask for: use the Tickets list (Ctrl+Shift+M)"
        )
    if platform_name.startswith("wayland"):
        raise UnsupportedError(
            "Wayland lets no application read other windows' titles: use the Tickets list "
            "(Ctrl+Shift+M), or run the app under X11 (QT_QPA_PLATFORM=xcb)"
        )
    raise UnsupportedError(f"the '{platform_name}' platform has no windows to follow")
