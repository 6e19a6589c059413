"""Reading and writing the setting layers, by key (the machinery under ``Settings``).

Layers, lowest first:

1. built-in defaults (the declarations on :class:`~agent_assist.core.settings.Settings`);
2. the system-wide file's ``[defaults]`` table — IT presets that users may change;
3. the user's own settings (``settings.json`` in the data dir, written by the app);
4. the system-wide file's ``[enforced]`` table — IT policy that users cannot change.

The user's file carries a settings version and is upgraded on load (see ``upgrade.py``).  What
it holds that this version cannot use (unknown keys from a newer version, invalid values) is
reported or logged, kept, and written back untouched, so nothing the user set is lost here.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar, overload

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.settings.option import Option
from agent_assist.core.settings.upgrade import UPGRADES, Upgrades

log = logging.getLogger(__name__)
T = TypeVar("T")

SYSTEM_CONFIG_ENV = "AGENT_ASSIST_SYSTEM_CONFIG"
USER_FILE = "settings.json"
VERSION_KEY = "version"


class SettingsError(AgentAssistError):
    """A setting could not be read, validated or saved."""


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


class Layers:
    """The effective settings for one data dir; ``problems`` lists what was ignored and why.

    Subclasses declare :class:`Option` attributes; ``OPTIONS`` maps each key to its option.
    """

    OPTIONS: ClassVar[dict[str, Option[Any]]] = {}
    __slots__ = (
        "_defaults",
        "_enforced",
        "_stored",
        "_upgrades",
        "_user",
        "_version",
        "problems",
        "system_file",
        "user_file",
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = {o.key: o for o in vars(cls).values() if isinstance(o, Option)}
        if VERSION_KEY in declared:
            raise TypeError(f"'{VERSION_KEY}' is reserved for the settings version")
        cls.OPTIONS = {**cls.OPTIONS, **declared}

    def __init__(
        self, data_dir: Path, system_file: Path | None = None, upgrades: Upgrades = UPGRADES
    ) -> None:
        self.user_file = data_dir / USER_FILE
        self.system_file = system_file if system_file is not None else system_config_path()
        self.problems: list[str] = []
        self._upgrades = upgrades
        self._version = upgrades.version  # written to the user's file on save
        self._defaults: dict[str, Any] = {}
        self._enforced: dict[str, Any] = {}
        self._user: dict[str, Any] = {}  # the valid part of _stored
        self._stored: dict[str, Any] = {}  # the user's file as written back (less the version)
        self._load_system()
        self._load_user()

    # -- loading ---------------------------------------------------------------------------
    def _valid(self, table: dict[str, Any], where: str, *, unknown: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in table.items():
            option = self.OPTIONS.get(key)
            if option is None:
                if unknown:
                    self.problems.append(f"{where}: unknown setting '{key}' (ignored)")
                continue
            try:
                out[key] = option.check(value)
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
        version = data.pop(VERSION_KEY, 0)
        if isinstance(version, bool) or not isinstance(version, int) or version < 0:
            self.problems.append(f"{path}: {VERSION_KEY}: expected a whole number (read as 0)")
            version = 0
        self._stored = data
        if version > self._upgrades.version:
            log.info(
                "%s: written by a newer Agent Assist (settings version %d, this one knows %d); "
                "settings it does not know are kept as they are",
                path,
                version,
                self._upgrades.version,
            )
            self._version = version
            self._user = self._valid(data, str(path), unknown=False)
            return
        changes = self._upgrades.run(data, version)
        self._user = self._valid(data, str(path))
        for change in changes:
            log.info("%s: %s", path, change)
        if changes:
            try:
                self._save()
            except SettingsError as exc:
                self.problems.append(f"{exc} (upgraded for this run only)")

    def reload(self) -> None:
        """Read the files again: another process (the CLI, IT) may have changed them since.
        Each layer is replaced whole, so a reader on another thread never sees a half-read one."""
        fresh = type(self)(self.user_file.parent, self.system_file, self._upgrades)
        for name in Layers.__slots__:
            setattr(self, name, getattr(fresh, name))

    # -- reading ---------------------------------------------------------------------------
    def get(self, key: str) -> Any:
        """The effective value of ``key`` (KeyError if unknown); the typed attributes use this."""
        for layer in (self._enforced, self._user, self._defaults):
            if key in layer:
                return layer[key]
        return self.OPTIONS[key].default

    def effective(self, key: str) -> Effective:
        option = self.OPTIONS[key]
        if key in self._enforced:
            return Effective(key, self._enforced[key], f"enforced by {self.system_file}", True)
        if key in self._user:
            return Effective(key, self._user[key], f"user settings {self.user_file}", False)
        if key in self._defaults:
            return Effective(key, self._defaults[key], f"preset in {self.system_file}", False)
        return Effective(key, option.default, "built-in default", False)

    def all(self) -> list[Effective]:
        return [self.effective(key) for key in self.OPTIONS]

    # -- writing ---------------------------------------------------------------------------
    def _option(self, key: str | Option[Any]) -> Option[Any]:
        name = key.key if isinstance(key, Option) else key
        option = self.OPTIONS.get(name)
        if option is None:
            raise SettingsError(f"unknown setting '{name}' (known: {', '.join(self.OPTIONS)})")
        return option

    @overload
    def set(self, key: Option[T], value: T) -> None: ...
    @overload
    def set(self, key: str, value: object) -> None: ...
    def set(self, key: str | Option[Any], value: object) -> None:
        """Save a user setting; refuses unknown keys, bad values and IT-enforced keys.

        ``settings.set(Settings.font_size, 12)`` is checked by mypy; a key given as text (from
        the command line or a generic editor) is checked here only.
        """
        option = self._option(key)
        if option.key in self._enforced:
            raise SettingsError(
                f"'{option.key}' is set by your IT department in {self.system_file} "
                "and cannot be changed here"
            )
        try:
            checked = option.check(value)
        except ValueError as exc:
            raise SettingsError(f"{option.key}: {exc}") from None
        self._user[option.key] = self._stored[option.key] = checked
        self._save()

    def reset(self, key: str | Option[Any]) -> None:
        """Go back to the IT preset or built-in default for ``key``."""
        option = self._option(key)
        self._user.pop(option.key, None)
        self._stored.pop(option.key, None)
        self._save()

    def _save(self) -> None:
        content = {VERSION_KEY: self._version, **dict(sorted(self._stored.items()))}
        tmp = self.user_file.with_suffix(".json.tmp")
        try:
            self.user_file.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
            tmp.chmod(0o600)  # the agent's own settings: not for other users of the machine
            tmp.replace(self.user_file)
        except OSError as exc:
            raise SettingsError(
                f"cannot save settings to {self.user_file}: {exc.strerror or exc}"
            ) from exc
