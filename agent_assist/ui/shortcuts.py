"""The one table of keyboard shortcuts.

The menus (:mod:`~agent_assist.ui.window_actions`), the cheat sheet (Help → Keyboard
shortcuts, F1), the hints of the empty state and the README's "Keyboard" table are all made
from :data:`SHORTCUTS`; ``tests/gui/test_keyboard.py`` checks the README, the menus and the
keys the widgets really have against it.  Plain data, no Qt: keys are written as Qt's portable
text (``"Ctrl+Shift+C"``), which ``QKeySequence`` turns into each platform's own (⌘ on macOS).
"""

from __future__ import annotations

from dataclasses import dataclass

ANYWHERE, SEARCH, ITEM, CHECKLIST, TICKET, APP = (
    "Anywhere",
    "Search",
    "SOPs and replies",
    "Checklist",
    "Ticket",
    "App",
)


@dataclass(frozen=True)
class Shortcut:
    """One line of the table."""

    name: str
    """The action's attribute in ``Actions`` when ``menu`` is set; otherwise only an id."""
    keys: tuple[str, ...]
    """Portable key sequences, the one to show in menus first."""
    text: str
    """What the keys do, for the cheat sheet and the README (lower case, no full stop)."""
    group: str
    menu: str = ""
    """The menu holding the action ("" for keys of one view, handled by its widgets)."""
    label: str = ""
    """The menu entry, with its mnemonic."""
    tip: str = ""
    """Tooltip and status tip when ``text`` is too long for one (default: ``text``)."""
    shown: str = ""
    """How the keys are written when listing each one is clumsy (a range of digits)."""

    @property
    def keys_text(self) -> str:
        return self.shown or ", ".join(self.keys)

    @property
    def sentence(self) -> str:
        """``text`` as a sentence (the cheat sheet's second column)."""
        return self.text[:1].upper() + self.text[1:]

    @property
    def tip_text(self) -> str:
        tip = self.tip or self.text
        return tip[:1].upper() + tip[1:]


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut(
        "summon",
        ("Ctrl+Shift+Space",),
        "from any application: bring up the panel with the copied text in the search field "
        "(system-wide on Windows, macOS and X11; on Wayland, while the panel has focus; "
        "change it in Settings)",
        ANYWHERE,
        "View",
        "S&ummon with clipboard",
        tip="bring up the panel with the copied text in the search field",
    ),
    Shortcut(
        "search", ("Ctrl+K", "Ctrl+L"), "back to the search field", ANYWHERE, "App", "&Search"
    ),
    Shortcut(
        "shortcuts",
        ("F1",),
        "this list of keyboard shortcuts",
        ANYWHERE,
        "Help",
        "&Keyboard shortcuts",
        tip="show every keyboard shortcut",
    ),
    Shortcut(
        "move",
        ("Up", "Down", "PgUp", "PgDown"),
        "move through the suggestions",
        SEARCH,
        shown="Up / Down, Page Up / Page Down",
    ),
    Shortcut(
        "open",
        ("Return", "Enter"),
        "open the selected suggestion: a SOP in the pane below (Esc comes back), "
        "a macro in the reply form",
        SEARCH,
        shown="Enter",
    ),
    Shortcut(
        "back",
        ("Esc",),
        "back: leave the open SOP, the checklist, the reply form or the ticket list; in the "
        "search field, clear it",
        SEARCH,
    ),
    Shortcut(
        "pin",
        ("Ctrl+Shift+P",),
        "pin or unpin the SOP shown: while the search is empty, pinned and recently used "
        "SOPs head the list",
        SEARCH,
        "Item",
        "&Pin or unpin SOP",
        tip="pin or unpin the SOP shown (pinned SOPs head the list while the search is empty)",
    ),
    Shortcut(
        "start_checklist",
        ("Ctrl+Shift+C",),
        "start the open SOP's checklist",
        ITEM,
        "Item",
        "Start &checklist",
    ),
    Shortcut(
        "fill_macro",
        ("Ctrl+Shift+R",),
        "fill the open macro, or the reply of the current checklist step",
        ITEM,
        "Item",
        "&Fill reply…",
    ),
    Shortcut(
        "copy_reply",
        ("Ctrl+Return", "Ctrl+Enter"),
        "in the reply form: copy the filled reply",
        ITEM,
        shown="Ctrl+Enter",
    ),
    Shortcut(
        "send_reply",
        ("Ctrl+Shift+Return", "Ctrl+Shift+Enter"),
        "in the reply form: send the filled reply to the ticket (you confirm what goes where)",
        ITEM,
        shown="Ctrl+Shift+Enter",
    ),
    Shortcut(
        "report_gap",
        ("Ctrl+Shift+G",),
        "report that nothing fits this search",
        ITEM,
        "Item",
        "&Report a gap",
        tip="tell your leads nothing fits this search",
    ),
    Shortcut("done", ("Alt+D",), "mark the current step done", CHECKLIST),
    Shortcut(
        "choose",
        tuple(f"Alt+{n}" for n in range(1, 10)),
        "answer a decision step (first, second, … answer)",
        CHECKLIST,
        shown="Alt+1 … Alt+9",
    ),
    Shortcut("skip", ("Alt+K",), "skip an optional step (type the reason first)", CHECKLIST),
    Shortcut(
        "undo_step", ("Ctrl+Z",), "undo the last step (in a text field: the typing)", CHECKLIST
    ),
    Shortcut("finish", ("Alt+F",), "finish the checklist with the chosen outcome", CHECKLIST),
    Shortcut(
        "tickets",
        ("Ctrl+Shift+M",),
        "my open tickets in the ticketing tool (again: refresh); Enter works on the one selected",
        TICKET,
        "Ticket",
        "&My tickets",
        tip="list my open tickets in the ticketing tool",
    ),
    Shortcut(
        "start_ticket", ("Ctrl+T",), "start timing the ticket", TICKET, "Ticket", "&Start ticket"
    ),
    Shortcut(
        "pause_ticket",
        ("Ctrl+P",),
        "pause or resume the ticket timer",
        TICKET,
        "Ticket",
        "&Pause / resume",
    ),
    Shortcut(
        "choose_outcome",
        ("Ctrl+Shift+O",),
        "choose how the ticket ends (Up / Down, then Enter)",
        TICKET,
        "Ticket",
        "Choose &outcome…",
        tip="choose how the ticket ends",
    ),
    Shortcut(
        "next_ticket",
        ("Ctrl+Shift+N",),
        "end the ticket with the chosen outcome, on to the next",
        TICKET,
        "Ticket",
        "&Next ticket",
    ),
    Shortcut(
        "count_gap", ("Alt+U",), "when asked: count the time the app was closed as work", TICKET
    ),
    Shortcut("drop_gap", ("Alt+N",), "when asked: do not count that time", TICKET),
    Shortcut("sync_now", ("F5",), "sync with the team hub now", APP, "App", "Sync &now"),
    Shortcut("settings", ("Ctrl+,",), "settings", APP, "App", "S&ettings…"),
    Shortcut(
        "on_top",
        ("Ctrl+Shift+T",),
        "keep the panel above other windows, or not",
        APP,
        "View",
        "Always on &top",
    ),
    Shortcut("quit", ("Ctrl+Q",), "quit", APP, "App", "&Quit"),
)
BY_NAME = {s.name: s for s in SHORTCUTS}
MENUS = ("App", "Item", "Ticket", "View", "Help")
"""The menu bar, left to right (each menu lists its rows in table order)."""
MENU_LABELS = {"App": "&App", "Item": "&Item", "Ticket": "&Ticket", "View": "&View"}
MENU_LABELS["Help"] = "&Help"


def keys(name: str) -> tuple[str, ...]:
    return BY_NAME[name].keys


def key(name: str) -> str:
    """The first (shown) key of a row."""
    return BY_NAME[name].keys[0]


def groups() -> list[tuple[str, list[Shortcut]]]:
    """The rows by group, in table order (the cheat sheet's sections)."""
    out: dict[str, list[Shortcut]] = {}
    for shortcut in SHORTCUTS:
        out.setdefault(shortcut.group, []).append(shortcut)
    return list(out.items())


def markdown_table() -> str:
    """The README's "Keyboard" table, exactly."""
    lines = ["| keys | action |", "|---|---|"]
    lines += [f"| {s.keys_text} | {s.text} |" for s in SHORTCUTS]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m agent_assist.ui.shortcuts > the README table
    print(markdown_table(), end="")
