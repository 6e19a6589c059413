"""The main window driven like an agent would: typing, arrows, Enter, Esc, clicks."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication, QImage, QTextDocument
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from agent_assist.app.search import QUERY_MAX_CHARS
from agent_assist.core.cache.store import Store
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.search_field import PLACEHOLDER
from agent_assist.ui.tasks import TaskManager
from tests.gui.conftest import open_window

ALL_ITEMS = ["hacked-account", "coin-refund", "account-secured", "refund-approved"]


def ids(window: MainWindow) -> list[str]:
    return [row.id for row in window.model.rows]


def type_query(qtbot: QtBot, window: MainWindow, tasks: TaskManager, text: str) -> None:
    QTest.keyClicks(window.search, text)
    qtbot.waitUntil(lambda: tasks.is_idle)


def test_starts_with_focused_search_and_everything_listed(window: MainWindow) -> None:
    assert window.search.hasFocus()
    assert window.search.placeholderText() == PLACEHOLDER
    # SOPs first, then macros, each alphabetically by title
    assert ids(window) == ALL_ITEMS
    assert not window.no_match.isVisible()
    assert window.counts.text() == "2 SOPs · 2 macros"


def test_typing_updates_results_on_every_keystroke(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    with qtbot.waitSignal(window.resultsChanged):
        QTest.keyClick(window.search, Qt.Key.Key_C)
    type_query(qtbot, window, tasks, "oins never received")
    assert window.search.text() == "coins never received"
    assert ids(window)[0] == "coin-refund"
    assert window.model.rows[0].score is not None
    assert window.current_row() == window.model.rows[0]


def test_selecting_a_sop_shows_its_details(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.itemShown) as shown:
        window.results.setCurrentIndex(window.model.index(ids(window).index("coin-refund")))
    assert shown.args == ["sop", "coin-refund"]
    text = window.detail.toPlainText()
    for expected in (
        "Refund request for in-app coin purchase",
        "version 1",
        "Customer wants money back for coins bought in the app.",
        "PSD2 reply due: 15 business days",
        "Find the purchase in the billing console",
        "Eligible → step 3",
        "Not eligible → finish",
        "Reply: Coin refund approved",
        "Refunds follow the coin policy.",
    ):
        assert expected in text
    image = QUrl("https://example.com/pixel.png")  # the body's tracking pixel: never fetched
    resource = window.detail.document().resource(QTextDocument.ResourceType.ImageResource, image)
    assert (
        resource is None or resource == b"" or (isinstance(resource, QImage) and resource.isNull())
    )


def test_selecting_a_macro_shows_fields_and_template(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.itemShown):
        window.results.setCurrentIndex(window.model.index(ids(window).index("refund-approved")))
    text = window.detail.toPlainText()
    assert "Coin refund approved" in text
    assert "Refund amount amount — required" in text
    assert "Hi {{agent_name}} here. We refunded {{amount}}." in text


def test_arrows_move_selection_and_enter_opens(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    QTest.keyClick(window.search, Qt.Key.Key_Down)
    assert window.current_row() == window.model.rows[0]
    QTest.keyClick(window.search, Qt.Key.Key_Down)
    QTest.keyClick(window.search, Qt.Key.Key_Down)
    QTest.keyClick(window.search, Qt.Key.Key_Up)
    assert window.current_row() == window.model.rows[1]
    with qtbot.waitSignal(window.itemOpened) as opened:
        QTest.keyClick(window.search, Qt.Key.Key_Return)
    assert opened.args == ["sop", "coin-refund"]
    qtbot.waitUntil(lambda: tasks.is_idle)
    assert "Refund request for in-app coin purchase" in window.detail.toPlainText()
    assert window.detail.hasFocus()  # opened to read; Esc goes back


def test_escape_clears_the_search(qtbot: QtBot, window: MainWindow, tasks: TaskManager) -> None:
    type_query(qtbot, window, tasks, "hacked")
    assert ids(window)[0] == "hacked-account"
    with qtbot.waitSignal(window.resultsChanged):
        QTest.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == ""
    assert ids(window) == ALL_ITEMS


def test_ctrl_l_focuses_the_search(qtbot: QtBot, window: MainWindow) -> None:
    window.search.setText("hacked")
    window.activateWindow()
    qtbot.waitActive(window)
    window.detail.setFocus()
    qtbot.waitUntil(window.detail.hasFocus)
    QTest.keyClick(window.detail, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()
    assert window.search.selectedText() == "hacked"


def test_nonsense_shows_no_confident_match(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    type_query(qtbot, window, tasks, "qzxv blorptangle")
    assert window.no_match.isVisible()
    assert window.no_match.text().startswith("No confident match")
    assert not any(row.confident for row in window.model.rows)


def test_confident_match_hides_the_label(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    type_query(qtbot, window, tasks, "qzxv")
    assert window.no_match.isVisible()
    window.search.clear()
    type_query(qtbot, window, tasks, "I want my money back for the coins I bought")
    assert window.model.rows[0].confident
    assert not window.no_match.isVisible()


def test_only_web_links_open_externally(qtbot: QtBot, window: MainWindow) -> None:
    opened: list[str] = []
    window.detail.open_url = lambda url: opened.append(url.toString())
    for url in (
        "https://example.com/coins",
        "http://example.com/",
        "file:///etc/passwd",
        "mailto:x@example.com",
        "javascript:alert(1)",
        "agent-assist:sop/nope/x",
    ):
        window.detail.anchorClicked.emit(QUrl(url))
    assert opened == ["https://example.com/coins", "http://example.com/"]
    assert window.detail.source().isEmpty()  # the pane never navigates


def test_item_links_open_the_item_in_the_pane(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.itemShown) as shown:
        window.detail.anchorClicked.emit(QUrl("agent-assist:macro/refund-approved"))
    assert shown.args == ["macro", "refund-approved"]


def test_no_resources_are_loaded(window: MainWindow) -> None:
    for url in ("https://example.com/pixel.png", "file:///etc/hostname", "x.png"):
        image = window.detail.loadResource(QTextDocument.ResourceType.ImageResource, QUrl(url))
        assert isinstance(image, QImage) and image.isNull()  # valid and empty: Qt reads nothing
        other = window.detail.loadResource(QTextDocument.ResourceType.StyleSheetResource, QUrl(url))
        assert other == b""


def test_geometry_is_remembered_under_the_data_dir(
    qtbot: QtBot, window: MainWindow, tiny_store: Store, tasks: TaskManager, data_dir: Path
) -> None:
    assert (window.width(), window.height()) == (420, 720)
    window.resize(380, 600)
    window.close()
    assert (data_dir / "window.ini").is_file()
    again = open_window(qtbot, tiny_store, tasks, data_dir)
    assert (again.width(), again.height()) == (380, 600)


# -- summon (the global shortcut, Ctrl+Shift+Space) ------------------------------------------
RAISE = r"^This plugin does not support raise\(\)$"  # offscreen has no stacking
MAIL = """Hello,

