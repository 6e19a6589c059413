"""The ticketing tool in the real window: the Tickets page (keyboard, background refresh,
offline and not-connected states), working on a ticket, the requester's locale, Send to
ticket and the status set when a ticket ends.  A real TicketDesk over an in-memory connector
(tests/gui/fake_desk.py)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from agent_assist.app.context import AppContext
from agent_assist.app.search import query_from_text
from agent_assist.app.tickets import TicketDesk
from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.packs import import_pack_dir
from agent_assist.core.search.suggester import Suggester
from agent_assist.core.settings import Settings
from agent_assist.core.worklog.events import EventType, Outcome
from agent_assist.ui.app import window_settings
from agent_assist.ui.icons import kind_icons
from agent_assist.ui.main_window import MainWindow
from agent_assist.ui.palette_flows import MACRO_PAGE, SEARCH_PAGE
from agent_assist.ui.send_to_ticket import ConfirmSend
from agent_assist.ui.shortcuts import key
from agent_assist.ui.tasks import TaskManager
from agent_assist.ui.tickets_view import ID, REQUESTER, STATUS, SUBJECT, TicketsView
from tests.conftest import TINY_PACK, write_pack
from tests.gui.conftest import make_context
from tests.gui.fake_desk import COINS, FakeConnector, connected_desk
from tests.gui.test_keyboard import active, press

SPANISH_REPLY = """---
id: refund-approved-es
title: Coin refund approved (reembolso de monedas aprobado)
locale: es
tags: [coins]
fields:
  amount: {label: Importe}
---
Hola, te hemos devuelto {{amount}}.
"""


@pytest.fixture(scope="module")
def _cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny pack plus a Spanish version of its refund macro, with its suggestion index,
    built once."""
    pack = write_pack(
        tmp_path_factory.mktemp("pack"), {**TINY_PACK, "macros/refund-es.md": SPANISH_REPLY}
    )
    path = tmp_path_factory.mktemp("cache")
    with Store.in_dir(path) as store:
        import_pack_dir(store, pack)
        Suggester(store).refresh()
    return path


@pytest.fixture
def store(_cache: Path, data_dir: Path) -> Iterator[Store]:
    shutil.copytree(_cache, data_dir, dirs_exist_ok=True)
    with Store.in_dir(data_dir) as store:
        yield store


@pytest.fixture
def ctx(store: Store, data_dir: Path) -> AppContext:
    return make_context(store, data_dir)


@pytest.fixture
def connector() -> FakeConnector:
    return FakeConnector()


def open_desk_window(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager, desk: TicketDesk
) -> MainWindow:
    window = MainWindow(
        ctx.search,
        tasks,
        window_settings(ctx.data_dir),
        kind_icons(),
        ctx.work,
        ctx.settings,
        tickets=lambda: desk,
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: tasks.is_idle, timeout=60_000)
    return window


@pytest.fixture
def window(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager, connector: FakeConnector
) -> Iterator[MainWindow]:
    window = open_desk_window(qtbot, ctx, tasks, connected_desk(ctx, connector))
    yield window
    window.tickets.focus.stop()


def idle(qtbot: QtBot, tasks: TaskManager) -> None:
    qtbot.waitUntil(lambda: tasks.is_idle)


def show_list(qtbot: QtBot, window: MainWindow) -> TicketsView:
    active(qtbot, window)
    with qtbot.waitSignal(window.tickets.ticketsListed):
        press(key("tickets"))
    view = window.tickets.view
    assert window.pages.currentWidget() is view
    return view


def work_on(qtbot: QtBot, window: MainWindow, tasks: TaskManager, row: int) -> None:
    view = show_list(qtbot, window)
    view.list.setCurrentIndex(view.model.index(row, 0))
    with qtbot.waitSignal(window.tickets.ticketOpened):
        press("Return")
    idle(qtbot, tasks)


def test_the_list_shows_my_open_tickets(
    qtbot: QtBot, window: MainWindow, qtmodeltester: Any
) -> None:
    view = show_list(qtbot, window)
    model = view.model
    qtmodeltester.check(model)
    rows = [
        [model.index(r, c).data() for c in (ID, SUBJECT, REQUESTER, STATUS)]
        for r in range(model.rowCount())
    ]
    assert rows == [
        ["1", "Account taken over", "Kim Park", "open"],
        ["2", "Coins never arrived", "Maria Lopez", "open"],
    ]
    assert "Request Tracker 5" in view.heading.text()
    assert view.state.text() == "2 open tickets assigned to you"
    assert view.list.hasFocus()
    press("Esc")
    assert window.pages.currentIndex() == SEARCH_PAGE and window.search.hasFocus()


