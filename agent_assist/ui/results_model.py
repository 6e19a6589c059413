"""The results list: suggestions (or, with no query, every item) as a Qt list model."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

from agent_assist.app.search import BADGE_LABELS, BADGE_SHORT, ResultRow
from agent_assist.core.knowledge.models import Kind
from agent_assist.ui.plain_text import tooltip

KIND_LABELS = {Kind.SOP: "SOP", Kind.MACRO: "Macro"}
Index = QModelIndex | QPersistentModelIndex


class Role(IntEnum):
    KIND = Qt.ItemDataRole.UserRole + 1
    ID = Qt.ItemDataRole.UserRole + 2
    SCORE = Qt.ItemDataRole.UserRole + 3
    STRENGTH = Qt.ItemDataRole.UserRole + 4
    """``"strong"``, ``"weak"``, or ``""`` when the row was listed, not suggested."""
    BADGES = Qt.ItemDataRole.UserRole + 5
    """Short labels of the row's badges (updated, needs acknowledgement, review overdue)."""


def strength(row: ResultRow) -> str:
    if row.score is None:
        return ""
    return "strong" if row.confident else "weak"


def describe(row: ResultRow) -> str:
    """The row's second line: kind, and how good a match it is."""
    match = strength(row)
    parts = [KIND_LABELS[row.kind]] + ([f"{match} match"] if match else [])
    return " · ".join(parts + [BADGE_LABELS[b] for b in row.badges])


class ResultsModel(QAbstractListModel):
    def __init__(self, icons: dict[Kind, QIcon], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icons = icons
        self._rows: list[ResultRow] = []

    @property
    def rows(self) -> list[ResultRow]:
        return list(self._rows)

    def set_rows(self, rows: list[ResultRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, index: Index) -> ResultRow | None:
        if not index.isValid() or index.model() is not self or index.row() >= len(self._rows):
            return None
        return self._rows[index.row()]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = self.row_at(index)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icons.get(row.kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(describe(row))
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return describe(row)
        if role == Role.KIND:
            return row.kind.value
        if role == Role.ID:
            return row.id
        if role == Role.SCORE:
            return row.score
        if role == Role.STRENGTH:
            return strength(row)
        if role == Role.BADGES:
            return [BADGE_SHORT[b] for b in row.badges]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if self.row_at(index) is None:
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
