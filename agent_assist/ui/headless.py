"""``--smoke`` and ``--screenshot``: start for real, wait until the window has settled, quit.

"Settled" means the window is exposed on screen and no background work is pending, so a
screenshot shows the results of ``--query`` and the selected item, not a half-drawn window.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from PySide6.QtCore import QDeadlineTimer, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from agent_assist.ui.tasks import TaskManager

POLL_MS = 20
TIMEOUT_MS = 30_000


def grab(window: QWidget) -> QPixmap:
    """What the agent would see: the screen region under a real display server, else the
    window's own rendering (offscreen platforms have no screen contents to grab)."""
    if QGuiApplication.platformName() in ("offscreen", "minimal"):
        return window.grab()
    window.repaint()
    QApplication.sync()
    geometry = window.frameGeometry()
    pixmap = window.screen().grabWindow(
        0, geometry.x(), geometry.y(), geometry.width(), geometry.height()
    )
    return pixmap if not pixmap.isNull() else window.grab()


class SettleProbe(QObject):
    """Polls (the window has no "exposed" signal) until the window has settled.

    Signals:
        windowExposed(): the window is on screen for the first time.
        windowSettled(): the window is exposed and background work is idle.
        timedOut(): it did not settle within the timeout.
    """

    windowExposed = Signal()
    windowSettled = Signal()
    timedOut = Signal()

    def __init__(self, window: QWidget, tasks: TaskManager, timeout_ms: int = TIMEOUT_MS) -> None:
        super().__init__(window)
        self._window, self._tasks = window, tasks
        self._deadline = QDeadlineTimer(timeout_ms)
        self._exposed = False
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.on_timer_timeout)
        self._timer.start()

    @Slot()
    def on_timer_timeout(self) -> None:
        handle = self._window.windowHandle()
        exposed = handle is not None and handle.isExposed()
        if exposed and not self._exposed:
            self._exposed = True
            self.windowExposed.emit()
        if exposed and self._tasks.is_idle:
            self._timer.stop()
            self.windowSettled.emit()
        elif self._deadline.hasExpired():
            self._timer.stop()
            self.timedOut.emit()


EXPOSED_LINE = "agent-assist: window on screen"
"""Printed (stdout) when the window first shows, so a launcher can time the start from
outside: ``installers/build.py`` and ``benchmarks/startup.py`` do."""
SETTLED_LINE = "agent-assist: window settled"


class HeadlessRun(QObject):
    """Ends the app once the window settles: exit 0, after saving a screenshot if asked.

    A known error reported by background work meanwhile makes the run fail (exit 1).
    """

    def __init__(
        self,
        window: QWidget,
        tasks: TaskManager,
        screenshot: Path | None,
        stderr: TextIO,
        stdout: TextIO | None = None,
    ) -> None:
        super().__init__(window)
        self._window, self._screenshot, self._stderr = window, screenshot, stderr
        self._stdout = stdout
        self._failed = False
        self.probe = SettleProbe(window, tasks)
        self.probe.windowSettled.connect(self.on_probe_windowSettled)
        self.probe.windowExposed.connect(self.on_probe_windowExposed)
        self.probe.timedOut.connect(self.on_probe_timedOut)
        tasks.taskFailed.connect(self.on_tasks_taskFailed)

    def _fail(self, message: str) -> None:
        print(f"agent-assist: {message}", file=self._stderr, flush=True)
        self._failed = True

    def _say(self, line: str) -> None:
        if self._stdout is not None:
            print(line, file=self._stdout, flush=True)

    @Slot()
    def on_probe_windowExposed(self) -> None:
        self._say(EXPOSED_LINE)

    @Slot()
    def on_probe_windowSettled(self) -> None:
        self._say(SETTLED_LINE)
        if self._screenshot is not None:
            self._screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not grab(self._window).save(str(self._screenshot), "PNG"):
                self._fail(f"cannot write the screenshot {self._screenshot}")
        QApplication.exit(1 if self._failed else 0)

    @Slot()
    def on_probe_timedOut(self) -> None:
        self._fail(f"the window was not shown within {TIMEOUT_MS // 1000} s")
        QApplication.exit(1)

    @Slot(str)
    def on_tasks_taskFailed(self, message: str) -> None:
        self._fail(message)
