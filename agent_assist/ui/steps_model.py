"""A checklist run's steps as a list model: each with its state and time spent."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from agent_assist.core.worklog.checklist import Action, ChecklistRun
from agent_assist.core.worklog.clock import Clock, Instant
from agent_assist.core.worklog.durations import format_seconds
from agent_assist.ui.plain_text import tooltip

Index = QModelIndex | QPersistentModelIndex
MARKS = {
    "current": "▶",
    Action.DONE.value: "✓",
    Action.SKIPPED.value: "↷",
    Action.CHOSEN.value: "✓",
    "pending": "○",
    "bypassed": "–",
}
STATE_WORDS = {
    "current": "current step",
    Action.DONE.value: "done",
    Action.SKIPPED.value: "skipped",
    Action.CHOSEN.value: "answered",
    "pending": "to do",
    "bypassed": "not on this path",
}


class Role(IntEnum):
    STEP_ID = Qt.ItemDataRole.UserRole + 1
    STATE = Qt.ItemDataRole.UserRole + 2


class StepsModel(QAbstractListModel):
    """Times are read from ``clock``, the app's one clock (``WorkLog.clock``), so they are the
    step times the handle-time report shows."""

    def __init__(self, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._run: ChecklistRun | None = None
        self._rows: list[tuple[str, str, str, float]] = []

    def set_run(self, run: ChecklistRun | None, now: Instant | None = None) -> None:
        """Show ``run``, an open step timed up to ``now`` (default: the clock's now)."""
        self.beginResetModel()
        self._run = run
        self._rows = self._compute(run, now or self._clock.now())
        self.endResetModel()

    @staticmethod
    def _compute(run: ChecklistRun | None, now: Instant) -> list[tuple[str, str, str, float]]:
        if run is None:
            return []
        last: dict[str, str] = {}
        for visit in run.visits:
            last[visit.step_id] = visit.action.value if visit.action else "current"
        reached = max((run.index(v.step_id) for v in run.visits), default=0)
        rows = []
        for n, step in enumerate(run.sop.steps):
            state = last.get(step.id) or ("bypassed" if n < reached else "pending")
            rows.append((step.id, step.text, state, run.step_seconds(step.id, now)))
        return rows

    def current_row(self) -> int:
        for n, row in enumerate(self._rows):
            if row[2] == "current":
                return n
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.model() is not self or index.row() >= len(self._rows):
            return None
        step_id, text, state, seconds = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            spent = f"  ·  {format_seconds(seconds)}" if seconds >= 1 else ""
            return f"{MARKS[state]}  {index.row() + 1}. {text}{spent}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(f"{text} ({STATE_WORDS[state]})")
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return STATE_WORDS[state]
        if role == Qt.ItemDataRole.FontRole and state == "current":
            font = QFont()
            font.setWeight(QFont.Weight.DemiBold)
            return font
        if role == Role.STEP_ID:
            return step_id
        if role == Role.STATE:
            return state
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or index.row() >= len(self._rows):
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
