"""Both themes readable everywhere: WCAG AA contrast (4.5:1) for every text colour on every
background it is drawn on, measured on the palette, the stylesheet and real renderings."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from agent_assist.resources import resource
from agent_assist.ui import theme
from agent_assist.ui.detail_view import DetailView
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.tasks import TaskManager

AA = 4.5
THEMES = ("light", "dark")
ROLE = QPalette.ColorRole
PALETTE_TEXT = (
    (ROLE.WindowText, ROLE.Window),
    (ROLE.Text, ROLE.Base),
    (ROLE.ButtonText, ROLE.Button),
    (ROLE.PlaceholderText, ROLE.Base),
    (ROLE.HighlightedText, ROLE.Highlight),
    (ROLE.ToolTipText, ROLE.ToolTipBase),
    (ROLE.Link, ROLE.Base),
    (ROLE.BrightText, ROLE.Dark),
)


def luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture
def themed() -> Iterator[QApplication]:
    """The app as a test left it: palette, stylesheet and font are put back afterwards."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    palette, sheet, font = app.palette(), app.styleSheet(), app.font()
    yield app
    app.setStyleSheet(sheet)
    app.setPalette(palette)
    app.setFont(font)


# -- the colours themselves -------------------------------------------------------------------
@pytest.mark.parametrize("name", THEMES)
def test_palette_text_roles_reach_aa(name: str) -> None:
    palette = theme.palette(name)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Disabled):
        for text, background in PALETTE_TEXT:
            ratio = contrast(palette.color(group, text), palette.color(group, background))
            assert ratio >= AA, f"{name} {group.name}: {text.name} on {background.name} {ratio:.2f}"


@pytest.mark.parametrize("name", THEMES)
def test_stylesheet_text_colours_reach_aa(name: str) -> None:
    colors = theme.colors(name)
    for text, background in theme.TEXT_ON:
        ratio = contrast(QColor(colors[text]), QColor(colors[background]))
        assert ratio >= AA, f"{name}: {text} on {background} is {ratio:.2f}:1"


def test_every_text_colour_of_the_stylesheet_is_measured() -> None:
    """A rule that sets a text colour and a background pairs them: the pair must be in
    ``TEXT_ON`` (so the test above measures it), as must every text colour used at all."""
    sheet = resource("style", "app.qss").read_text(encoding="utf-8")
    measured = set(theme.TEXT_ON)
    texts = {t for t, _ in measured}
    for body in re.findall(r"\{([^}]*)\}", sheet):
        fg = re.search(r"(?<![-\w])(?:selection-)?color:\s*@(\w+)", body)
        bg = re.search(r"(?<![-\w])background(?:-color)?:\s*@(\w+)", body)
        if fg:
            assert fg.group(1) in texts, f"text colour @{fg.group(1)} is never measured"
        if fg and bg:
            assert (fg.group(1), bg.group(1)) in measured, body.strip()


# -- what is drawn ----------------------------------------------------------------------------
def baked_colours(view: DetailView) -> list[tuple[str, QColor]]:
    """Every text colour set inside the detail pane's document, with the text it colours."""
    out, block = [], view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            brush = fragment.charFormat().foreground()
            if brush.style() != brush.style().NoBrush:
                out.append((fragment.text(), brush.color()))
            it += 1
        block = block.next()
    return out


def assert_readable_document(view: DetailView) -> None:
    background = view.palette().color(ROLE.Base)
    baked = baked_colours(view)
    assert baked, "the title and the meta line are coloured"
    for text, color in baked:
        ratio = contrast(color, background)
        assert ratio >= AA, f"{text!r}: {color.name()} on {background.name()} is {ratio:.2f}:1"


def text_contrast(image: QImage, rect: QRect) -> float:
    """The contrast of the most distant colour in ``rect`` against its most common one: the
    text against its background, for a widget that shows only text."""
    counts = Counter(
        image.pixel(x, y)
        for y in range(rect.top(), rect.bottom() + 1)
        for x in range(rect.left(), rect.right() + 1)
    )
    background = QColor.fromRgb(counts.most_common(1)[0][0])
    return max(contrast(QColor.fromRgb(c), background) for c in counts)


def assert_readable_widgets(window: MainWindow) -> int:
    image = window.grab().toImage()
    checked = 0
    for widget in window.findChildren(QWidget):
        text = widget.text() if isinstance(widget, QLabel | QPushButton) else ""
        if not text or not widget.isVisible() or not widget.isEnabled():
            continue
        rect = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
        rect = rect.intersected(image.rect())
        if rect.width() < 4 or rect.height() < 4:
            continue
        ratio = text_contrast(image, rect)
        assert ratio >= AA, f"{type(widget).__name__} {text!r} renders at {ratio:.2f}:1"
        checked += 1
    return checked


