"""Where the side panel goes: wholly on the screen's available area, whatever the scale factor,
the font size or the geometry saved by an earlier session (maybe on a bigger screen)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

EDGE = 8
"""Gap kept between the window and the screen's edges."""
FRAME_ALLOWANCE = 32
"""Room left for the window manager's title bar, unknown until the window is shown."""


def fit_on_screen(window: QWidget, default: tuple[int, int], restored: bool) -> None:
    """Size and move ``window`` so it is on screen: the default size at the right edge on a
    first start, the restored geometry otherwise, both clamped to the available area."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    wanted = window.size() if restored else None
    width, height = (wanted.width(), wanted.height()) if wanted else default
    width = max(width, window.minimumSizeHint().width())
    width = min(width, area.width() - 2 * EDGE)
    height = min(height, area.height() - 2 * EDGE - FRAME_ALLOWANCE)
    window.resize(width, height)
    if restored:
        left, top = window.x(), window.y()
    else:
        left, top = area.right() - width - EDGE, area.top() + EDGE
    window.move(*_inside(QRect(left, top, width, height + FRAME_ALLOWANCE), area))
    if window.findChild(KeepOnScreen) is None:
        KeepOnScreen(window)


def _inside(rect: QRect, area: QRect) -> tuple[int, int]:
    left = max(area.left(), min(rect.left(), area.right() + 1 - rect.width()))
    top = max(area.top(), min(rect.top(), area.bottom() + 1 - rect.height()))
    return left, top


class KeepOnScreen(QObject):
    """Moves the window back onto the available area when it is shown or grows past its edge
    (a larger font raises its minimum width after it was placed); a window the agent moved
    partly off screen stays where it is until then."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() in (QEvent.Type.Show, QEvent.Type.Resize):
            self._nudge()
        return False

    def _nudge(self) -> None:
        screen = self._window.screen()
        if screen is None:
            return
        area = screen.availableGeometry()
        frame = self._window.frameGeometry()
        if not area.contains(frame):
            left, top = _inside(frame, area)
            self._window.move(left, top)
