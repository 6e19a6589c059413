"""The system-wide summon shortcut: brings the panel up from any application.

Qt has no API for shortcuts that work while another application has focus, so this grabs the
key combination from the desktop itself: XGrabKey on X11 (python-xlib), and pynput's
``GlobalHotKeys`` on Windows and macOS.  Both libraries are imported only when a hotkey is
registered, because they fail at import without a display.  Wayland lets no application grab
keys; there (and when the combination is taken by another program) the shortcut still works
while Agent Assist has focus, and :meth:`GlobalHotkey.register` says why it is not global.
"""

from __future__ import annotations

import logging
import os
import select
import threading
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

MODIFIERS = {"ctrl": "ctrl", "control": "ctrl", "shift": "shift", "alt": "alt", "meta": "cmd"}
MODIFIERS |= {"super": "cmd", "win": "cmd", "cmd": "cmd"}


HEADLESS = ("offscreen", "minimal", "minimalegl", "vnc")
"""Platforms without a desktop to grab keys from: not worth a warning."""


def bring_up(window: QWidget) -> None:
    """Put ``window`` in front of the agent with the keyboard, wherever it was: hidden (the
    tray's Show / hide), minimised, or behind other windows.  ``show()`` alone leaves a
    minimised window minimised."""
    state = window.windowState()
    if state & Qt.WindowState.WindowMinimized:
        window.setWindowState(
            (state & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
    window.show()
    window.raise_()
    window.activateWindow()


class HotkeyUnavailableError(Exception):
    """The combination cannot be grabbed system-wide; the message says why."""


class _Backend(Protocol):
    def stop(self) -> None: ...


def parse(keys: str) -> tuple[frozenset[str], str]:
    """``"Ctrl+Shift+Space"`` -> ({"ctrl", "shift"}, "space"), as Qt's portable text."""
    parts = [p.strip() for p in keys.replace(" ", "").split("+")]
    if not keys.strip() or any(not p for p in parts):
        raise HotkeyUnavailableError(f"{keys!r} is not a key combination like Ctrl+Shift+Space")
    *mods, key = parts
    unknown = [m for m in mods if m.lower() not in MODIFIERS]
    if unknown:
        raise HotkeyUnavailableError(f"{keys!r}: unknown modifier {unknown[0]!r}")
    if not mods:
        raise HotkeyUnavailableError(f"{keys!r}: a global shortcut needs Ctrl, Alt, Shift or Meta")
    return frozenset(MODIFIERS[m.lower()] for m in mods), key.lower()


class _X11Grab:
    """XGrabKey on the root window, with a thread that waits on the X connection."""

    def __init__(self, keys: str, on_press: Callable[[], None]) -> None:
        from Xlib import XK, X, display, error  # lazy: needs a display

        mods, key = parse(keys)
        self._x = X
        try:
            self._display = display.Display()
        except Exception as exc:  # python-xlib raises several unrelated types
            raise HotkeyUnavailableError(f"cannot open the X display: {exc}") from None
        keysym = XK.string_to_keysym(key) or XK.string_to_keysym(key.capitalize())
        self._keycode = self._display.keysym_to_keycode(keysym) if keysym else 0
        if not self._keycode:
            self._display.close()
            raise HotkeyUnavailableError(f"{keys!r}: this keyboard has no key {key!r}")
        mask_of = {"ctrl": X.ControlMask, "shift": X.ShiftMask, "alt": X.Mod1Mask}
        mask_of["cmd"] = X.Mod4Mask
        self._mask = 0
        for m in mods:
            self._mask |= mask_of[m]
        self._root = self._display.screen().root
        # The grab must not depend on Caps Lock or Num Lock (Mod2), so grab all four states.
        self._variants = [self._mask | extra for extra in (0, X.LockMask, X.Mod2Mask)]
        self._variants.append(self._mask | X.LockMask | X.Mod2Mask)
        catch = error.CatchError(error.BadAccess)
        for mask in self._variants:
            self._root.grab_key(
                self._keycode, mask, True, X.GrabModeAsync, X.GrabModeAsync, onerror=catch
            )
        self._display.sync()
        if catch.get_error():
            self._release()
            raise HotkeyUnavailableError(f"{keys} is already taken by another program")
        self._on_press = on_press
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._loop, name="global-hotkey", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        fd = self._display.fileno()
        while True:
            ready, _, _ = select.select([fd, self._wake_r], [], [])
            if self._wake_r in ready:
                return
            while self._display.pending_events():
                event = self._display.next_event()
                if event.type == self._x.KeyPress and event.detail == self._keycode:
                    self._on_press()

    def _release(self) -> None:
        for mask in self._variants:
            self._root.ungrab_key(self._keycode, mask)
        self._display.sync()
        self._display.close()

    def stop(self) -> None:
        os.write(self._wake_w, b"x")
        self._thread.join(timeout=2)
        os.close(self._wake_r)
        os.close(self._wake_w)
        self._release()


class _PynputGrab:
    """pynput's system-wide hotkeys (Windows: RegisterHotKey hooks; macOS: event taps)."""

    def __init__(self, keys: str, on_press: Callable[[], None]) -> None:
        from pynput import keyboard  # lazy: fails at import without a display

        mods, key = parse(keys)
        combo = "+".join([f"<{m}>" for m in sorted(mods)] + [key if len(key) == 1 else f"<{key}>"])
        try:
            self._listener: Any = keyboard.GlobalHotKeys({combo: on_press})
        except ValueError as exc:
            raise HotkeyUnavailableError(f"{keys!r}: {exc}") from None
        self._listener.start()

    def stop(self) -> None:
        self._listener.stop()


class GlobalHotkey(QObject):
    """Owns at most one system-wide grab; ``activated`` fires in the GUI thread."""

    activated = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._backend: _Backend | None = None
        self.keys = ""
        self.problem = ""
        """Why the shortcut is not system-wide (empty when it is, or when none is set)."""

    def register(self, keys: str) -> bool:
        """Grab ``keys`` system-wide, replacing any earlier grab; False (see ``problem``) when
        the desktop does not allow it."""
        if keys == self.keys and self._backend is not None:
            return True
        self.unregister()
        self.keys, self.problem = keys, ""
        if not keys:
            return False
        try:
            self._backend = self._grab(keys)
        except HotkeyUnavailableError as exc:
            self.problem = str(exc)
        except ImportError as exc:
            self.problem = f"the hotkey library is not installed ({exc.name})"
        if self.problem:
            headless = QGuiApplication.platformName() in HEADLESS
            log.log(
                logging.DEBUG if headless else logging.WARNING,
                "global shortcut %s works only inside the app: %s",
                keys,
                self.problem,
            )
        return self._backend is not None

    def _grab(self, keys: str) -> _Backend:
        platform = QGuiApplication.platformName()
        if platform == "xcb":
            return _X11Grab(keys, self.activated.emit)
        if platform in ("windows", "cocoa"):
            return _PynputGrab(keys, self.activated.emit)
        if platform.startswith("wayland"):
            raise HotkeyUnavailableError(
                "Wayland does not let applications grab keys; bind a shortcut to "
                "'agent-assist' in your desktop's keyboard settings"
            )
        raise HotkeyUnavailableError(f"no system-wide shortcuts on the {platform!r} platform")

    def unregister(self) -> None:
        if self._backend is not None:
            try:
                self._backend.stop()
            except Exception as exc:  # the display may already be gone
                log.debug("releasing the global shortcut: %s", exc, exc_info=True)
            self._backend = None