def arrow_rows(image: QImage, rect: QRect, name: str) -> list[int]:
    """How many pixels of each row of ``rect`` are in the theme's ink: a drop-down arrow."""
    ink = QColor(theme.colors(name)["ink"])
    surface = QColor(theme.colors(name)["surface"])
    rows = []
    for y in range(rect.top(), rect.bottom() + 1):
        inked = [
            x
            for x in range(rect.left(), rect.right() + 1)
            if contrast(QColor.fromRgb(image.pixel(x, y)), surface) >= 3
            and contrast(QColor.fromRgb(image.pixel(x, y)), ink) < 2
        ]
        if inked:
            rows.append(len(inked))
    return rows


def assert_drop_down_arrow(window: MainWindow, combo: QComboBox, name: str) -> None:
    """Styling the drop-down subcontrol hides the style's arrow unless one is drawn: a
    downward triangle in the theme's ink (narrower at each row down), not a box."""
    image = window.grab().toImage()
    ratio = image.width() / window.width()
    top_left = combo.mapTo(window, combo.rect().topLeft())
    button = QRect(
        int((top_left.x() + combo.width() - 22) * ratio),
        int(top_left.y() * ratio),
        int(19 * ratio),
        int(combo.height() * ratio),
    )
    rows = arrow_rows(image, button, name)
    assert len(rows) >= 3, f"{name}: no arrow drawn in the drop-down button"
    assert rows[0] > rows[-1] + 2, f"{name}: not a downward arrow: ink per row {rows}"


def test_dark_theme_is_readable_everywhere(
    qtbot: QtBot, themed: QApplication, window: MainWindow, tasks: TaskManager
) -> None:
    """One window through the main states (Qt crashes, now and then, restyling new widgets
    after a restyled window was destroyed: one window per test process is styled)."""
    # the app builds its window before it applies the theme setting
    theme.apply(themed, "dark", 10)
    qtbot.waitUntil(lambda: tasks.is_idle, timeout=30_000)
    assert window.detail.document().begin().blockFormat().headingLevel()  # the empty state
    assert_readable_document(window.detail)
    assert assert_readable_widgets(window) >= 3  # ticket bar, status bar
    with qtbot.waitSignal(window.itemShown, timeout=30_000):
        window.set_query("coins never received")
    qtbot.waitUntil(lambda: tasks.is_idle, timeout=30_000)
    assert "Steps" in window.detail.toPlainText()
    assert_readable_document(window.detail)
    assert_readable_widgets(window)
    # the title, the meta line, "Steps" and the links were painted once, for the theme then
    theme.apply(themed, "light", 10)
    assert_readable_document(window.detail)
    theme.apply(themed, "dark", 10)
    assert_readable_document(window.detail)
    window.ticket_bar.ticket.setText("4821337")
    assert window.start_checklist()
    qtbot.waitUntil(lambda: tasks.is_idle, timeout=30_000)
    assert window.checklist.isVisible()
    assert_readable_widgets(window)
    assert_drop_down_arrow(window, window.checklist.outcome, "dark")
    theme.apply(themed, "light", 10)
    assert_drop_down_arrow(window, window.checklist.outcome, "light")
    theme.apply(themed, "dark", 10)
    with qtbot.waitSignal(window.macroShown, timeout=30_000):
        window.open_macro("refund-approved")
    qtbot.waitUntil(lambda: tasks.is_idle, timeout=30_000)
    assert_readable_widgets(window)


def test_applying_the_same_theme_again_leaves_the_stylesheet_alone(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new application stylesheet re-polishes every widget: the window's start applies the
    agent's theme once, before any widget exists, and the settings pass after it is a no-op."""
    calls: list[str] = []
    real = QApplication.setStyleSheet

    def counted(app: QApplication, text: str) -> None:
        calls.append(text)
        real(app, text)

    monkeypatch.setattr(QApplication, "setStyleSheet", counted)
    try:
        theme.apply(qapp, "dark", 11)
        theme.apply(qapp, "dark", 11)
        assert len(calls) == 1
        theme.apply(qapp, "dark", 12)  # a new font size
        theme.apply(qapp, "light", 12)  # a new theme
        assert len(calls) == 3
        assert qapp.font().pointSize() == 12
    finally:
        qapp.setProperty(theme.APPLIED, None)
        theme.apply(qapp, "light", 10)
