"""An item as one Markdown document for the detail pane (pure text, no Qt).

Pack fields are escaped so they show literally; pack bodies are Markdown already and are
included as written.  Links to other items use the ``agent-assist:`` scheme.
"""

from __future__ import annotations

from agent_assist.app.search import BADGE_LABELS, Detail, LinkedMacro
from agent_assist.core.knowledge.diffs import Change, StepChange
from agent_assist.core.knowledge.markdown_text import (
    deadline_text,
    macro_fields_markdown,
    md_escape,
)
from agent_assist.core.knowledge.models import Macro, Sop, Step
from agent_assist.ui.shortcuts import BY_NAME

ITEM_SCHEME = "agent-assist"
KIND_LABELS = {"sop": "SOP", "macro": "Macro"}
WELCOME_KEYS = (
    ("move", "↑ ↓", "choose a suggestion"),
    ("open", "", "open it"),
    ("back", "", "clear the search"),
    ("search", "", "back to the search field"),
    ("pin", "", "pin or unpin the SOP shown"),
    ("shortcuts", "", "every keyboard shortcut"),
)
"""The empty state's hints: (row of the shortcuts table, keys to show instead, what for)."""


def welcome_markdown() -> str:
    """The empty state: what to do, with the keys from the one table of shortcuts."""
    hints = [
        f"- **{shown or BY_NAME[name].keys_text.split(', ')[0]}** {what}"
        for name, shown, what in WELCOME_KEYS
    ]
    return "\n".join(
        [
            "## Find the right SOP",
            "",
            "Type what the customer says, in their words. Suggestions update as you type; "
            "while the search is empty, your pinned and recently used SOPs come first.",
            "",
            *hints,
            "",
        ]
    )


WELCOME = welcome_markdown()


def item_link(kind: str, item_id: str) -> str:
    return f"{ITEM_SCHEME}:{kind}/{item_id}"


def _macro_link(macro: LinkedMacro) -> str:
    if not macro.found:
        return f"{md_escape(macro.title)} *(missing)*"
    return f"[{md_escape(macro.title)}]({item_link('macro', macro.id)})"


def _steps_markdown(steps: tuple[Step, ...], macros: dict[str, LinkedMacro]) -> list[str]:
    numbers = {step.id: n for n, step in enumerate(steps, start=1)}
    lines = ["## Steps", ""]
    for n, step in enumerate(steps, start=1):
        optional = " *(optional)*" if not step.required else ""
        lines.append(f"{n}. {md_escape(step.text)}{optional}")
        for choice in step.choices:
            target = "finish" if choice.next == "end" else f"step {numbers.get(choice.next, '?')}"
            lines.append(f"    - {md_escape(choice.label)} → {target}")
        if step.macro and step.macro in macros:
            lines.append(f"    - Reply: {_macro_link(macros[step.macro])}")
    return [*lines, ""]


def detail_markdown(detail: Detail) -> str:
    """The whole pane as one Markdown document (pack bodies are Markdown already)."""
    item, content = detail.item, detail.item.content
    meta = [KIND_LABELS[item.kind.value], f"version {item.version}"]
    if item.updated_at:
        meta.append(f"updated {item.updated_at[:10]}")
    if content.tags:
        meta.append(", ".join(content.tags))
    if item.retired:
        meta.append("retired")
    lines = [f"# {md_escape(item.title)}", "", f"*{md_escape(' · '.join(meta))}*", ""]
    if detail.badges:
        lines += [" · ".join(f"**{BADGE_LABELS[b]}**" for b in detail.badges), ""]
    if detail.changes is not None:
        lines += changes_markdown(detail.changes, detail.last_used_version)
    if isinstance(content, Sop):
        if content.summary:
            lines += [md_escape(content.summary), ""]
        if content.deadline:
            lines += [f"**Deadline** — {md_escape(deadline_text(content.deadline))}", ""]
        macros = {m.id: m for m in detail.macros}
        if content.steps:
            lines += _steps_markdown(content.steps, macros)
        listed = [macros[m] for m in content.macros if m in macros]
        if listed:
            lines += ["## Replies", "", *(f"- {_macro_link(m)}" for m in listed), ""]
        if content.body.strip():
            lines += ["## Background", "", content.body.strip(), ""]
    else:
        lines += _macro_markdown(content)
    return "\n".join(lines)


CHANGE_MARKS = {Change.ADDED: "New", Change.REMOVED: "Removed", Change.CHANGED: "Changed"}


def changes_markdown(changes: tuple[StepChange, ...], since: int | None) -> list[str]:
    """The steps that differ from the version the agent last used."""
    lines = [f"## Changed since you last used version {since}", ""]
    changed = [c for c in changes if c.change is not Change.UNCHANGED]
    if not changed:
        return [*lines, "The steps are the same; only other text changed.", ""]
    for c in changed:
        lines.append(f"- **{CHANGE_MARKS[c.change]}:** {md_escape(c.text)}")
        lines += [f"    - {md_escape(d)}" for d in c.details]
    return [*lines, ""]


def _macro_markdown(macro: Macro) -> list[str]:
    return [*macro_fields_markdown(macro), "## Reply template", ""]
