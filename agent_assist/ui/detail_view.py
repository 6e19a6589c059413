"""The detail pane: one SOP or macro rendered as a read-only document.

Pack text is shown as Markdown with raw HTML disabled, nothing is ever fetched (no images, no
remote resources), and links are never followed inside the pane: http(s) links open in the
system browser, links to other items are reported by a signal, anything else is ignored.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QEvent, QUrl, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QImage,
    QPalette,
    QTextBlock,
    QTextCursor,
    QTextDocument,
    QTextDocumentFragment,
    QTextFormat,
    QTextFragment,
    QTextFrameFormat,
)
from PySide6.QtWidgets import QTextBrowser, QWidget

from agent_assist.app.search import Detail
from agent_assist.core.knowledge.models import Macro
from agent_assist.ui.item_markdown import ITEM_SCHEME, KIND_LABELS, WELCOME, detail_markdown

MARKDOWN = (
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub
    | QTextDocument.MarkdownFeature.MarkdownNoHTML
)
HEADING_SCALE = {1: 1.5, 2: 1.12, 3: 1.0}
NO_IMAGE = QImage()
"""What every image in a pack resolves to: nothing to draw, nothing read."""
TEMPLATE_FRAME = QTextFormat.Property.UserProperty + 1
"""Marks the frame around a macro's reply (its colours follow the theme)."""
REPOLISH_ON = (QEvent.Type.PaletteChange, QEvent.Type.StyleChange, QEvent.Type.FontChange)


def polish(doc: QTextDocument, heading: QColor, muted: QColor, link: QColor) -> None:
    """Tone down Qt's Markdown headings (made for documents, too big for a side panel), mute
    the line of facts under the title, colour the links.

    The colours are baked into the document (Qt's Markdown reader bakes in the link colour of
    the moment too), so they come from the widget's palette (the theme) and are applied again
    whenever it changes: see :meth:`DetailView.changeEvent`.  Safe to run again."""
    base = doc.defaultFont().pointSizeF()
    cursor = QTextCursor(doc)
    block, after_title = doc.begin(), False
    while block.isValid():
        level = block.blockFormat().headingLevel()
        if level:
            _restyle_block(cursor, block, base * HEADING_SCALE.get(level, 1.0), heading)
            spacing = block.blockFormat()
            spacing.setTopMargin(2 if level == 1 else 14)
            spacing.setBottomMargin(4)
            cursor.setBlockFormat(spacing)
        elif after_title:
            _restyle_block(cursor, block, base * 0.95, muted)
        else:
            _recolor_links(cursor, block, link)
        after_title = level == 1
        block = block.next()


def _restyle_block(cursor: QTextCursor, block: QTextBlock, size: float, color: QColor) -> None:
    fragments = [(f.position(), f.length(), f.charFormat()) for f in _fragments(block)]
    for position, length, chars in fragments:
        chars.clearProperty(QTextFormat.Property.FontSizeAdjustment)
        chars.setFontPointSize(size)
        chars.setForeground(color)
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(chars)


def _recolor_links(cursor: QTextCursor, block: QTextBlock, color: QColor) -> None:
    for fragment in _fragments(block):
        chars = fragment.charFormat()
        if chars.isAnchor() and chars.foreground().color() != color:
            chars.setForeground(color)
            cursor.setPosition(fragment.position())
            cursor.setPosition(
                fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor
            )
            cursor.setCharFormat(chars)


def _fragments(block: QTextBlock) -> list[QTextFragment]:
    out, it = [], block.begin()
    while not it.atEnd():
        out.append(it.fragment())
        it += 1
    return out


class DetailView(QTextBrowser):
    """Read-only rendering of the selected item.

    Signals:
        itemLinkClicked(str, str): a link to another item (kind, id) was clicked.
    """

    itemLinkClicked = Signal(str, str)

    def __init__(
        self,
        parent: QWidget | None = None,
        open_url: Callable[[QUrl], object] = QDesktopServices.openUrl,
    ) -> None:
        super().__init__(parent)
        self.open_url = open_url
        """Opens web links outside the app (the system browser unless replaced)."""
        self.setObjectName("detailView")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.document().setIndentWidth(18)
        self.anchorClicked.connect(self.on_self_anchorClicked)
        self.show_markdown(WELCOME)

    def _polish(self) -> None:
        palette = self.palette()
        polish(
            self.document(),
            palette.color(QPalette.ColorRole.Text),
            palette.color(QPalette.ColorRole.PlaceholderText),
            palette.color(QPalette.ColorRole.Link),
        )
        for frame in self.document().rootFrame().childFrames():
            if frame.frameFormat().boolProperty(TEMPLATE_FRAME):  # not a Markdown table
                frame.setFrameFormat(self._template_format(frame.frameFormat()))

    def changeEvent(self, event: QEvent) -> None:
        """Recolour (and resize the headings of) what is shown when the theme or the font
        changes: a document painted for the light theme is unreadable on the dark one."""
        super().changeEvent(event)
        if event.type() in REPOLISH_ON:
            self._polish()

    def _template_format(self, frame: QTextFrameFormat) -> QTextFrameFormat:
        frame.setBackground(self.palette().color(QPalette.ColorRole.Window))
        frame.setBorderBrush(self.palette().color(QPalette.ColorRole.Mid))
        return frame

    def show_markdown(self, text: str) -> None:
        self.document().setMarkdown(text, MARKDOWN)
        self._polish()
        self._to_top()

    def show_detail(self, detail: Detail) -> None:
        self.document().setMarkdown(detail_markdown(detail), MARKDOWN)
        content = detail.item.content
        if isinstance(content, Macro):
            self._append_template(content.body)
        self._polish()
        self._to_top()

    def _to_top(self) -> None:
        """Read from the title: a short pane must not open scrolled to the end."""
        self.moveCursor(QTextCursor.MoveOperation.Start)
        self.verticalScrollBar().setValue(0)

    def _append_template(self, body: str) -> None:
        """The reply in a framed box, so it reads as the text that will be sent."""
        frame = self._template_format(QTextFrameFormat())
        frame.setProperty(TEMPLATE_FRAME, True)
        frame.setBorder(1)
        frame.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
        frame.setPadding(10)
        frame.setTopMargin(4)
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertFrame(frame)
        lines = (f"{line.rstrip()}  " if line.strip() else "" for line in body.strip().splitlines())
        cursor.insertFragment(QTextDocumentFragment.fromMarkdown("\n".join(lines), MARKDOWN))

    def loadResource(self, type: int, name: QUrl | str) -> object:
        """Never load anything a pack points at: no images, files or remote content.

        The answer must be a *valid* empty resource: for ``None`` Qt's document falls back to
        opening the name as a local file (or, on Windows, a UNC path over SMB) itself."""
        if type == QTextDocument.ResourceType.ImageResource:
            return NO_IMAGE
        return QByteArray()

    @Slot(QUrl)
    def on_self_anchorClicked(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https"):
            self.open_url(url)
        elif url.scheme() == ITEM_SCHEME:
            kind, _, item_id = url.path().partition("/")
            if kind in KIND_LABELS and item_id:
                self.itemLinkClicked.emit(kind, item_id)
