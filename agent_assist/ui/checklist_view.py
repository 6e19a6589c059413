"""The checklist runner: one SOP's steps, the current one in front, every move saved.

All rules (what may be skipped, where a branch leads, what "back" undoes) live in
:class:`~agent_assist.core.worklog.checklist.ChecklistRun`; this widget only offers the moves the
run allows and hands a snapshot to the worker after each one (saved to disk, logged as events).
A step note is kept without card numbers, IBANs and national ids; once saved, the note field
shows what is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from agent_assist.app.work import WorkLog
from agent_assist.core.worklog.checklist import ChecklistError, ChecklistRun
from agent_assist.core.worklog.clock import Instant
from agent_assist.core.worklog.durations import format_seconds
from agent_assist.core.worklog.events import Outcome
from agent_assist.ui.fitting import ElidedButton, page_scroll
from agent_assist.ui.plain_text import no_mnemonic, plain_label, tooltip
from agent_assist.ui.shortcuts import key
from agent_assist.ui.steps_model import StepsModel
from agent_assist.ui.tasks import TaskManager
from agent_assist.ui.ticket_bar import OUTCOME_LABELS

NOTE_SAVE_MS = 600
NOTE_PLACEHOLDER = (
    "Note for this step (stays on this computer; card numbers, IBANs and national ids are removed)"
)


def snapshot(run: ChecklistRun) -> ChecklistRun:
    """A copy for the worker: the GUI thread keeps mutating the original."""
    return ChecklistRun.from_json(run.to_json())


def _button(
    text: str, name: str, shortcut: str = "", kind: type[QPushButton] = QPushButton
) -> QPushButton:
    button = kind(text)
    button.setAccessibleName(name)
    if shortcut:
        button.setShortcut(QKeySequence(shortcut))
        button.setToolTip(tooltip(f"{name} ({shortcut})"))
    else:
        button.setToolTip(tooltip(name))
    return button


class ChecklistView(QFrame):
    """Runs one checklist.

    Signals:
        runChanged(): the run moved (a step done, skipped, answered or undone).
        macroRequested(str): the agent wants to fill the macro offered at this step (id).
        runFinished(str): the run ended with this outcome.
        closed(): the agent left the checklist (it stays saved and resumable).
    """

    runChanged = Signal()
    macroRequested = Signal(str)
    runFinished = Signal(str)
    closed = Signal()

    def __init__(self, tasks: TaskManager, work: WorkLog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checklist")
        self._tasks, self._work = tasks, work
        self.run: ChecklistRun | None = None
        self._build()
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.on_tick_timeout)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_SAVE_MS)
        self._note_timer.timeout.connect(self.on_noteTimer_timeout)

    def _build(self) -> None:
        self.title = plain_label()
        self.title.setObjectName("stepTitle")
        self.title.setWordWrap(True)
        self.total = plain_label()
        self.total.setObjectName("muted")
        self.total.setAccessibleName("Time on this checklist")
        self.steps_model = StepsModel(self._work.clock, self)
        self.steps = QListView()
        self.steps.setObjectName("stepList")
        self.steps.setAccessibleName("Checklist steps")
        self.steps.setModel(self.steps_model)
        self.steps.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.steps.setWordWrap(True)
        self.step_text = plain_label()
        self.step_text.setObjectName("stepTitle")
        self.step_text.setWordWrap(True)
        self.step_text.setAccessibleName("Current step")
        self.step_meta = plain_label()
        self.step_meta.setObjectName("muted")
        self.choices = QVBoxLayout()
        self.choices.setSpacing(4)
        self.choice_buttons: list[QPushButton] = []
        self.done_button = _button("&Done", "Mark this step done")
        self.done_button.setToolTip("Mark this step done (Alt+D)")
        self.done_button.setProperty("primary", True)
        self.skip_reason = QLineEdit()
        self.skip_reason.setPlaceholderText("Reason to skip this optional step")
        self.skip_reason.setAccessibleName("Reason to skip")
        self.skip_button = _button("S&kip", "Skip this optional step")
        self.back_button = _button("&Back", "Undo the last step", "Ctrl+Z")
        self.macro_button = _button("Fill reply…", "Fill the reply macro of this step")
        self.macro_button.setToolTip(
            tooltip(f"Fill the reply macro of this step ({key('fill_macro')})")
        )
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(NOTE_PLACEHOLDER)
        self.note.setToolTip(tooltip(NOTE_PLACEHOLDER))
        self.note.setAccessibleName("Note for this step")
        self.note.setMaximumHeight(56)
        self.note.setTabChangesFocus(True)
        self.outcome = QComboBox()
        self.outcome.setAccessibleName("Checklist outcome")
        self.outcome.setToolTip("How the ticket ends")
        for outcome, label in OUTCOME_LABELS.items():
            self.outcome.addItem(label, outcome.value)
        self.finish_button = _button("&Finish", "Finish the checklist with this outcome")
        self.close_button = _button("Close", "Leave the checklist (it stays saved)")
        self.close_button.setToolTip("Leave the checklist; it stays saved (Esc)")
        self.message = plain_label()
        self.message.setObjectName("fieldProblem")
        self.message.setWordWrap(True)

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.total)
        skip_row = QHBoxLayout()
        skip_row.addWidget(self.skip_reason, 1)
        skip_row.addWidget(self.skip_button)
        moves = QHBoxLayout()
        moves.addWidget(self.back_button)
        moves.addWidget(self.macro_button)
        moves.addStretch(1)
        moves.addWidget(self.done_button)
        finish = QHBoxLayout()
        finish.addWidget(self.outcome, 1)
        finish.addWidget(self.finish_button)
        finish.addWidget(self.close_button)
        body = QWidget()
        body.setObjectName("pageBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(head)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.step_text)
        layout.addWidget(self.step_meta)
        layout.addLayout(self.choices)
        layout.addLayout(moves)
        layout.addLayout(skip_row)
        layout.addWidget(self.note)
        self.body_scroll = page_scroll(body)  # the finish row stays in view at any scale
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        outer.setSpacing(6)
        outer.addWidget(self.body_scroll, 1)
        outer.addWidget(self.message)
        outer.addLayout(finish)
        self.done_button.clicked.connect(self.on_done_clicked)
        self.skip_button.clicked.connect(self.on_skip_clicked)
        self.skip_reason.textChanged.connect(self.on_skipReason_textChanged)
        self.skip_reason.returnPressed.connect(self.on_skip_clicked)
        self.back_button.clicked.connect(self.on_back_clicked)
        self.macro_button.clicked.connect(self.on_macro_clicked)
        self.finish_button.clicked.connect(self.on_finish_clicked)
        self.close_button.clicked.connect(self.closed)
        self.note.textChanged.connect(self.on_note_textChanged)

    # -- public ----------------------------------------------------------------------------
    def show_run(self, run: ChecklistRun) -> None:
        self.run = run
        self.title.setText(run.sop.title)
        self._render()
        self._tick.start()

    def park(self) -> None:
        """Leave the run as it is (saved, resumable with :meth:`show_run`) and stop its clock
        display: the agent moved on to another ticket."""
        self._flush_note()
        self._tick.stop()

    def close_run(self) -> None:
        """Forget the run (finished, or discarded by the agent)."""
        self._note_timer.stop()
        self._tick.stop()
        self.run = None

    def fill_reply(self) -> bool:
        """Ask for the current step's reply macro (its button, Ctrl+Shift+R); False when the
        step has none."""
        step = self.run.current if self.run else None
        if step is None or not step.macro:
            return False
        self.macroRequested.emit(step.macro)
        return True

    def complete(self) -> None:
        self._move(lambda run: run.complete(self._work.clock), "")

    def choose(self, label: str) -> None:
        self._move(lambda run: run.choose(label, self._work.clock), "choice", label)

    def skip(self, reason: str) -> None:
        self._move(lambda run: run.skip(reason, self._work.clock), "skip", reason)

    def back(self) -> None:
        self._move(lambda run: run.back(self._work.clock), "")

    def finish(self, outcome: Outcome) -> None:
        run = self.run
        if run is None:
            return
        try:
            run.finish(outcome, self._work.clock)
        except ChecklistError as exc:
            self.message.setText(str(exc))
            return
        self._tick.stop()
        self._tasks.run(partial(self._work.checklist_finished, snapshot(run)), lambda _: None)
        self.runFinished.emit(outcome.value)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.closed.emit()
        else:
            super().keyPressEvent(event)

    # -- internals -------------------------------------------------------------------------
    def _move(self, move: Callable[[ChecklistRun], None], how: str, value: str = "") -> None:
        run = self.run
        if run is None or run.is_finished:
            return
        left = run.current.id if run.current else run.visits[-1].step_id
        self._flush_note()
        try:
            move(run)
        except ChecklistError as exc:
            self.message.setText(str(exc))
            return
        kwargs = {how: value} if how else {}
        self._tasks.run(
            partial(self._work.checklist_moved, snapshot(run), left, **kwargs), lambda _: None
        )
        self._render()
        self.runChanged.emit()

    def flush(self) -> None:
        """Save a note still waiting for its save timer (the window is closing)."""
        self._flush_note()

    def _flush_note(self) -> None:
        if self._note_timer.isActive():
            self._note_timer.stop()
            self._save_note()

    def _save_note(self) -> None:
        run = self.run
        if run is not None and run.current is not None and not run.is_finished:
            typed = self.note.toPlainText()
            run.set_note(typed)
            kept = run.notes.get(run.current.id, "")
            if typed.strip() and kept != typed:  # payment data or an id was taken out
                self._show_note(kept)
                self.message.setText("Card numbers, IBANs and national ids are not kept")
            self._tasks.run(partial(self._work.checklist_saved, snapshot(run)), lambda _: None)

    def _show_note(self, text: str) -> None:
        self.note.blockSignals(True)
        self.note.setPlainText(text)
        self.note.moveCursor(QTextCursor.MoveOperation.End)
        self.note.blockSignals(False)

    def _render(self) -> None:
        run = self.run
        if run is None:
            return
        self.message.clear()
        now = self._work.clock.now()  # one reading: the list and the header agree
        self.steps_model.set_run(run, now)
        row = self.steps_model.current_row()
        if row >= 0:
            self.steps.setCurrentIndex(self.steps_model.index(row))
            self.steps.scrollTo(self.steps_model.index(row))
        else:
            self.steps.clearSelection()
        step = run.current
        for button in self.choice_buttons:
            button.deleteLater()
        self.choice_buttons = []
        if step is None:
            self.step_text.setText("All steps done. Choose how the ticket ends and finish.")
            self.step_meta.setText("")
        else:
            number = run.index(step.id) + 1
            self.step_text.setText(f"{number}. {step.text}")
            kind = "Decision" if step.is_decision else ("Required" if step.required else "Optional")
            self.step_meta.setText(kind)
            for n, choice in enumerate(step.choices, start=1):
                button = _button(
                    f"&{n} {no_mnemonic(choice.label)}", f"Answer: {choice.label}", "", ElidedButton
                )
                button.setProperty("primary", n == 1)
                button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
                button.setStyleSheet("text-align: left; padding-left: 10px;")
                button.clicked.connect(partial(self.choose, choice.label))
                self.choices.addWidget(button)
                self.choice_buttons.append(button)
        on_step = step is not None
        self.done_button.setVisible(on_step and not step.is_decision if step else False)
        optional = bool(step and not step.required and not step.is_decision)
        self.skip_reason.setVisible(optional)
        self.skip_button.setVisible(optional)
        self.skip_button.setEnabled(bool(self.skip_reason.text().strip()))
        self.macro_button.setVisible(bool(step and step.macro))
        self.back_button.setEnabled(len(run.visits) > 1 or step is None)
        self.note.setEnabled(on_step)
        self._show_note(run.notes.get(step.id, "") if step else "")
        if step is None:
            self.outcome.setCurrentIndex(0)
            self.finish_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.choice_buttons:
            self.choice_buttons[0].setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.done_button.isVisible():
            self.done_button.setFocus(Qt.FocusReason.OtherFocusReason)
        QTimer.singleShot(0, self, self._reveal_step)  # once the new answers are laid out
        self._show_times(now)

    def _reveal_step(self) -> None:
        """In a window too short for the whole page, scroll to the current step: its text,
        and its first answer (or Done) below, which wins where both do not fit."""
        self.body_scroll.settle()  # the new answers' places
        self.body_scroll.ensureWidgetVisible(self.step_text, 0, 4)
        first = self.choice_buttons[0] if self.choice_buttons else self.done_button
        if first.isVisible():
            self.body_scroll.ensureWidgetVisible(first, 0, 4)

    def _show_times(self, now: Instant | None = None) -> None:
        """The header: time on the checklist and on the current step, by the one clock."""
        run = self.run
        if run is None:
            return
        now = now or self._work.clock.now()
        total = format_seconds(run.total_seconds(now))
        step = run.current
        mine = f" · this step {format_seconds(run.step_seconds(step.id, now))}" if step else ""
        self.total.setText(f"{total}{mine}")

    # -- slots -----------------------------------------------------------------------------
    @Slot()
    def on_tick_timeout(self) -> None:
        self._show_times()

    @Slot()
    def on_done_clicked(self) -> None:
        self.complete()

    @Slot()
    def on_skip_clicked(self) -> None:
        if self.skip_reason.text().strip():
            reason = self.skip_reason.text()
            self.skip_reason.clear()
            self.skip(reason)

    @Slot(str)
    def on_skipReason_textChanged(self, text: str) -> None:
        self.skip_button.setEnabled(bool(text.strip()))

    @Slot()
    def on_back_clicked(self) -> None:
        self.back()

    @Slot()
    def on_macro_clicked(self) -> None:
        self.fill_reply()

    @Slot()
    def on_finish_clicked(self) -> None:
        self.finish(Outcome(self.outcome.currentData()))

    @Slot()
    def on_note_textChanged(self) -> None:
        self._note_timer.start()

    @Slot()
    def on_noteTimer_timeout(self) -> None:
        self._save_note()
