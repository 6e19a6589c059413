"""Named window states for ``--demo-state`` (README screenshots, visual checks).

Each state is a short script of what an agent would do, run step by step, each step waiting
until the background work of the one before has been delivered.  They write to the data dir
like real use would (a checklist run is saved), so use them with a throwaway ``--data-dir``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.tasks import TaskManager

Step = Callable[[MainWindow], object]
DEMO_TICKET = "4821337"
SEARCH_QUERY = "someone hacked my account and changed my email"
SOP_QUERY = "my son spent 300 euros on coins without asking"


def _query(text: str) -> Step:
    return lambda w: w.set_query(text)


def _enter(w: MainWindow) -> None:
    w.on_search_returnPressed()


def _ticket(w: MainWindow) -> None:
    w.ticket_bar.ticket.setText(DEMO_TICKET)


def _start(w: MainWindow) -> None:
    w.start_checklist()


def _note(w: MainWindow) -> None:
    w.checklist.note.setPlainText("Card ending 4417; three purchases on 12 Nov")


def _done(w: MainWindow) -> None:
    w.checklist.complete()


def _macro(w: MainWindow) -> None:
    w.open_macro("child-purchase-guidance")


def _fill(w: MainWindow) -> None:
    form = w.macro_form
    form.set_value("customer_name", "Maria")
    form.set_value("agent_name", "Dana")
    route = form.editors["refund_route"]
    if hasattr(route, "setCurrentIndex"):
        route.setCurrentIndex(2)
    form.copy_button.setFocus()


def _home(w: MainWindow) -> None:
    w.search.home(False)  # show the start of the query, as after reading it


STATES: dict[str, list[Step]] = {
    "search": [_query(SEARCH_QUERY), _home],
    "sop": [_ticket, _query(SOP_QUERY), _enter, _home],
    "checklist": [_ticket, _query(SOP_QUERY), _enter, _home, _start, _done, _done, _note],
    "macro": [_ticket, _query(SOP_QUERY), _enter, _home, _macro, _fill],
}


class DemoRun(QObject):
    """Plays a state's steps, each once the worker is idle.

    Signals:
        demoFinished(): every step ran and its work was delivered.
    """

    demoFinished = Signal()

    def __init__(self, window: MainWindow, tasks: TaskManager, name: str) -> None:
        super().__init__(window)
        self._window, self._tasks = window, tasks
        self._steps = list(STATES[name])
        self._timer = QTimer(self)
        self._timer.setInterval(20)
        self._timer.timeout.connect(self.on_timer_timeout)
        self._timer.start()

    @Slot()
    def on_timer_timeout(self) -> None:
        if not self._tasks.is_idle:
            return
        if not self._steps:
            self._timer.stop()
            self.demoFinished.emit()
            return
        self._steps.pop(0)(self._window)
