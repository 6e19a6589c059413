"""Typed settings, declared once, with where each effective value came from.

Each setting is an attribute of :class:`Settings` (Picard's ``options.py``): its type, default,
description and limits are declared here and nowhere else.  Code reads
``settings.hub_url`` (a ``str``) or ``settings.retention_days`` (an ``int``), and mypy checks
both the name and the type.  The key-based methods (``get``, ``set``, ``reset``,
``effective``, ``all``) serve the tools that list or edit any setting: ``agent-assist
settings``, ``doctor`` and the settings dialog.

Where values come from (IT presets and policy in a system-wide TOML file at a per-OS location,
the user's ``settings.json``) is described in ``layers.py``; renamed or removed settings are
carried forward by the steps in ``upgrade.py``.  Window state is not a setting: the UI keeps it
apart (QSettings).  Secrets never live here: hub tokens go to the OS keyring.
"""

from __future__ import annotations

from typing import Any

from agent_assist.core.settings.layers import (
    SYSTEM_CONFIG_ENV,
    USER_FILE,
    VERSION_KEY,
    Effective,
    Layers,
    SettingsError,
    system_config_path,
)
from agent_assist.core.settings.option import BoolOption, IntOption, Option, TextOption
from agent_assist.core.settings.upgrade import UPGRADES, VERSION, Step, Upgrades, remove, rename

__all__ = [
    "BY_KEY",
    "SETTINGS",
    "SYSTEM_CONFIG_ENV",
    "UPGRADES",
    "USER_FILE",
    "VERSION",
    "VERSION_KEY",
    "BoolOption",
    "Effective",
    "IntOption",
    "Option",
    "Settings",
    "SettingsError",
    "Step",
    "TextOption",
    "Upgrades",
    "remove",
    "rename",
    "system_config_path",
]


class Settings(Layers):
    """The effective settings of one data dir, one typed attribute per setting."""

    __slots__ = ()

    hub_url = TextOption("", "URL of the team hub to sync with (empty: work offline only)")
    ca_bundle = TextOption(
        "", "PEM file of CA certificates to trust for the hub (empty: the system's)"
    )
    insecure_http = BoolOption(
        False,
        "allow a plain http:// hub on another machine: the token crosses the network in the "
        "clear and the hub's signing key is not pinned (use https:// instead)",
    )
    update_policy = TextOption(
        "notify", "what to do when a new app version exists", choices=("notify", "off")
    )
    hotkey = TextOption(
        "Ctrl+Shift+Space",
        "global shortcut that brings up the window with the clipboard text in the search field",
    )
    agent_name = TextOption("", "your name as it appears in macros ({{agent_name}})")
    clipboard_watch = BoolOption(
        False, "fill the ticket id when copied text matches ticket_pattern"
    )
    ticket_pattern = TextOption(r"\b\d{5,10}\b", "regular expression for ticket ids")
    theme = TextOption("system", "colour theme", choices=("system", "light", "dark"))
    font_size = IntOption(10, "base font size in points", minimum=7, maximum=24)
    content_locale = TextOption("", "show only knowledge in this locale (empty: all)")
    pinned = TextOption(
        "",
        "SOPs listed first while the search is empty: ids, comma-separated "
        "(Ctrl+Shift+P pins or unpins the SOP shown)",
    )
    retention_days = IntOption(
        90, "days to keep handle-time events on this workstation", minimum=1, maximum=3650
    )
    ticketing_tool = TextOption(
        "",
        "ticketing tool to read tickets from and post replies to (set by 'agent-assist "
        "connect'; empty: none)",
        choices=("", "rt", "zendesk", "freshdesk", "zammad"),
    )
    ticketing_url = TextOption("", "web address of the ticketing tool (https://…)")
    ticketing_user = TextOption(
        "", "your user name (RT) or e-mail address (Zendesk, Freshdesk, Zammad) in the tool"
    )
    follow_focus = BoolOption(
        True,
        "switch to the ticket the focused window shows (the ticketing tool's title, read on "
        "Windows and X11; not on macOS or Wayland)",
    )
    focus_pattern = TextOption(
        "",
        "regular expression finding the ticket id in the focused window's title, with a group "
        "around the id (empty: the connected tool's own patterns)",
    )
    status_on_end = BoolOption(
        False,
        "when a ticket of the connected tool ends, set its status there to match the outcome "
        "(resolved: resolved, waiting: pending, escalated or transferred: open)",
    )


SETTINGS: tuple[Option[Any], ...] = tuple(Settings.OPTIONS.values())
BY_KEY: dict[str, Option[Any]] = Settings.OPTIONS