def test_the_tool_is_read_off_the_gui_thread(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager, connector: FakeConnector
) -> None:
    """While the tool hangs, the list says it is reading and the search still answers."""
    connector.hold = threading.Event()
    active(qtbot, window)
    press(key("tickets"))
    view = window.tickets.view
    assert view.state.text().startswith("Reading")
    with qtbot.waitSignal(window.resultsChanged):
        window.set_query("someone hacked my account")
    assert window.model.rows[0].id == "hacked-account"
    with qtbot.waitSignal(window.tickets.ticketsListed):
        connector.hold.set()
    assert view.model.rowCount() == 2


def test_offline_keeps_the_last_list_and_says_so(
    qtbot: QtBot, window: MainWindow, connector: FakeConnector
) -> None:
    view = show_list(qtbot, window)
    connector.offline = True
    with qtbot.waitSignal(window.tickets.listFailed) as failed:
        press(key("tickets"))  # again: read it again
    assert failed.args == ["offline"]
    assert view.state.text().startswith("Offline: Request Tracker 5")
    assert "The list is from" in view.state.text()
    assert view.model.rowCount() == 2
    connector.offline = False
    with qtbot.waitSignal(window.tickets.ticketsListed):
        view.refresh_button.click()
    assert view.state.text() == "2 open tickets assigned to you"


def test_not_connected_says_how_to_connect(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager
) -> None:
    window = open_desk_window(qtbot, ctx, tasks, TicketDesk(ctx, keyring=lambda: None, environ={}))
    active(qtbot, window)
    with qtbot.waitSignal(window.tickets.listFailed) as failed:
        press(key("tickets"))
    assert failed.args == ["not connected"]
    state = window.tickets.view.state.text()
    assert "Not connected" in state and "agent-assist connect" in state
    assert window.tickets.view.model.rowCount() == 0
    assert not window.tickets.view.choose_button.isEnabled()


