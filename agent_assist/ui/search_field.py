"""The search field: a line edit that also steers the results list from the keyboard.

It holds at most :data:`~agent_assist.app.search.QUERY_MAX_CHARS` characters, what the ranking
reads of a query: a pasted e-mail is cut there, as the summon shortcut cuts copied text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from agent_assist.app.search import QUERY_MAX_CHARS

PLACEHOLDER = "Describe the customer's problem…"
_MOVES = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 5, Qt.Key.Key_PageUp: -5}


class SearchField(QLineEdit):
    """Esc clears the text; arrow and page keys are passed on to move the selection.

    Signals:
        arrowPressed(int): the agent asked to move the selection by this many rows.
    """

    arrowPressed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("search")
        self.setPlaceholderText(PLACEHOLDER)
        self.setClearButtonEnabled(True)
        self.setMaxLength(QUERY_MAX_CHARS)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if key in _MOVES and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.arrowPressed.emit(_MOVES[key])
        elif key == Qt.Key.Key_Escape and self.text():
            self.clear()
        else:
            super().keyPressEvent(event)
