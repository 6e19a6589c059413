"""What the agent does from the palette: run a checklist, fill a macro, acknowledge a SOP,
report a gap, and the window-level commands (settings, summon, always on top, about).

A mixin of :class:`~agent_assist.ui.main_window.MainWindow`, kept apart so the window module
holds layout, search and details, and this one the flows built on them.  Starting a checklist
on a ticket and going on to the next ticket are in :mod:`agent_assist.ui.ticket_flows`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow

from agent_assist.app.search import query_from_text
from agent_assist.app.search_trail import SearchTrail, Suggestion
from agent_assist.app.sync import SignIn, TokenStore, sign_in, sign_in_summary
from agent_assist.core.knowledge.macros import MacroContext
from agent_assist.core.knowledge.models import Item, Kind
from agent_assist.core.settings import Settings
from agent_assist.ui import theme
from agent_assist.ui.about_dialog import AboutDialog
from agent_assist.ui.global_hotkey import HEADLESS, bring_up
from agent_assist.ui.settings_dialog import SettingsDialog
from agent_assist.ui.sync_status import SyncController, SyncReportLike

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QPushButton, QStackedWidget

    from agent_assist.app.search import Detail, Search
    from agent_assist.app.work import WorkLog
    from agent_assist.ui.checklist_view import ChecklistView
    from agent_assist.ui.global_hotkey import GlobalHotkey
    from agent_assist.ui.item_actions import ItemActions
    from agent_assist.ui.macro_form import MacroForm
    from agent_assist.ui.search_field import SearchField
    from agent_assist.ui.tasks import TaskManager
    from agent_assist.ui.ticket_bar import TicketBar
    from agent_assist.ui.tickets_flows import TicketsPanel
    from agent_assist.ui.updates_notice import UpdatesNotice
    from agent_assist.ui.window_actions import Actions

    _Base = QMainWindow
else:
    _Base = object

SEARCH_PAGE, CHECKLIST_PAGE, MACRO_PAGE = 0, 1, 2


def _ignore(_: object) -> None:
    """For work whose result nobody needs (failures still reach the error path)."""


class PaletteFlows(_Base):
    """The flows; every attribute used here is created by ``MainWindow.__init__``."""

    if TYPE_CHECKING:
        _app_settings: Settings
        _credentials: Callable[[], TokenStore] | None
        sync: SyncController
        _tasks: TaskManager
        _work: WorkLog
        _knowledge: Search
        _trail: SearchTrail
        _settings: QSettings
        _detail: Detail | None
        _return_page: int
        commands: Actions
        global_hotkey: GlobalHotkey
        ticket_bar: TicketBar
        tickets: TicketsPanel
        checklist: ChecklistView
        macro_form: MacroForm
        item_actions: ItemActions
        pages: QStackedWidget
        search: SearchField
        report_gap: QPushButton
        notice: UpdatesNotice
        checklistShown: SignalInstance
        macroShown: SignalInstance
        gapReported: SignalInstance
        ackRecorded: SignalInstance

        def _load_detail(self, kind: Kind, item_id: str) -> None: ...
        def _search(self, query: str) -> None: ...
        def refresh_in_place(self) -> None: ...
        def _show_counts(self, counts: dict[str, int]) -> None: ...
        def on_focusShortcut_activated(self) -> None: ...
        def start_checklist(self) -> bool: ...

    # -- settings, theme, clipboard ----------------------------------------------------------
    def apply_settings(self) -> None:
        """(Re-)apply the settings the window depends on."""
        s = self._app_settings
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply(app, s.theme, s.font_size)
        hotkey = s.hotkey
        if hotkey:
            self.commands.summon.setShortcut(QKeySequence(hotkey))
        grabbed = self.global_hotkey.register(hotkey)
        problem = self.global_hotkey.problem
        if not grabbed and problem and QGuiApplication.platformName() not in HEADLESS:
            self.statusBar().showMessage(
                f"{hotkey} works only inside Agent Assist: {problem}", 10_000
            )
        watch = s.clipboard_watch
        self.ticket_bar.watch_clipboard(
            QGuiApplication.clipboard() if watch else None,
            s.ticket_pattern if watch else None,
        )
        self.tickets.focus.apply()

    def macro_context(self) -> MacroContext:
        state = self.ticket_bar.state
        return self.tickets.macro_context(  # the requester and subject of a tool's ticket
            MacroContext(
                agent_name=self._app_settings.agent_name,
                ticket_id=state.ticket if state else self.ticket_bar.ticket.text().strip(),
                today=dt.date.today(),
            )
        )

    # -- checklist ---------------------------------------------------------------------------
    def _run_unreadable(self, exc: Exception) -> None:
        self.statusBar().showMessage(str(exc), 15_000)

    # -- macros ------------------------------------------------------------------------------
    def open_macro(self, macro_id: str) -> None:
        self._tasks.run(partial(self._knowledge.macro, macro_id), self._show_macro)

    def _show_macro(self, item: Item) -> None:
        if self.pages.currentIndex() != MACRO_PAGE:
            self._return_page = self.pages.currentIndex()
        self.macro_form.show_macro(item, self.macro_context())
        self.pages.setCurrentIndex(MACRO_PAGE)
        self.macroShown.emit(item.id)

    # -- searches that end with nothing opened (app/search_trail.py) --------------------------
    def _follow_search(self, query: str, rows: Sequence[Suggestion]) -> None:
        self._log_abandoned(self._trail.shown(query, rows))

    def _end_search(self) -> None:
        self._log_abandoned(self._trail.end())

    def _log_abandoned(self, query: str | None) -> None:
        if query:
            self._tasks.run(partial(self._work.search_abandoned, query), _ignore)

    @Slot()
    def on_window_checklistShown(self) -> None:
        self._trail.opened(Kind.SOP)

    # -- slots of the palette ----------------------------------------------------------------
    @Slot()
    def on_reportGap_clicked(self) -> None:
        query = self.search.text().strip()
        if not query:
            return
        self._trail.reported()
        self._tasks.run(partial(self._work.report_no_match, query), _ignore)
        self.report_gap.setEnabled(False)
        self.statusBar().showMessage("Thanks: the gap is recorded for your leads", 8000)
        self.gapReported.emit(query)

    @Slot()
    def on_itemActions_checklistRequested(self) -> None:
        self.start_checklist()

    @Slot(str)
    def on_itemActions_macroRequested(self, macro_id: str) -> None:
        self.open_macro(macro_id)

    @Slot()
    def on_fillMacro_triggered(self) -> None:
        if self.pages.currentIndex() == CHECKLIST_PAGE:
            self.checklist.fill_reply()
        elif self._detail is not None and self._detail.item.kind is Kind.MACRO:
            self.open_macro(self._detail.item.id)

    @Slot(str, int)
    def on_itemActions_ackGiven(self, sop_id: str, version: int) -> None:
        def recorded(_: None) -> None:
            self.ackRecorded.emit(sop_id, version)
            self._load_detail(Kind.SOP, sop_id)
            self._search(self.search.text())

        self._tasks.run(partial(self._work.acknowledge, sop_id, version), recorded)

    @Slot(str)
    def on_checklist_macroRequested(self, macro_id: str) -> None:
        self.open_macro(macro_id)

    @Slot()
    def on_checklist_closed(self) -> None:
        self.pages.setCurrentIndex(SEARCH_PAGE)
        self.statusBar().showMessage("Checklist saved: Ctrl+Shift+C on its SOP resumes it", 8000)
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def on_macroForm_closed(self) -> None:
        self.pages.setCurrentIndex(self._return_page)
        if self._return_page == SEARCH_PAGE:
            self.search.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot(str)
    def on_macroForm_macroCopied(self, macro_id: str) -> None:
        self.statusBar().showMessage("Reply copied to the clipboard", 5000)

    @Slot(str, str)
    def on_notice_itemRequested(self, kind: str, item_id: str) -> None:
        self.pages.setCurrentIndex(SEARCH_PAGE)
        self._load_detail(Kind(kind), item_id)

    @Slot(object)
    def on_sync_syncFinished(self, report: SyncReportLike) -> None:
        if not report.changed:
            return
        self._tasks.run(
            partial(self._knowledge.titles, list(report.changed)), self.notice.show_changes
        )
        self._tasks.run(self._knowledge.prepare, _ignore)
        self._tasks.run(self._knowledge.counts, self._show_counts)
        self.refresh_in_place()

    def settings_dialog(self) -> SettingsDialog:
        """The Settings dialog, wired: saving re-applies settings, and a new hub or token
        reconnects the live sync at once."""
        credentials = self._credentials() if self._credentials is not None else None
        check = partial(sign_in, self._work.context, credentials=credentials)
        dialog = SettingsDialog(
            self._app_settings, credentials, self, tasks=self._tasks, sign_in=check
        )
        dialog.settingsSaved.connect(self.apply_settings)
        dialog.settingsSaved.connect(self.sync.settings_changed)
        dialog.signedIn.connect(self.on_settings_signedIn)
        return dialog

    @Slot()
    def on_settings_triggered(self) -> None:
        self.settings_dialog().exec()

    @Slot()
    def on_sync_signInRequested(self) -> None:
        dialog = self.settings_dialog()
        dialog.focus_sign_in()
        dialog.exec()

    @Slot(object)
    def on_settings_signedIn(self, done: SignIn) -> None:
        self.sync.settings_changed()
        self.statusBar().showMessage(sign_in_summary(done), 15_000)

    @Slot(bool)
    def on_onTop_toggled(self, on: bool) -> None:
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on)
        if self.isVisible() or on:
            self.show()

    @Slot()
    def on_toggleWindow_triggered(self) -> None:
        if self.isVisible() and self.isActiveWindow():
            self.hide()
        else:
            self.on_summon_triggered()

    @Slot()
    def on_summon_triggered(self) -> None:
        bring_up(self)
        query = query_from_text(QGuiApplication.clipboard().text())
        if query:  # a copied e-mail is searched whole, on one line
            self.search.setText(query)
        self.on_focusShortcut_activated()

    @Slot()
    def on_about_triggered(self) -> None:
        AboutDialog(self).exec()
