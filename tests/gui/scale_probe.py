"""Run in a subprocess with ``QT_SCALE_FACTOR`` set (it must be set before Qt starts): play a
window state over the data dir given, then print, as JSON, where the widgets that matter ended
up.  Used by test_scale.py.

    python scale_probe.py DATA_DIR FONT_SIZE THEME STATE [STATE ...]

One JSON line per state, played in order in one window.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QTimer
from PySide6.QtWidgets import QAbstractButton, QLabel, QScrollArea, QWidget

from agent_assist.app.context import AppContext
from agent_assist.core.settings import Settings
from agent_assist.ui.app import make_application, make_window, open_data
from agent_assist.ui.demo_states import STATES, DemoRun, _enter, _query
from agent_assist.ui.headless import SettleProbe
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.tasks import TaskManager

ACK_QUERY = "a child is being groomed by an adult online"


def _gap(w: MainWindow) -> None:
    w.on_reportGap_clicked()


def _first_ack(w: MainWindow) -> None:
    w.item_actions.ack_button.click()


EXTRA_STATES = {
    "ack": [_query(ACK_QUERY), _enter],
    "acked": [_query(ACK_QUERY), _enter, _first_ack],
    "gap": [_query("zzqx wobble frimp"), _gap],
    "empty": [],
}


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def shown_rect(widget: QWidget) -> QRect:
    """The part of ``widget`` (in global coordinates) that is on screen: clipped by every
    ancestor and by the screen's available area."""
    rect = global_rect(widget)
    parent = widget.parentWidget()
    while parent is not None:
        rect = rect.intersected(global_rect(parent))
        parent = parent.parentWidget()
    return rect.intersected(widget.screen().availableGeometry())


def describe(widget: QWidget) -> dict[str, object]:
    shown = shown_rect(widget) if widget.isVisible() else QRect()
    out: dict[str, object] = {
        "visible": widget.isVisible(),
        "width": widget.width(),
        "height": widget.height(),
        "shown_width": shown.width() if shown.isValid() else 0,
        "shown_height": shown.height() if shown.isValid() else 0,
        "fully_shown": widget.isVisible() and shown == global_rect(widget),
        "tooltip": widget.toolTip(),
    }
    if isinstance(widget, QAbstractButton | QLabel):
        out["text"] = widget.text()
        out["hint_width"] = widget.sizeHint().width()
        out["hint_height"] = widget.sizeHint().height()
    return out


def reachable(widget: QWidget) -> bool:
    """Whether scrolling the scroll areas it is in (innermost first) brings all of
    ``widget`` on screen.  Not ``ensureWidgetVisible``: for a text widget that shows only its
    text cursor's line."""
    if not widget.isVisible():
        return False
    scrolls: list[QScrollArea] = []
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea) and parent.widget() is not None:
            scrolls.append(parent)
        parent = parent.parentWidget()
    before = [s.verticalScrollBar().value() for s in scrolls]
    for scroll in scrolls:
        body = scroll.widget()
        assert body is not None
        rect = QRect(widget.mapTo(body, QPoint(0, 0)), widget.size())
        scroll.ensureVisible(rect.left(), rect.bottom() + 1, 0, 0)
        scroll.ensureVisible(rect.left(), rect.top(), 0, 0)
    shown = shown_rect(widget) == global_rect(widget)
    for scroll, value in zip(scrolls, before, strict=True):
        scroll.verticalScrollBar().setValue(value)
    return shown


KEY_WIDGETS: dict[str, Callable[[MainWindow], QWidget]] = {
    "status_bar": lambda w: w.statusBar(),
    "search": lambda w: w.search,
    "detail": lambda w: w.detail,
    "results": lambda w: w.results,
    "start_checklist": lambda w: w.item_actions.start_button,
    "ack_button": lambda w: w.item_actions.ack_button,
    "ticket_start": lambda w: w.ticket_bar.start_button,
    "finish": lambda w: w.checklist.finish_button,
    "close": lambda w: w.checklist.close_button,
    "done": lambda w: w.checklist.done_button,
    "copy_reply": lambda w: w.macro_form.copy_button,
    "back": lambda w: w.macro_form.back_button,
    "counts": lambda w: w.counts,
    "sync_status": lambda w: w.sync_status,
}


def message_room(window: MainWindow) -> int:
    """Width a status message gets: the bar minus its margins and the permanent widgets
    still showing beside it (as ``QStatusBar`` lays it out)."""
    bar = window.statusBar()
    beside = [w for w in (window.counts,) if w.isVisible()]
    return bar.width() - 12 - sum(w.width() + 6 for w in beside)


def report(window: MainWindow) -> dict[str, object]:
    screen = window.screen()
    area = screen.availableGeometry()
    frame = window.frameGeometry()
    widgets = {name: get(window) for name, get in KEY_WIDGETS.items()}
    for n, button in enumerate(window.checklist.choice_buttons):
        widgets[f"choice{n}"] = button
    bar = window.statusBar()
    message = bar.currentMessage()
    sync, counts = window.sync_status, window.counts
    return {
        "scale": screen.devicePixelRatio(),
        "screen": [area.x(), area.y(), area.width(), area.height()],
        "window": [frame.x(), frame.y(), frame.width(), frame.height()],
        "window_on_screen": area.contains(frame),
        "message": message,
        "message_fits": bar.fontMetrics().horizontalAdvance(message) <= message_room(window),
        "message_tooltip": bar.toolTip(),
        "status_overlap": sync.isVisible()
        and counts.isVisible()
        and global_rect(sync).intersects(global_rect(counts)),
        "widgets": {name: describe(w) for name, w in widgets.items()},
        "reachable": {name: reachable(w) for name, w in widgets.items()},
    }


def main() -> int:
    data_dir, font_size, theme_name, *states = sys.argv[1:]
    settings = Settings(Path(data_dir), system_file=Path(data_dir) / "no-system.toml")
    settings.set("font_size", int(font_size))
    settings.set("theme", theme_name)
    app = make_application()
    ctx = AppContext(Path(data_dir), agent="tester", settings=settings)
    open_data(ctx)
    tasks = TaskManager()
    window = make_window(ctx, tasks)
    window.show()
    queue = list(states)

    def play() -> None:
        if not queue:
            app.exit(0)
            return
        state = queue.pop(0)
        run = DemoRun(window, tasks, "search")
        run._steps = list(STATES.get(state) or EXTRA_STATES[state])
        run.demoFinished.connect(partial(settle, state))

    def settle(state: str) -> None:
        probe = SettleProbe(window, tasks)
        probe.windowSettled.connect(lambda: QTimer.singleShot(0, partial(settled, state)))
        probe.timedOut.connect(lambda: app.exit(1))

    def settled(state: str) -> None:
        try:
            print(json.dumps({"state": state, **report(window)}), flush=True)
        except Exception:  # a bug here must end the run, not leave it waiting
            traceback.print_exc()
            app.exit(3)
            return
        play()

    play()
    code = app.exec()
    window.close()
    tasks.shutdown()
    ctx.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
