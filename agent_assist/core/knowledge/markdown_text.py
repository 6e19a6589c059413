"""Pack fields as Markdown text: shared by the desktop's detail pane (``ui/item_markdown.py``)
and the lead console's editor preview (``hub/preview.py``), so that a preview shows an item
exactly as agents will see it.

Pack fields are escaped so they show literally; pack bodies are Markdown already and are
not touched here.
"""

from __future__ import annotations

import re

from agent_assist.core.knowledge.models import Deadline, Macro

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def md_escape(text: str) -> str:
    """Pack text shown literally, whatever Markdown characters it holds."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def deadline_text(deadline: Deadline) -> str:
    unit = "business day" if deadline.business else "calendar day"
    unit += "" if deadline.days == 1 else "s"
    what = f"{deadline.days} {unit} from the day the request was received"
    return f"{deadline.label}: {what}" if deadline.label else f"Answer within {what}"


def macro_fields_markdown(macro: Macro) -> list[str]:
    """A macro's "Fields" section: each field with its label, name and rules (none if the
    macro has no fields)."""
    if not macro.fields:
        return []
    lines = ["## Fields", ""]
    for field in macro.fields:
        notes = ["required" if field.required else "optional"]
        if field.default:
            notes.append(f"default “{field.default}”")
        if field.choices:
            notes.append("one of: " + ", ".join(field.choices))
        label = field.label or field.name
        lines.append(f"- **{md_escape(label)}** `{field.name}` — {md_escape('; '.join(notes))}")
    return [*lines, ""]
