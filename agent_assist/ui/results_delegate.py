"""Paints a result as two lines: kind icon and title, then kind and match strength."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from agent_assist.app.search import BADGE_SHORT, QUIET_BADGES
from agent_assist.ui.results_model import Role
from agent_assist.ui.theme import DARK, LIGHT

PAD_X, PAD_Y, ICON, GAP = 10, 7, 20, 10
STRENGTH_COLORS = {m: QColor(LIGHT[m]) for m in ("strong", "weak")}
STRENGTH_COLORS_DARK = {m: QColor(DARK[m]) for m in ("strong", "weak")}
BADGE_COLOR, BADGE_COLOR_DARK = QColor(LIGHT["badge"]), QColor(DARK["badge"])
QUIET_COLOR, QUIET_COLOR_DARK = QColor("#616e7c"), QColor("#9aa5b1")
QUIET = frozenset(BADGE_SHORT[b] for b in QUIET_BADGES)
"""Pills that say where a row comes from (pinned, recent): grey, not a warning."""


class ResultDelegate(QStyledItemDelegate):
    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        fm = QFontMetrics(option.font)
        return QSize(200, 2 * fm.height() + 2 + 2 * PAD_Y)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)

        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect = opt.rect.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y)
        painter.save()
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(icon, QIcon):
            icon_rect = QRect(rect.left(), rect.top() + 1, ICON, ICON)
            icon.paint(painter, icon_rect)
        text_left = rect.left() + ICON + GAP
        title_font = QFont(opt.font)
        title_font.setWeight(QFont.Weight.DemiBold)
        fm = QFontMetrics(title_font)
        title_rect = QRect(text_left, rect.top(), rect.right() - text_left, fm.height())
        title = fm.elidedText(
            str(index.data() or ""), Qt.TextElideMode.ElideRight, title_rect.width()
        )
        painter.setFont(title_font)
        painter.setPen(opt.palette.color(text_role))
        painter.drawText(
            title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title
        )
        self._paint_second_line(painter, opt, index, text_left, title_rect.bottom() + 2, selected)
        painter.restore()

    def _paint_second_line(
        self,
        painter: QPainter,
        opt: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
        left: int,
        top: int,
        selected: bool,
    ) -> None:
        small = QFont(opt.font)
        small.setPointSizeF(max(6.0, opt.font.pointSizeF() * 0.88))
        fm = QFontMetrics(small)
        painter.setFont(small)
        muted = opt.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        line = QRect(left, top, opt.rect.right() - PAD_X - left, fm.height())
        kind = "SOP" if index.data(Role.KIND) == "sop" else "Macro"
        painter.setPen(muted)
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, kind)
        x = left + fm.horizontalAdvance(kind + "  ")
        match = str(index.data(Role.STRENGTH) or "")
        if match:
            dark = opt.palette.color(QPalette.ColorRole.Base).lightness() < 128
            strength = STRENGTH_COLORS_DARK if dark else STRENGTH_COLORS
            color = muted if selected else strength[match]
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            dot = max(6, fm.height() // 3)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawEllipse(x, line.center().y() - dot // 2 + 1, dot, dot)
            painter.setPen(color)
            text = f"{match} match"
            text_rect = line.adjusted(x - left + dot + 5, 0, 0, 0)
            painter.drawText(
                text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text
            )
            x += dot + 5 + fm.horizontalAdvance(text + "  ")
        badges = index.data(Role.BADGES) or []
        dark = opt.palette.color(QPalette.ColorRole.Base).lightness() < 128
        self._paint_badges(painter, fm, list(badges), x, line, selected, dark)

    def _paint_badges(
        self,
        painter: QPainter,
        fm: QFontMetrics,
        badges: list[str],
        x: int,
        line: QRect,
        selected: bool,
        dark: bool,
    ) -> None:
        """Small outlined pills, so a changed or gated item stands out without shouting."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = QColor("#ffffff") if selected else (BADGE_COLOR_DARK if dark else BADGE_COLOR)
        for badge in badges:
            width = fm.horizontalAdvance(badge) + 10
            if x + width > line.right():
                break
            pill = QRect(x, line.top(), width, line.height())
            quiet = QUIET_COLOR_DARK if dark else QUIET_COLOR
            painter.setPen(quiet if badge in QUIET and not selected else color)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(pill.adjusted(0, 0, -1, -1), 6, 6)
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, badge)
            x += width + 4