def test_choosing_a_ticket_times_it_and_searches_its_customer_message(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    work_on(qtbot, window, tasks, 1)
    assert window.pages.currentIndex() == SEARCH_PAGE
    assert window.search.text() == query_from_text(COINS)  # the latest, not the first
    state = window.ticket_bar.state
    assert state is not None and (state.ticket, state.paused) == ("rt:2", False)
    assert window.ticket_bar.ticket.text() == "rt:2"
    assert window.model.rows[0].id == "coin-refund"
    assert "Maria Lopez (es)" in window.statusBar().currentMessage()
    context = window.macro_context()  # the tool's words fill the macro, not "rt:2"
    assert (context.ticket_id, context.requester_name) == ("2", "Maria Lopez")
    assert context.ticket_subject == "Coins never arrived"


def test_the_requesters_language_comes_first(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    """Maria's locale is es: the Spanish refund reply before the English one; Kim's tool
    gives no locale: the ranking's own order."""
    work_on(qtbot, window, tasks, 1)
    ids = [r.id for r in window.model.rows]
    assert ids.index("refund-approved-es") < ids.index("refund-approved")
    window.tickets.on_view_ticketChosen(window.tickets.tickets[0])  # Kim, no locale
    qtbot.waitUntil(lambda: window.ticket_bar.ticket.text() == "rt:1")
    assert window._knowledge.requester.locale is None
    with qtbot.waitSignal(window.resultsChanged):
        window.set_query(query_from_text(COINS))
    unordered = [r.id for r in window.model.rows]
    assert unordered == [r.id for r in window._knowledge.rows(query_from_text(COINS))]


def test_moving_to_another_ticket_pauses_the_first(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    work_on(qtbot, window, tasks, 0)
    work_on(qtbot, window, tasks, 1)
    status = {s.timing.ticket: s.timing.paused for s in window._work.sessions.status()}
    assert status == {"rt:1": True, "rt:2": False}


def fill_refund(qtbot: QtBot, window: MainWindow) -> str:
    window._app_settings.set(Settings.agent_name, "tester")
    with qtbot.waitSignal(window.macroShown):
        window.open_macro("refund-approved")
    window.macro_form.set_value("amount", "4.99 EUR")
    window.macro_form.on_editor_changed("amount", "4.99 EUR")
    return "Hi tester here. We refunded 4.99 EUR."


def confirm(qtbot: QtBot, window: MainWindow) -> ConfirmSend:
    sender = window.tickets.send_to_ticket
    assert sender.button.isVisible() and sender.button.isEnabled()
    with qtbot.waitSignal(sender.confirmAsked) as asked:
        press(key("send_reply"))
    dialog = asked.args[0]
    assert isinstance(dialog, ConfirmSend)
    return dialog


def test_send_to_ticket_posts_exactly_what_it_showed(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager, connector: FakeConnector
) -> None:
    work_on(qtbot, window, tasks, 1)
    text = fill_refund(qtbot, window)
    assert window.pages.currentIndex() == MACRO_PAGE
    dialog = confirm(qtbot, window)
    assert dialog.where.text() == "Post a public reply to Request Tracker 5 ticket #2"
    assert dialog.subject.text() == "“Coins never arrived” · Maria Lopez"
    assert dialog.text.toPlainText() == text
    assert dialog.post_button.text() == "Post reply"
    assert connector.posted == []  # nothing before the agent confirms
    with qtbot.waitSignal(window.tickets.send_to_ticket.macroSent):
        dialog.post_button.click()
    assert connector.posted == [("2", text, False)]
    idle(qtbot, tasks)
    sent = [e for e in window._work.events.events("tester") if e.type is EventType.MACRO_SENT]
    assert [(e.ticket, e.macro_id) for e in sent] == [("rt:2", "refund-approved")]
    assert (
        window.macro_form.problem.text() == "Posted a public reply to Request Tracker 5 ticket #2."
    )


def test_send_as_an_internal_note(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager, connector: FakeConnector
) -> None:
    work_on(qtbot, window, tasks, 1)
    fill_refund(qtbot, window)
    dialog = confirm(qtbot, window)
    dialog.note.click()
    assert dialog.where.text() == "Post an internal note on Request Tracker 5 ticket #2"
    assert dialog.post_button.text() == "Add internal note"
    with qtbot.waitSignal(window.tickets.send_to_ticket.macroSent):
        dialog.post_button.click()
    assert [(t, internal) for t, _, internal in connector.posted] == [("2", True)]


def test_a_reply_that_cannot_be_posted_stays_filled_and_goes_to_the_clipboard(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager, connector: FakeConnector
) -> None:
    work_on(qtbot, window, tasks, 1)
    text = fill_refund(qtbot, window)
    QGuiApplication.clipboard().setText("something else")
    dialog = confirm(qtbot, window)
    connector.offline = True
    with qtbot.waitSignal(window.tickets.send_to_ticket.sendFailed) as failed:
        dialog.post_button.click()
    assert failed.args[0].startswith("Offline: Request Tracker 5")
    assert connector.posted == []
    assert QGuiApplication.clipboard().text() == text
    assert window.macro_form.values()["amount"] == "4.99 EUR"  # still filled
    assert window.pages.currentIndex() == MACRO_PAGE
    told = window.macro_form.problem.text()
    assert "Not posted (Offline" in told and "on the clipboard" in told
    idle(qtbot, tasks)
    types = [e.type for e in window._work.events.events("tester")]
    assert EventType.MACRO_COPIED in types and EventType.MACRO_SENT not in types


def test_send_is_offered_only_for_a_ticket_of_the_tool(
    qtbot: QtBot, window: MainWindow, tasks: TaskManager
) -> None:
    window.ticket_bar.ticket.setText("55501")  # typed by hand: not in the tool
    with qtbot.waitSignal(window.ticket_bar.ticketChanged):
        window.commands.start_ticket.trigger()
    fill_refund(qtbot, window)
    assert not window.tickets.send_to_ticket.button.isVisible()
    assert window.tickets.send_to_ticket.send() is None


@pytest.mark.parametrize(("setting", "expected"), [(True, [("2", "pending")]), (False, [])])
def test_ending_a_ticket_can_set_its_status(
    qtbot: QtBot,
    window: MainWindow,
    tasks: TaskManager,
    connector: FakeConnector,
    setting: bool,
    expected: list[tuple[str, str]],
) -> None:
    window._app_settings.set(Settings.status_on_end, setting)
    work_on(qtbot, window, tasks, 1)
    bar = window.ticket_bar
    bar.show_outcome(Outcome.WAITING)
    if setting:
        with qtbot.waitSignal(window.tickets.statusSet) as status_set:
            window.commands.next_ticket.trigger()
        assert status_set.args == ["rt:2", "pending"]
        idle(qtbot, tasks)  # the status is set on the network pool, the end on the worker
    else:
        with qtbot.assertNotEmitted(window.tickets.statusSet):
            window.commands.next_ticket.trigger()
            idle(qtbot, tasks)
    assert connector.statuses == expected
    qtbot.waitUntil(lambda: bar.state is None, timeout=5000)
    assert window._knowledge.requester.locale is None