someone hacked my account yesterday
and changed my email address.\r\n\r\nPlease help!
-- \nAna
"""


def summon(qtbot: QtBot, window: MainWindow, tasks: TaskManager, clipboard: str) -> None:
    QGuiApplication.clipboard().setText(clipboard)
    window.global_hotkey.activated.emit()
    qtbot.waitUntil(lambda: tasks.is_idle)


@pytest.mark.qt_log_ignore(RAISE)
def test_summon_restores_a_minimised_window(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    with qtbot.waitActive(window):
        summon(qtbot, window, tasks, "card payment declined")
    assert not window.isMinimized()
    assert window.isVisible() and window.isActiveWindow()
    assert window.search.hasFocus()
    assert window.search.text() == "card payment declined"


@pytest.mark.qt_log_ignore(RAISE)
def test_summon_searches_a_whole_copied_email(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    summon(qtbot, window, tasks, "coins never received")
    assert ids(window)[0] == "coin-refund"
    summon(qtbot, window, tasks, MAIL)  # the next customer's e-mail replaces the last query
    assert window.search.text() == " ".join(MAIL.split())
    assert ids(window)[0] == "hacked-account"
    assert window.search.selectedText() == window.search.text()  # typing replaces it


@pytest.mark.qt_log_ignore(RAISE)
def test_summon_cuts_a_long_text_where_the_search_stops_reading(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    summon(qtbot, window, tasks, "my coins never arrived\n" * 500)
    assert window.search.text().startswith("my coins never arrived my coins")
    assert len(window.search.text()) <= QUERY_MAX_CHARS
    assert ids(window)[0] == "coin-refund"


@pytest.mark.qt_log_ignore(RAISE)
def test_summon_with_nothing_copied_keeps_the_search(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    window.set_query("hacked")
    summon(qtbot, window, tasks, " \n\t ")
    assert window.search.text() == "hacked"
    assert window.search.selectedText() == "hacked"


def test_pasting_a_long_text_is_cut_like_a_summoned_one(window: MainWindow) -> None:
    window.search.setText("x" * (QUERY_MAX_CHARS + 100))
    assert len(window.search.text()) == QUERY_MAX_CHARS
