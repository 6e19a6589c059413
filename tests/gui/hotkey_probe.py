"""Run under a real X server: grab a global shortcut, press it from another X client (XTest,
as a keyboard would), and report what happened.  Used by test_global_hotkey.py."""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from agent_assist.ui.global_hotkey import GlobalHotkey


def press(keys: list[str]) -> None:
    """Press and release ``keys`` (X keysym names) through a separate X connection."""
    from Xlib import XK, X, display
    from Xlib.ext import xtest

    d = display.Display()
    codes = [d.keysym_to_keycode(XK.string_to_keysym(k)) for k in keys]
    for code in codes:
        xtest.fake_input(d, X.KeyPress, code)
    for code in reversed(codes):
        xtest.fake_input(d, X.KeyRelease, code)
    d.sync()
    d.close()


def main() -> int:
    app = QApplication(sys.argv[:1])
    first = GlobalHotkey()
    if not first.register("Ctrl+Shift+Space"):
        print(f"not grabbed: {first.problem}")
        return 2
    second = GlobalHotkey()
    print(f"second grab: {second.register('Ctrl+Shift+Space')} ({second.problem})")
    first.activated.connect(lambda: (print("activated"), app.exit(0)))
    QTimer.singleShot(300, lambda: threading.Thread(target=press, args=(sys.argv[1:],)).start())
    QTimer.singleShot(8000, lambda: (print("timed out"), app.exit(1)))
    code = app.exec()
    first.unregister()
    return code


if __name__ == "__main__":
    sys.exit(main())
