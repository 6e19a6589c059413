"""The main window: a compact side panel with the ticket bar, search, results and the
selected item, which turns into the checklist runner or the macro filler when asked.

The window never touches the knowledge cache or the event log itself: every question goes
through the :class:`~agent_assist.ui.tasks.TaskManager`, which runs it on the serialized worker
and hands the answer back here on the main thread.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QByteArray, QModelIndex, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QListView,
    QMainWindow,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from agent_assist.app.search import Detail, ResultRow, Search
from agent_assist.app.search_trail import SearchTrail
from agent_assist.app.semantic import SemanticSearch
from agent_assist.app.sync import TokenStore
from agent_assist.app.tickets import TicketDesk
from agent_assist.app.work import WorkLog
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.settings import Settings
from agent_assist.ui.checklist_view import ChecklistView
from agent_assist.ui.degraded_banner import DegradedBanner
from agent_assist.ui.detail_view import DetailView
from agent_assist.ui.fitting import CurrentPageStack, ElidedLabel, StatusLine, page_scroll
from agent_assist.ui.global_hotkey import GlobalHotkey
from agent_assist.ui.item_actions import ItemActions
from agent_assist.ui.macro_form import MacroForm
from agent_assist.ui.palette_flows import (
    SEARCH_PAGE,
    PaletteFlows,
    _ignore,
)
from agent_assist.ui.placement import fit_on_screen
from agent_assist.ui.plain_text import plain_label
from agent_assist.ui.results_delegate import ResultDelegate
from agent_assist.ui.results_model import ResultsModel
from agent_assist.ui.search_field import SearchField
from agent_assist.ui.semantic_refiner import SemanticRefiner
from agent_assist.ui.shortcuts import key
from agent_assist.ui.shortcuts_dialog import show_cheat_sheet
from agent_assist.ui.sync_status import LiveSyncLike, SyncController, SyncStatus
from agent_assist.ui.tasks import TaskManager
from agent_assist.ui.ticket_bar import TicketBar
from agent_assist.ui.ticket_flows import TicketFlows
from agent_assist.ui.tickets_flows import TicketsPanel
from agent_assist.ui.tray import make_tray
from agent_assist.ui.updates_notice import UpdatesNotice
from agent_assist.ui.window_actions import build_actions, tab_in_reading_order

DEFAULT_SIZE = (420, 720)
PROGRESS_DELAY_MS = 500
PREPARING = "Preparing suggestions…"
NO_CONFIDENT_MATCH = "No confident match"


def counts_text(counts: dict[str, int]) -> str:
    sops, macros = counts.get("sop", 0), counts.get("macro", 0)
    return f"{sops} SOP{'' if sops == 1 else 's'} · {macros} macro{'' if macros == 1 else 's'}"


class MainWindow(TicketFlows, PaletteFlows, QMainWindow):
    """Search as you type; the selected suggestion is shown below the list.

    Signals:
        resultsChanged(): the list now shows the answer to the latest query.
        itemShown(str, str): the detail pane now shows this item (kind, id).
        itemOpened(str, str): the agent opened this item (kind, id) with Enter or a
            double click.
        checklistShown(): the checklist runner shows a run (new or resumed).
        macroShown(str): the macro filler shows this macro (id).
        gapReported(str): the agent reported that nothing fits this query.
        ackRecorded(str, int): an acknowledgement of this SOP version was logged.
        pinChanged(str, bool): this SOP (id) is now pinned (True) or not (False).
    """

    resultsChanged = Signal()
    itemShown = Signal(str, str)
    itemOpened = Signal(str, str)
    checklistShown = Signal()
    macroShown = Signal(str)
    gapReported = Signal(str)
    ackRecorded = Signal(str, int)
    pinChanged = Signal(str, bool)

    def __init__(
        self,
        knowledge: Search,
        tasks: TaskManager,
        settings: QSettings,
        icons: dict[Kind, QIcon],
        work: WorkLog,
        app_settings: Settings,
        live_sync: LiveSyncLike | None = None,
        credentials: Callable[[], TokenStore] | None = None,
        semantic: SemanticSearch | None = None,
        tickets: Callable[[], TicketDesk] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._knowledge, self._tasks, self._settings = knowledge, tasks, settings
        self._work, self._app_settings, self._credentials = work, app_settings, credentials
        self._detail: Detail | None = None
        self._return_page = SEARCH_PAGE
        self._trail = SearchTrail()
        self.setWindowTitle("Agent Assist")
        self.commands = build_actions(self, app_settings.hotkey)
        self.global_hotkey = GlobalHotkey(self)
        self.ticket_bar = TicketBar(tasks, work)
        self.notice = UpdatesNotice()
        self.banner = DegradedBanner(tasks)
        self.search = SearchField()
        self.no_match = plain_label(NO_CONFIDENT_MATCH)
        self.no_match.setObjectName("noConfidentMatch")
        self.no_match.setWordWrap(True)
        self.no_match.hide()
        self.report_gap = QPushButton("Report gap")
        self.report_gap.setAccessibleName("Report that nothing fits this search")
        self.report_gap.setToolTip("Tell your leads nothing fits this search (Ctrl+Shift+G)")
        self.report_gap.hide()
        self.model = ResultsModel(icons, self)
        self.results = QListView()
        self.results.setObjectName("results")
        self.results.setModel(self.model)
        self.results.setItemDelegate(ResultDelegate(self.results))
        self.results.setUniformItemSizes(True)
        self.results.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.results.setAccessibleName("Suggestions")
        self.detail = DetailView()
        self.detail.setAccessibleName("Selected item")
        self.item_actions = ItemActions()
        self.checklist = ChecklistView(tasks, work)
        self.macro_form = MacroForm(tasks, work)
        self.counts = ElidedLabel()
        self.counts.setObjectName("counts")
        self.sync_status = SyncStatus()
        self.sync = SyncController(self.sync_status, live_sync, self)
        self.search.setAccessibleName("Search SOPs and macros")
        self.search.setToolTip("Describe the customer's problem (Ctrl+K)")
        self._build_layout()
        self._connect()
        self.tickets = TicketsPanel(self, tickets or (lambda: work.context.tickets))
        self.on_window_widgetsAdded()
        self._restore_geometry()
        self.tray = make_tray(
            self.windowIcon(),
            self.commands.toggle_window,
            self.commands.pause_ticket,
            self.commands.sync_now,
            self.commands.quit,
            self,
        )
        self.global_hotkey.activated.connect(self.on_summon_triggered)
        self.apply_settings()
        self.search.setFocus()
        self._tasks.run(self._knowledge.counts, self._show_counts)
        self._search("")
        self._prepare()
        self.refiner = (  # the second, semantic stage (ui/semantic_refiner.py)
            SemanticRefiner(semantic, tasks, self.search, self.model, self.results, self)
            if semantic is not None
            else None
        )
        self._tasks.run(self._work.resume_run, self._resume_run, self._run_unreadable)
        self.sync.start(bool(app_settings.hub_url))

    def _build_layout(self) -> None:
        item = QWidget()
        item_layout = QVBoxLayout(item)
        item_layout.setContentsMargins(0, 0, 0, 0)
        item_layout.setSpacing(6)
        item_layout.addWidget(self.item_actions)
        item_layout.addWidget(self.detail, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("splitter")
        self.splitter.setChildrenCollapsible(False)
        self.results.setMinimumHeight(56)  # small minimums: the page fits a short screen
        self.detail.setMinimumHeight(48)
        self.splitter.addWidget(self.results)
        self.splitter.addWidget(item)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.pages = CurrentPageStack()
        for page in (self.splitter, self.checklist, self.macro_form):
            self.pages.addWidget(page)
        gap_row = QHBoxLayout()
        gap_row.setSpacing(6)
        gap_row.addWidget(self.no_match, 1)
        gap_row.addWidget(self.report_gap, 0, Qt.AlignmentFlag.AlignTop)
        central = QWidget()
        central.setObjectName("central")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 8, 12, 6)
        layout.setSpacing(8)
        layout.addWidget(self.banner)
        layout.addWidget(self.ticket_bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.search)
        layout.addLayout(gap_row)
        layout.addWidget(self.pages, 1)
        self.central_scroll = page_scroll(central)  # scrolls only on a very short screen
        self.setCentralWidget(self.central_scroll)
        self.setStatusBar(StatusLine())
        self.sync_status.setMinimumWidth(1)  # gives way to the counts, never overlaps them
        self.statusBar().addWidget(self.sync_status, 1)
        self.statusBar().addPermanentWidget(self.counts)
        self.statusBar().setSizeGripEnabled(False)

    def _connect(self) -> None:
        self.search.textChanged.connect(self.on_search_textChanged)
        self.search.arrowPressed.connect(self.on_search_arrowPressed)
        self.search.returnPressed.connect(self.on_search_returnPressed)
        self.results.selectionModel().currentChanged.connect(self.on_selection_currentChanged)
        self.results.activated.connect(self.on_results_activated)
        self.detail.itemLinkClicked.connect(self.on_detail_itemLinkClicked)
        self._tasks.taskFailed.connect(self.on_tasks_taskFailed)
        self.back_shortcut = QShortcut(QKeySequence(key("back")), self.splitter)
        self.back_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.back_shortcut.activated.connect(self.on_focusShortcut_activated)
        self.checklistShown.connect(self.on_window_widgetsAdded)
        self.checklistShown.connect(self.on_window_itemUsed)
        self.checklistShown.connect(self.on_window_checklistShown)
        self.checklist.runChanged.connect(self.on_window_widgetsAdded)
        self.macroShown.connect(self.on_window_widgetsAdded)
        self.macro_form.macroCopied.connect(self.on_window_itemUsed)
        self.report_gap.clicked.connect(self.on_reportGap_clicked)
        self.banner.cacheRebuilt.connect(self.on_banner_cacheRebuilt)
        self.item_actions.checklistRequested.connect(self.on_itemActions_checklistRequested)
        self.item_actions.macroRequested.connect(self.on_itemActions_macroRequested)
        self.item_actions.ackGiven.connect(self.on_itemActions_ackGiven)
        self.checklist.macroRequested.connect(self.on_checklist_macroRequested)
        self.checklist.runFinished.connect(self.on_checklist_runFinished)
        self.checklist.closed.connect(self.on_checklist_closed)
        self.ticket_bar.ticketChanged.connect(self.on_ticketBar_ticketChanged)
        self.ticket_bar.next_flow = self.next_ticket  # parks or closes the checklist first
        self.macro_form.closed.connect(self.on_macroForm_closed)
        self.macro_form.macroCopied.connect(self.on_macroForm_macroCopied)
        self.notice.itemRequested.connect(self.on_notice_itemRequested)
        self.sync.syncFinished.connect(self.on_sync_syncFinished)
        self.sync.signInRequested.connect(self.on_sync_signInRequested)
        a = self.commands
        a.search.triggered.connect(self.on_focusShortcut_activated)
        a.start_checklist.triggered.connect(self.on_itemActions_checklistRequested)
        a.fill_macro.triggered.connect(self.on_fillMacro_triggered)
        a.report_gap.triggered.connect(self.on_reportGap_clicked)
        a.start_ticket.triggered.connect(self.ticket_bar.start_ticket)
        a.pause_ticket.triggered.connect(self.ticket_bar.toggle_pause)
        a.next_ticket.triggered.connect(self.ticket_bar.next_ticket)
        a.sync_now.triggered.connect(self.sync.sync_now)
        a.settings.triggered.connect(self.on_settings_triggered)
        a.on_top.toggled.connect(self.on_onTop_toggled)
        a.toggle_window.triggered.connect(self.on_toggleWindow_triggered)
        a.summon.triggered.connect(self.on_summon_triggered)
        a.about.triggered.connect(self.on_about_triggered)
        a.shortcuts.triggered.connect(self.on_shortcuts_triggered)
        a.pin.triggered.connect(self.on_pin_triggered)
        a.choose_outcome.triggered.connect(self.ticket_bar.choose_outcome)
        a.quit.triggered.connect(QApplication.quit)

    # -- window state ------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self._settings.value("window/geometry")
        restored = isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)
        fit_on_screen(self, DEFAULT_SIZE, restored)  # by default at the right edge
        if self._settings.value("window/on_top", False, bool):
            self.commands.on_top.setChecked(True)
        splitter = self._settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing is quitting (Quit, SIGTERM, the window's close button): save the agent's
        place and stop the clock; the worker finishes both before the app exits."""
        self.checklist.flush()
        self.sync.stop()
        self._end_search()
        self._tasks.run(self._work.pause_all, _ignore)
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/splitter", self.splitter.saveState())
        self._settings.setValue("window/on_top", self.commands.on_top.isChecked())
        self._settings.sync()
        super().closeEvent(event)

    # -- public ------------------------------------------------------------------------------
    def set_query(self, text: str) -> None:
        self.search.setText(text)

    def current_row(self) -> ResultRow | None:
        return self.model.row_at(self.results.currentIndex())

    # -- searching ---------------------------------------------------------------------------
    def _prepare(self) -> None:
        """Warm the suggester up on the worker; say so only if it takes a noticeable time."""
        self._preparing = QTimer(self)
        self._preparing.setSingleShot(True)
        self._preparing.setInterval(PROGRESS_DELAY_MS)
        self._preparing.timeout.connect(self.on_preparing_timeout)
        self._preparing.start()
        self._tasks.run(self._knowledge.prepare, self._prepared)

    def _prepared(self, _: None) -> None:
        self._preparing.stop()
        if self.statusBar().currentMessage() == PREPARING:
            self.statusBar().clearMessage()

    def _search(self, query: str) -> None:
        self._tasks.run(
            partial(self._knowledge.rows, query), partial(self._show_rows, query), key="search"
        )

    def _show_rows(self, query: str, rows: list[ResultRow]) -> None:
        self.model.set_rows(rows)
        self._follow_search(query, rows)
        searching = bool(query.strip())
        confident = any(r.confident for r in rows)
        self.no_match.setVisible(searching and not confident)
        self.report_gap.setVisible(searching and not confident)
        self.report_gap.setEnabled(True)
        self.no_match.setText(
            f"{NO_CONFIDENT_MATCH}: the closest items are marked weak. Try other words."
            if rows
            else f"{NO_CONFIDENT_MATCH}: nothing matches. Try other words."
        )
        if searching and rows:
            self.results.setCurrentIndex(self.model.index(0))
        self.resultsChanged.emit()

    def refresh_in_place(self) -> None:
        """Show synced knowledge without losing the agent's place: the same query, the same
        row selected, the same item in the detail pane (read again)."""
        row = self.current_row()
        keep = (row.kind, row.id) if row is not None else None
        shown = (self._detail.item.kind, self._detail.item.id) if self._detail else None
        query = self.search.text()

        def show(rows: list[ResultRow]) -> None:
            self._show_rows(query, rows)
            at = next((i for i, r in enumerate(rows) if (r.kind, r.id) == keep), None)
            if at is not None:
                self.results.setCurrentIndex(self.model.index(at))  # reloads its detail
            now = self.current_row()
            if shown is not None and (now is None or (now.kind, now.id) != shown):
                detail = partial(self._knowledge.detail, *shown)
                self._tasks.run(detail, self._show_detail, _ignore, key="detail")

        self._tasks.run(partial(self._knowledge.rows, query), show, key="search")

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.counts.setText(counts_text(counts))

    # -- details -----------------------------------------------------------------------------
    def _load_detail(self, kind: Kind, item_id: str) -> None:
        self._tasks.run(
            partial(self._knowledge.detail, kind, item_id), self._show_detail, key="detail"
        )

    def _show_detail(self, detail: Detail) -> None:
        self._detail = detail
        self.detail.show_detail(detail)
        self.item_actions.show_detail(detail)
        self.itemShown.emit(detail.item.kind.value, detail.item.id)

    def _open(self, index: QModelIndex) -> None:
        row = self.model.row_at(index)
        if row is None:
            return
        if self.results.currentIndex() != index:
            self.results.setCurrentIndex(index)  # loads the detail
        query = self.search.text()
        self._trail.opened(row.kind)
        self._tasks.run(partial(self._knowledge.record_choice, query, row.kind, row.id), _ignore)
        self.itemOpened.emit(row.kind.value, row.id)
        if row.kind is Kind.MACRO:
            self.open_macro(row.id)
        else:  # open it to read: the keys now scroll the SOP, Tab walks its links and buttons
            self.detail.setFocus(Qt.FocusReason.OtherFocusReason)
            self.statusBar().showMessage(
                f"{key('start_checklist')} starts its checklist · {key('back')} goes back "
                "to the search",
                8000,
            )

    # -- slots -------------------------------------------------------------------------------
    @Slot()
    def on_preparing_timeout(self) -> None:
        self.statusBar().showMessage(PREPARING)

    @Slot(str)
    def on_search_textChanged(self, text: str) -> None:
        if self.pages.currentIndex() != SEARCH_PAGE:
            self.pages.setCurrentIndex(SEARCH_PAGE)
        self._search(text)

    @Slot(int)
    def on_search_arrowPressed(self, delta: int) -> None:
        count = self.model.rowCount()
        if not count:
            return
        current = self.results.currentIndex()
        start = current.row() if current.isValid() else (-1 if delta > 0 else count)
        self.results.setCurrentIndex(self.model.index(max(0, min(count - 1, start + delta))))

    @Slot()
    def on_search_returnPressed(self) -> None:
        current = self.results.currentIndex()
        self._open(current if current.isValid() else self.model.index(0))

    @Slot(QModelIndex)
    def on_results_activated(self, index: QModelIndex) -> None:
        self._open(index)

    @Slot(QModelIndex, QModelIndex)
    def on_selection_currentChanged(self, current: QModelIndex, previous: QModelIndex) -> None:
        row = self.model.row_at(current)
        if row is not None:
            self._load_detail(row.kind, row.id)

    @Slot(str, str)
    def on_detail_itemLinkClicked(self, kind: str, item_id: str) -> None:
        self._load_detail(Kind(kind), item_id)

    @Slot()
    def on_banner_cacheRebuilt(self) -> None:
        """Search starts over on the rebuilt knowledge cache."""
        self._prepare()
        self._tasks.run(self._knowledge.counts, self._show_counts)
        self._search(self.search.text())

    @Slot(str)
    def on_tasks_taskFailed(self, message: str) -> None:
        self.statusBar().showMessage(message, 15_000)

    @Slot()
    def on_focusShortcut_activated(self) -> None:
        self.pages.setCurrentIndex(SEARCH_PAGE)
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    @Slot()
    def on_window_widgetsAdded(self) -> None:
        """Widgets came (a checklist's answers, a macro's fields): Tab in reading order again."""
        tab_in_reading_order(self.centralWidget() or self)

    @Slot()
    def on_window_itemUsed(self) -> None:
        """A SOP or macro was used: an empty search now lists it among the recent ones."""
        if not self.search.text().strip():
            self._search("")

    @Slot()
    def on_shortcuts_triggered(self) -> None:
        show_cheat_sheet(self, self._app_settings.hotkey)

    @Slot()
    def on_pin_triggered(self) -> None:
        detail = self._detail
        if detail is None or detail.item.kind is not Kind.SOP:
            self.statusBar().showMessage("Select a SOP to pin it", 5000)
            return
        item = detail.item
        self._tasks.run(
            partial(self._knowledge.toggle_pin, item.id),
            partial(self._pin_changed, item.id, item.title),
        )

    def _pin_changed(self, sop_id: str, title: str, pinned: bool) -> None:
        verb = "Pinned" if pinned else "Unpinned"
        self.statusBar().showMessage(f"{verb} “{title}”", 5000)
        self.refresh_in_place()  # the list's pins and the detail's badge, the agent's place kept
        self.pinChanged.emit(sop_id, pinned)
