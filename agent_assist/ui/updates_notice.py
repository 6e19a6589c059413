"""A calm, non-modal notice listing what a sync changed; each entry opens the item."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

MAX_LISTED = 6


class UpdatesNotice(QFrame):
    """Signals:
    itemRequested(str, str): open this changed item (kind, id).
    """

    itemRequested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByKeyboard
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.text.setAccessibleName("Knowledge updates")
        self.text.linkActivated.connect(self.on_text_linkActivated)
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.setAccessibleName("Dismiss the updates notice")
        self.dismiss.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.items: list[tuple[str, str, str]] = []
        self.hide()

    def show_changes(self, items: list[tuple[str, str, str]]) -> None:
        """``(kind, id, title)`` of changed items; nothing shown when empty."""
        self.items = items
        if not items:
            self.hide()
            return
        links = [
            f'<a href="{html.escape(k)}:{html.escape(i)}">{html.escape(t)}</a>'
            for k, i, t in items[:MAX_LISTED]
        ]
        more = f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else ""
        count = len(items)
        self.text.setText(
            f"<b>Updated by your team</b> ({count} item{'' if count == 1 else 's'}): "
            + ", ".join(links)
            + more
        )
        self.show()

    @Slot(str)
    def on_text_linkActivated(self, link: str) -> None:
        kind, _, item_id = link.partition(":")
        self.itemRequested.emit(kind, item_id)
