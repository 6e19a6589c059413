"""The detail pane shows pack text literally where it is not Markdown, and never runs HTML."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from agent_assist.app.search import Detail, LinkedMacro
from agent_assist.core.knowledge.markdown_text import deadline_text
from agent_assist.core.knowledge.models import Deadline, Item, Macro, Sop
from agent_assist.ui.detail_view import DetailView

HOSTILE = "*Refund* [now](https://evil.example) <b>x</b> #1 `code` 1. done"


def item(content: Sop | Macro) -> Item:
    return Item(
        content, version=2, content_hash="h", pack="p", source_path="x.md", updated_at="2026-01-01"
    )


def test_fields_are_shown_literally_and_html_is_not_run(qtbot: QtBot) -> None:
    view = DetailView()
    qtbot.addWidget(view)
    sop = Sop(
        id="s",
        title=HOSTILE,
        summary=HOSTILE,
        macros=("gone",),
        body="Body with <script>alert(1)</script> and <img src='https://x/y.png'>",
    )
    view.show_detail(Detail(item(sop), (LinkedMacro("gone", "gone", found=False),)))
    text = view.toPlainText()
    assert text.splitlines()[0] == HOSTILE
    assert HOSTILE in text.splitlines()[2:]
    assert "<script>alert(1)</script>" in text  # raw HTML stays text
    assert "gone (missing)" in text
    assert "version 2" in text


def test_macro_template_keeps_its_lines(qtbot: QtBot) -> None:
    view = DetailView()
    qtbot.addWidget(view)
    macro = Macro(id="m", title="Reply", body="Hi {{name}},\nthanks.\n\nBest regards,\nSupport")
    view.show_detail(Detail(item(macro)))
    lines = view.toPlainText().splitlines()
    for line in ("Hi {{name}},", "thanks.", "Best regards,", "Support"):
        assert line in lines


def test_deadline_wording() -> None:
    assert deadline_text(Deadline(30, label="GDPR reply due")) == (
        "GDPR reply due: 30 calendar days from the day the request was received"
    )
    assert deadline_text(Deadline(1, business=True)) == (
        "Answer within 1 business day from the day the request was received"
    )
