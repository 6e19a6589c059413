"""The macro filler: a form for the macro's placeholders, a live preview, copy on Ctrl+Enter.

What is required, what the defaults are and how the reply is filled is decided by
:mod:`agent_assist.core.knowledge.macros`; a reply with a required field still empty cannot be
copied.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from agent_assist.app.work import WorkLog
from agent_assist.core.knowledge import macros
from agent_assist.core.knowledge.macros import FieldSpec, MacroContext
from agent_assist.core.knowledge.models import Item, Macro
from agent_assist.ui.fitting import page_scroll
from agent_assist.ui.plain_text import plain_label, tooltip
from agent_assist.ui.tasks import TaskManager

COPY_KEYS = ("Ctrl+Return", "Ctrl+Enter")


class MacroForm(QFrame):
    """Fill and copy one macro.

    Signals:
        macroCopied(str): the filled reply of this macro (id) is on the clipboard.
        closed(): the agent left the form.
    """

    macroCopied = Signal(str)
    closed = Signal()

    def __init__(self, tasks: TaskManager, work: WorkLog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("macroForm")
        self._tasks, self._work = tasks, work
        self.macro: Macro | None = None
        self.specs: list[FieldSpec] = []
        self.editors: dict[str, QLineEdit | QComboBox] = {}
        self._touched: set[str] = set()
        self.title = plain_label()
        self.title.setObjectName("stepTitle")
        self.title.setWordWrap(True)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setObjectName("preview")
        self.preview.setAccessibleName("Reply preview")
        self.problem = plain_label()
        self.problem.setObjectName("fieldProblem")
        self.problem.setWordWrap(True)
        self.copy_button = QPushButton("Copy reply")
        self.copy_button.setProperty("primary", True)
        self.copy_button.setAccessibleName("Copy the filled reply")
        self.copy_button.setToolTip("Copy the filled reply to the clipboard (Ctrl+Enter)")
        self.back_button = QPushButton("Back")
        self.back_button.setAccessibleName("Leave the reply form")
        self.back_button.setToolTip("Leave the reply form (Esc)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        self.button_row = buttons  # others add theirs before Copy (ui/send_to_ticket.py)
        body = QWidget()
        body.setObjectName("pageBody")
        fields = QVBoxLayout(body)
        fields.setContentsMargins(0, 0, 0, 0)
        fields.setSpacing(6)
        fields.addWidget(self.title)
        fields.addWidget(self.form_host)
        preview_label = QLabel("Preview")
        preview_label.setObjectName("muted")
        fields.addWidget(preview_label)
        fields.addWidget(self.preview, 1)
        self.body_scroll = page_scroll(body)  # Copy and Back stay in view at any scale
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.body_scroll, 1)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.copy_button.clicked.connect(self.on_copy_clicked)
        self.back_button.clicked.connect(self.closed)
        for keys in COPY_KEYS:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.on_copy_clicked)

    # -- public ----------------------------------------------------------------------------
    def show_macro(self, item: Item, context: MacroContext) -> None:
        assert isinstance(item.content, Macro)
        self.macro = item.content
        self.title.setText(item.title)
        self.specs = macros.fields(self.macro, context)
        self._touched = set()
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors = {}
        for spec in self.specs:
            editor = self._editor(spec)
            self.editors[spec.name] = editor
            label = f"{spec.label}{' *' if spec.required else ''}"
            self.form.addRow(plain_label(label), editor)
        self._update()
        first_empty = next((e for n, e in self.editors.items() if not self._value(n)), None)
        target = first_empty or self.copy_button
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def values(self) -> dict[str, str]:
        return {name: self._value(name) for name in self.editors}

    def set_value(self, name: str, value: str) -> None:
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findText(value)))
        else:
            editor.setText(value)

    def problems(self) -> dict[str, str]:
        return macros.problems(self.specs, self.values())

    def copy(self) -> bool:
        """Copy the reply if it is complete; otherwise point at what is missing."""
        if self.macro is None:
            return False
        wrong = self.problems()
        if wrong:
            self._touched = set(self.editors)
            self._update()
            self.editors[next(iter(wrong))].setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        text = macros.render(self.macro, self.specs, self.values())
        QGuiApplication.clipboard().setText(text)
        macro_id = self.macro.id
        self._tasks.run(partial(self._work.macro_copied, macro_id), lambda _: None)
        self.problem.setText("Copied. Paste it into the ticket.")
        self.macroCopied.emit(macro_id)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.closed.emit()
        else:
            super().keyPressEvent(event)

    # -- internals -------------------------------------------------------------------------
    def _editor(self, spec: FieldSpec) -> QLineEdit | QComboBox:
        if spec.choices:
            combo = QComboBox()
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
            if not spec.default:
                combo.addItem("")
            combo.addItems(list(spec.choices))
            combo.setCurrentIndex(max(0, combo.findText(spec.default)))
            combo.setAccessibleName(spec.label)
            combo.currentTextChanged.connect(partial(self.on_editor_changed, spec.name))
            return combo
        edit = QLineEdit(spec.default)
        edit.setAccessibleName(spec.label)
        edit.setPlaceholderText("required" if spec.required else "optional")
        edit.textEdited.connect(partial(self.on_editor_changed, spec.name))
        return edit

    def _value(self, name: str) -> str:
        editor = self.editors[name]
        return editor.currentText() if isinstance(editor, QComboBox) else editor.text()

    def _update(self) -> None:
        if self.macro is None:
            return
        self.preview.setPlainText(macros.preview(self.macro, self.specs, self.values()))
        wrong = self.problems()
        for name, editor in self.editors.items():
            invalid = name in wrong and name in self._touched
            if editor.property("invalid") != invalid:
                editor.setProperty("invalid", invalid)
                editor.style().unpolish(editor)
                editor.style().polish(editor)
            editor.setToolTip(tooltip(wrong.get(name, "")))
        shown = [wrong[n] for n in wrong if n in self._touched]
        self.problem.setText("; ".join(shown))
        self.copy_button.setEnabled(not wrong)

    # -- slots -----------------------------------------------------------------------------
    def on_editor_changed(self, name: str, _text: str) -> None:
        self._touched.add(name)
        self._update()

    @Slot()
    def on_copy_clicked(self) -> None:
        self.copy()
