"""Typed settings, declared once, with where each effective value came from.

Layers, lowest first:

1. built-in defaults (declared below);
2. the system-wide file's ``[defaults]`` table — IT presets that users may change;
3. the user's own settings (``settings.json`` in the data dir, written by the app);
4. the system-wide file's ``[enforced]`` table — IT policy that users cannot change.

The system-wide file is TOML at a per-OS location (see :func:`system_config_path`), so IT can
deploy it with comments.  Window state is not a setting: the UI keeps it apart (QSettings).
Secrets never live here: hub tokens go to the OS keyring.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent_assist.core.errors import AgentAssistError

SYSTEM_CONFIG_ENV = "AGENT_ASSIST_SYSTEM_CONFIG"
USER_FILE = "settings.json"


class SettingsError(AgentAssistError):
    """A setting could not be read, validated or saved."""


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    description: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None

    def check(self, value: Any) -> Any:
        """Return ``value`` if valid for this setting, else raise ValueError saying why."""
        if self.type is bool:
            if not isinstance(value, bool):
                raise ValueError("expected true or false")
        elif self.type is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError("expected a whole number")
            if self.minimum is not None and value < self.minimum:
                raise ValueError(f"expected at least {self.minimum}")
            if self.maximum is not None and value > self.maximum:
                raise ValueError(f"expected at most {self.maximum}")
        elif not isinstance(value, str):
            raise ValueError("expected text")
        if self.choices and value not in self.choices:
            raise ValueError(f"expected one of: {', '.join(self.choices)}")
        return value

    def parse(self, text: str) -> Any:
        """Parse a value typed on the command line."""
        if self.type is bool:
            lowered = text.strip().lower()
            if lowered in ("true", "yes", "on", "1"):
                return True
            if lowered in ("false", "no", "off", "0"):
                return False
            raise ValueError("expected true or false")
        if self.type is int:
            try:
                return self.check(int(text))
            except ValueError:
                raise ValueError("expected a whole number") from None
        return self.check(text)


SETTINGS: tuple[Setting, ...] = (
    Setting("hub_url", str, "", "URL of the team hub to sync with (empty: work offline only)"),
    Setting(
        "ca_bundle",
        str,
        "",
        "PEM file of CA certificates to trust for the hub (empty: the system's)",
    ),
    Setting(
        "update_policy",
        str,
        "notify",
        "what to do when a new app version exists",
        choices=("notify", "off"),
    ),
    Setting(
        "hotkey",
        str,
        "Ctrl+Shift+Space",
        "global shortcut that brings up the window with the clipboard text in the search field",
    ),
    Setting("agent_name", str, "", "your name as it appears in macros ({{agent_name}})"),
    Setting(
        "clipboard_watch", bool, False, "fill the ticket id when copied text matches ticket_pattern"
    ),
    Setting("ticket_pattern", str, r"\b\d{5,10}\b", "regular expression for ticket ids"),
    Setting("theme", str, "system", "colour theme", choices=("system", "light", "dark")),
    Setting("font_size", int, 10, "base font size in points", minimum=7, maximum=24),
    Setting("content_locale", str, "", "show only knowledge in this locale (empty: all)"),
    Setting(
        "retention_days",
        int,
        90,
        "days to keep handle-time events on this workstation",
        minimum=1,
        maximum=3650,
    ),
)
BY_KEY = {s.key: s for s in SETTINGS}


def system_config_path() -> Path:
    """Where IT puts the system-wide file on this OS (``$AGENT_ASSIST_SYSTEM_CONFIG`` wins)."""
    override = os.environ.get(SYSTEM_CONFIG_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        return (
            Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "AgentAssist" / "config.toml"
        )
    if sys.platform == "darwin":
        return Path("/Library/Application Support/AgentAssist/config.toml")
    return Path("/etc/agent-assist/config.toml")


@dataclass(frozen=True)
class Effective:
    key: str
    value: Any
    source: str
    locked: bool


class Settings:
    """The effective settings for one data dir; ``problems`` lists what was ignored and why."""

    def __init__(self, data_dir: Path, system_file: Path | None = None) -> None:
        self.user_file = data_dir / USER_FILE
        self.system_file = system_file if system_file is not None else system_config_path()
        self.problems: list[str] = []
        self._defaults: dict[str, Any] = {}
        self._enforced: dict[str, Any] = {}
        self._user: dict[str, Any] = {}
        self._load_system()
        self._load_user()

    # -- loading ---------------------------------------------------------------------------
    def _valid(self, table: dict[str, Any], where: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in table.items():
            setting = BY_KEY.get(key)
            if setting is None:
                self.problems.append(f"{where}: unknown setting '{key}' (ignored)")
                continue
            try:
                out[key] = setting.check(value)
            except ValueError as exc:
                self.problems.append(f"{where}: {key}: {exc} (ignored)")
        return out

    def _load_system(self) -> None:
        path = self.system_file
        if not path.is_file():
            return
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            self.problems.append(f"{path}: cannot read: {exc} (ignored)")
            return
        for name in data:
            if name not in ("defaults", "enforced"):
                self.problems.append(
                    f"{path}: unknown table [{name}] (expected [defaults] or [enforced])"
                )
        for name, target in (("defaults", self._defaults), ("enforced", self._enforced)):
            table = data.get(name, {})
            if isinstance(table, dict):
                target.update(self._valid(table, f"{path} [{name}]"))

    def _load_user(self) -> None:
        path = self.user_file
        if not path.is_file():
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("expected a JSON object")
        except (OSError, ValueError) as exc:
            self.problems.append(f"{path}: cannot read: {exc} (using defaults)")
            return
        self._user = self._valid(data, str(path))

    # -- reading ---------------------------------------------------------------------------
    def effective(self, key: str) -> Effective:
        setting = BY_KEY[key]
        if key in self._enforced:
            return Effective(key, self._enforced[key], f"enforced by {self.system_file}", True)
        if key in self._user:
            return Effective(key, self._user[key], f"user settings {self.user_file}", False)
        if key in self._defaults:
            return Effective(key, self._defaults[key], f"preset in {self.system_file}", False)
        return Effective(key, setting.default, "built-in default", False)

    def get(self, key: str) -> Any:
        return self.effective(key).value

    def all(self) -> list[Effective]:
        return [self.effective(s.key) for s in SETTINGS]

    # -- writing ---------------------------------------------------------------------------
    def set(self, key: str, value: Any) -> None:
        """Save a user setting; refuses unknown keys, bad values and IT-enforced keys."""
        setting = BY_KEY.get(key)
        if setting is None:
            raise SettingsError(f"unknown setting '{key}' (known: {', '.join(BY_KEY)})")
        if key in self._enforced:
            raise SettingsError(
                f"'{key}' is set by your IT department in {self.system_file} "
                "and cannot be changed here"
            )
        try:
            self._user[key] = setting.check(value)
        except ValueError as exc:
            raise SettingsError(f"{key}: {exc}") from None
        self._save()

    def reset(self, key: str) -> None:
        if key not in BY_KEY:
            raise SettingsError(f"unknown setting '{key}'")
        self._user.pop(key, None)
        self._save()

    def _save(self) -> None:
        tmp = self.user_file.with_suffix(".json.tmp")
        try:
            self.user_file.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(
                json.dumps(self._user, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
            tmp.replace(self.user_file)
        except OSError as exc:
            raise SettingsError(
                f"cannot save settings to {self.user_file}: {exc.strerror or exc}"
            ) from exc
