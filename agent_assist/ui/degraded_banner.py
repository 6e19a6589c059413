"""The banner of a degraded start: what works, what does not, why, and the way back.

Shown above everything else when :func:`agent_assist.app.startup.open_data` could not open the
whole data dir (see its docstring).  For a damaged knowledge cache it offers "Rebuild knowledge
cache", which runs :func:`agent_assist.app.startup.rebuild_cache` on the worker.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from agent_assist.app.startup import StartReport
from agent_assist.core.errors import AgentAssistError
from agent_assist.ui.plain_text import plain_label
from agent_assist.ui.tasks import TaskManager

REBUILD = "Rebuild knowledge cache"
WORKS, LACKS = "✓", "✗"


def breakable(text: str) -> str:
    """``text`` with a break opportunity after each ``/`` (a long path wraps instead of
    widening the window) and none inside an option name."""
    return text.replace("/", "/\u200b").replace("--data-dir", "\u2011\u2011data\u2011dir")


class DegradedBanner(QFrame):
    """What this session can and cannot do, read from a :class:`StartReport`.

    Signals:
        cacheRebuilt(): the knowledge cache was rebuilt and is in use; search starts over.
    """

    cacheRebuilt = Signal()

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("degradedBanner")
        self.setAccessibleName("Limited start")
        self._tasks = tasks
        self._rebuild: Callable[[], StartReport] | None = None
        self.report = StartReport()
        self.title = plain_label()
        self.title.setObjectName("bannerTitle")
        self.title.setWordWrap(True)
        self.works = plain_label()
        self.works.setWordWrap(True)
        self.lacks = plain_label()
        self.lacks.setWordWrap(True)
        self.problem = plain_label()
        self.problem.setObjectName("muted")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.advice = plain_label()
        self.advice.setWordWrap(True)
        self.details_button = QPushButton("Details")
        self.details_button.setCheckable(True)
        self.details_button.setAccessibleName("Show what failed and where")
        self.details_button.setToolTip("Show what failed and where")
        self.rebuild_button = QPushButton(REBUILD)
        self.rebuild_button.setAccessibleName(REBUILD)
        self.rebuild_button.setToolTip(
            "Move the damaged file aside and build a new cache from the packs it still holds"
        )
        row = QHBoxLayout()
        row.addWidget(self.details_button)
        row.addStretch(1)
        row.addWidget(self.rebuild_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        for label in (self.title, self.works, self.lacks, self.problem, self.advice):
            layout.addWidget(label)
        layout.addLayout(row)
        self.rebuild_button.clicked.connect(self.on_rebuild_clicked)
        self.details_button.toggled.connect(self.problem.setVisible)
        self.hide()

    def show_report(
        self, report: StartReport, rebuild: Callable[[], StartReport] | None = None
    ) -> None:
        """Show ``report`` (hidden when nothing is missing); ``rebuild`` backs the button."""
        self.report = report
        if rebuild is not None:
            self._rebuild = rebuild
        self.title.setText(f"Limited start: {report.headline()}")
        self.works.setText(f"{WORKS} {report.works()}")
        self.lacks.setText(f"{LACKS} {report.lacks()}")
        self.lacks.setVisible(bool(report.lacks()))
        self.problem.setText(breakable("\n".join(report.problems())))
        self.advice.setText(breakable(report.advice()))
        can_rebuild = report.damaged and self._rebuild is not None
        self.rebuild_button.setVisible(can_rebuild)
        self.rebuild_button.setEnabled(can_rebuild)
        self.setVisible(report.degraded)

    @Slot()
    def on_rebuild_clicked(self) -> None:
        if self._rebuild is None:
            return
        self.rebuild_button.setEnabled(False)
        self.rebuild_button.setText("Rebuilding…")
        self._tasks.run(self._rebuild, self._rebuilt, self._not_rebuilt)

    def _rebuilt(self, report: StartReport) -> None:
        self.rebuild_button.setText(REBUILD)
        self.show_report(report)
        self.cacheRebuilt.emit()

    def _not_rebuilt(self, exc: AgentAssistError) -> None:
        self.rebuild_button.setText(REBUILD)
        self.rebuild_button.setEnabled(True)
        self.problem.setText(breakable(str(exc)))
        self.details_button.setChecked(True)
