"""The semantic search stage in the window: refine the list when the agent pauses.

Every keystroke still gets the lexical list at once (the main window's search).  When the
agent stops typing for :data:`PAUSE_MS` - or pastes or is handed a whole message - the fused
ranking of the same text is asked for on the worker, and the list is updated in place: an
item the agent moved the selection to stays selected wherever it moves, so a refinement never
pulls the row out from under the arrow keys (the automatic selection of the first row follows
the new first row).  A refinement for text that has changed since is
dropped.

The embeddings are built on the parallel pool (they read no database, so searches go on
meanwhile), first after the window's own index is prepared, then again whenever the
knowledge changed; the status bar shows progress when building takes more than
:data:`PROGRESS_DELAY_MS`.

Signals:
    rowsRefined(str): the list now shows the fused ranking for this text.
    buildProgress(int, int): rows encoded so far, rows to encode (emitted from the pool).
"""

from __future__ import annotations

import time
from functools import partial

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QListView, QMainWindow

from agent_assist.app.search import ResultRow
from agent_assist.app.semantic import BuildCancelledError, SemanticSearch
from agent_assist.core.errors import AgentAssistError
from agent_assist.ui.results_model import ResultsModel
from agent_assist.ui.search_field import SearchField
from agent_assist.ui.tasks import TaskManager

PAUSE_MS = 120
PROGRESS_DELAY_MS = 500
BUILDING = "Preparing paraphrase matching… {:.0%}"


class SemanticRefiner(QObject):
    rowsRefined = Signal(str)
    buildProgress = Signal(int, int)

    def __init__(
        self,
        semantic: SemanticSearch,
        tasks: TaskManager,
        field: SearchField,
        model: ResultsModel,
        view: QListView,
        window: QMainWindow,
        pause_ms: int = PAUSE_MS,
    ) -> None:
        super().__init__(window)
        self._semantic, self._tasks = semantic, tasks
        self._field, self._model, self._view, self._window = field, model, view, window
        self._building = False
        self._build_started = 0.0
        self._last_text = field.text()
        self.timer = QTimer(self)
        """The typing pause (public so that a setting or a test can change it)."""
        self.timer.setSingleShot(True)
        self.timer.setInterval(pause_ms)
        self.timer.timeout.connect(self.on_timer_timeout)
        field.textChanged.connect(self.on_field_textChanged)
        self.buildProgress.connect(self.on_self_buildProgress)
        app = QCoreApplication.instance()
        if app is not None:  # quitting must not wait for a long first build
            app.aboutToQuit.connect(semantic.cancelled.set)
        self._build()

    def _build(self) -> None:
        """Queued behind whatever the serialized worker has (the window's index preparation
        comes first), then encoded on the parallel pool."""
        if self._building:
            return
        self._building = True
        self._tasks.run(lambda: None, self._start_encoding)

    def _start_encoding(self, _: None) -> None:
        self._build_started = time.monotonic()
        self._tasks.run(
            partial(self._semantic.prepare, self.buildProgress.emit),
            self._built,
            self._build_failed,
            network=True,
        )

    def _built(self, ready: bool) -> None:
        self._building = False
        if self._window.statusBar().currentMessage().startswith(BUILDING[:20]):
            self._window.statusBar().clearMessage()
        if ready and self._field.text().strip():
            self.refine_now()

    def _build_failed(self, exc: AgentAssistError) -> None:
        self._building = False
        if isinstance(exc, BuildCancelledError):
            return
        self._window.statusBar().showMessage(f"Paraphrase matching unavailable: {exc}", 8000)

    def refine_now(self) -> None:
        self.timer.stop()
        text = self._field.text()
        if not text.strip():
            return
        if not self._semantic.ready():
            self._build()  # the knowledge changed since: encode what is new, then refine
            return
        self._tasks.run(
            partial(self._semantic.rows, text), partial(self._show, text), key="semantic"
        )

    def _show(self, text: str, rows: list[ResultRow] | None) -> None:
        if rows is None or text != self._field.text():
            return
        index = self._view.currentIndex()
        current = self._model.row_at(index)
        # Row 0 is where every search puts the selection: only a row the agent moved to is
        # theirs to keep.
        moved = current is not None and index.row() > 0
        keep = (current.kind, current.id) if moved and current is not None else None
        self._model.set_rows(rows)
        at = next((i for i, r in enumerate(rows) if (r.kind, r.id) == keep), 0)
        if rows:
            self._view.setCurrentIndex(self._model.index(at))
        self.rowsRefined.emit(text)

    @Slot(str)
    def on_field_textChanged(self, text: str) -> None:
        pasted = abs(len(text) - len(self._last_text)) > 1
        self._last_text = text
        if pasted:
            self.refine_now()
        else:
            self.timer.start()

    @Slot()
    def on_timer_timeout(self) -> None:
        self.refine_now()

    @Slot(int, int)
    def on_self_buildProgress(self, done: int, total: int) -> None:
        if total and time.monotonic() - self._build_started > PROGRESS_DELAY_MS / 1000:
            self._window.statusBar().showMessage(BUILDING.format(done / total))
