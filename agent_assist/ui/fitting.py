"""Widgets that give way instead of pushing the window off the screen.

At a large font or a high scale factor the side panel's content may not fit.  Labels, buttons
and status messages then shrink below their text, show it cut with an ellipsis and put the
whole text in their tooltip (shown literally, see :mod:`.plain_text`), so nothing is cut
silently; a page taller than the window scrolls, with its closing buttons kept outside.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Slot
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QStatusBar,
    QStyle,
    QStyleOption,
    QStyleOptionButton,
    QStylePainter,
    QWidget,
)

from agent_assist.ui.plain_text import tooltip

MESSAGE_MARGIN = 6
"""QStatusBar's own inset of its message (``QStatusBarPrivate::messageRect``)."""


class PageScroll(QScrollArea):
    """``body`` in a frameless scroll area that blends into the page around it and scrolls
    only when the window is too short for the body's *minimum* size.

    Not ``widgetResizable``: for a body with word-wrapped labels Qt would size it to its
    preferred height and scroll long before anything had to give way.
    """

    def __init__(self, body: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageScroll")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(body)
        body.installEventFilter(self)

    def minimumSizeHint(self) -> QSize:
        """As wide as the body needs (it never scrolls sideways), as short as the window."""
        body = self.widget()
        if body is None:
            return super().minimumSizeHint()
        least = body.minimumSizeHint().expandedTo(body.minimumSize())
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(least.width() + bar, 0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the body's minimum width may have changed (a font)
            self._fit()
        return False

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def settle(self) -> None:
        """Lay the body out now (its size, then its children's places), so positions read
        right after a change are the ones it will show."""
        body = self.widget()
        layout = body.layout() if body is not None else None
        if layout is not None:
            layout.activate()
            self._fit()
            layout.activate()

    def _fit(self) -> None:
        body = self.widget()
        if body is None:
            return
        room = self.viewport().size()
        least = body.minimumSizeHint().expandedTo(body.minimumSize())
        width = max(room.width(), least.width())
        layout = body.layout()
        if layout is not None and layout.hasHeightForWidth():
            least.setHeight(max(least.height(), layout.minimumHeightForWidth(width)))
        body.resize(width, max(room.height(), least.height()))


def page_scroll(body: QWidget) -> PageScroll:
    """A page part that scrolls only when the window is too short for it."""
    return PageScroll(body)


class ElidedLabel(QLabel):
    """One line of plain text, elided at the right when the layout gives it less room."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._full = ""
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self._elide()
        self.updateGeometry()

    def text(self) -> str:
        """The whole text (what is painted may be elided: :meth:`shown_text`)."""
        return self._full

    def shown_text(self) -> str:
        return super().text()

    def sizeHint(self) -> QSize:
        return QSize(
            self.fontMetrics().horizontalAdvance(self._full) + 2, super().sizeHint().height()
        )

    def minimumSizeHint(self) -> QSize:
        return QSize(
            self.fontMetrics().horizontalAdvance("…") * 3, super().minimumSizeHint().height()
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(
            self._full, Qt.TextElideMode.ElideRight, max(0, self.contentsRect().width())
        )
        super().setText(shown)
        self.setToolTip(tooltip(self._full) if shown != self._full else "")


class ElidedButton(QPushButton):
    """A push button whose label is elided when the layout makes it narrower than its text;
    the whole label is then its tooltip (unless it has a tooltip of its own).  ``&``
    mnemonics keep working: the shortcut comes from the whole label."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._tip = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def setToolTip(self, text: str) -> None:
        self._tip = text
        self._update_tip()

    def shown_text(self) -> str:
        """The label as painted (with its ``&`` marks): whole, or cut with an ellipsis."""
        option = QStyleOptionButton()
        self.initStyleOption(option)
        room = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, self)
        return self.fontMetrics().elidedText(
            self.text(),
            Qt.TextElideMode.ElideRight,
            max(0, room.width()),
            Qt.TextFlag.TextShowMnemonic,
        )

    def is_elided(self) -> bool:
        return self.shown_text() != self.text()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_PushButton, option)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_tip()

    def _update_tip(self) -> None:
        label = self.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        super().setToolTip(self._tip or (tooltip(label) if self.is_elided() else ""))


class StatusLine(QStatusBar):
    """The status bar: a temporary message takes the whole width (the permanent widgets step
    aside while it shows) and is elided, with the whole message in the tooltip, when even
    that is too narrow."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._permanent: list[QWidget] = []
        self.messageChanged.connect(self.on_self_messageChanged)

    def addPermanentWidget(self, widget: QWidget, stretch: int | None = 0) -> None:
        super().addPermanentWidget(widget, stretch or 0)
        self._permanent.append(widget)

    def message_room(self) -> int:
        return max(0, self.width() - 2 * MESSAGE_MARGIN)

    def shown_message(self) -> str:
        """The message as painted (elided when it does not fit)."""
        return self.fontMetrics().elidedText(
            self.currentMessage(), Qt.TextElideMode.ElideRight, self.message_room()
        )

    @Slot(str)
    def on_self_messageChanged(self, message: str) -> None:
        for widget in self._permanent:
            widget.setVisible(not message)
        self.setToolTip(tooltip(message))

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.currentMessage():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_Widget, option, painter, self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        room = self.rect().adjusted(MESSAGE_MARGIN, 0, -MESSAGE_MARGIN, 0)
        painter.drawText(
            room,
            Qt.AlignmentFlag.AlignLeading
            | Qt.AlignmentFlag.AlignVCenter
            | Qt.TextFlag.TextSingleLine,
            self.shown_message(),
        )


class CurrentPageStack(QStackedWidget):
    """A stack of pages as small as its *current* page allows: a tall page that is not shown
    (the search page's splitter) does not keep a short one from fitting the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentChanged.connect(self.on_self_currentChanged)

    def minimumSizeHint(self) -> QSize:
        page = self.currentWidget()
        if page is None:
            return super().minimumSizeHint()
        return page.minimumSizeHint().expandedTo(page.minimumSize())

    @Slot(int)
    def on_self_currentChanged(self, _: int) -> None:
        self.updateGeometry()
