"""Pack fields as Markdown: the one text the desktop's pane and the console's preview share."""

from __future__ import annotations

from agent_assist.core.knowledge.markdown_text import macro_fields_markdown, md_escape
from agent_assist.core.knowledge.models import Macro, MacroField


def test_pack_text_shows_literally() -> None:
    assert md_escape("Refund *now*  [x](y)\n# 1.") == r"Refund \*now\* \[x\]\(y\) \# 1\."


def test_macro_fields_are_listed_with_their_rules() -> None:
    macro = Macro(
        "refund-reply",
        "Refund reply",
        fields=(
            MacroField("amount", "Amount", default="10 €"),
            MacroField("channel", required=False, choices=("mail", "phone")),
        ),
        body="Hello {{ customer.first_name }}",
    )
    fields = macro_fields_markdown(macro)
    assert fields == [
        "## Fields",
        "",
        "- **Amount** `amount` — required; default “10 €”",
        "- **channel** `channel` — optional; one of: mail, phone",
        "",
    ]
    assert macro_fields_markdown(Macro("x", "No fields")) == []
