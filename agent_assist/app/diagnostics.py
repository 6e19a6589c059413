"""Health checks behind ``agent-assist doctor``: each says OK or what is wrong and what to do.

Checks never raise and never prompt: a workstation with no keyring or no display is a state
to report, not a crash.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from agent_assist.core.cache.migrations import LATEST
from agent_assist.core.cache.store import DB_NAME, Store
from agent_assist.core.errors import AgentAssistError
from agent_assist.core.paths import data_dir_source
from agent_assist.core.settings import Settings


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "fix": self.fix}


def check_data_dir(data_dir: Path, option: str | None) -> Check:
    source = data_dir_source(option)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check(
            "data dir",
            False,
            f"{data_dir} (from {source}) is not writable: {exc.strerror or exc}",
            "choose a writable folder with --data-dir or $AGENT_ASSIST_DATA_DIR",
        )
    free = shutil.disk_usage(data_dir).free
    if free < 50 * 1024 * 1024:
        return Check(
            "data dir",
            False,
            f"{data_dir}: only {free // 1024 // 1024} MB free",
            "free disk space: the cache and handle-time log need room to grow",
        )
    return Check("data dir", True, f"{data_dir} (from {source}), {free // 1024 // 1024:,} MB free")


def check_cache(data_dir: Path) -> Check:
    path = data_dir / DB_NAME
    existed = path.exists()
    try:
        with Store(path) as store:
            counts = store.counts()
            version = store.schema_version
    except AgentAssistError as exc:
        return Check(
            "knowledge cache",
            False,
            str(exc),
            "move the file aside; the app rebuilds it from the demo pack or your packs",
        )
    note = "" if existed else " (created now)"
    return Check(
        "knowledge cache",
        True,
        f"{path}{note}: schema {version}/{LATEST}, {counts['sop']} SOPs, {counts['macro']} macros",
    )


def check_keyring() -> Check:
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring install must not break doctor
        return Check("keyring", False, f"keyring failed to load: {exc}", "reinstall agent-assist")
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, fail.Keyring) or "null" in name.lower():
        return Check(
            "keyring",
            False,
            f"no OS keyring backend ({name}): hub tokens cannot be "
            "saved and will be asked for each session",
            "on Linux install and unlock a Secret Service (gnome-keyring or KWallet); "
            "scripts can set AGENT_ASSIST_TOKEN instead",
        )
    return Check("keyring", True, name)


def _qt_platform_dir() -> Path | None:
    """Where PySide6's platform plugins are, found without importing Qt (the application
    layer stays Qt-free; the check is about files on disk)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins" / "platforms"


def check_qt_platform() -> Check:
    platforms = _qt_platform_dir()
    if platforms is None:
        return Check("Qt platform", False, "PySide6 is not installed", "reinstall agent-assist")
    wanted = os.environ.get("QT_QPA_PLATFORM", "")
    if wanted.startswith(("offscreen", "minimal")):
        return Check("Qt platform", True, f"QT_QPA_PLATFORM={wanted} (no window will be shown)")
    if sys.platform.startswith("linux"):
        xcb = platforms / "libqxcb.so"
        missing: list[str] = []
        if xcb.exists() and shutil.which("ldd"):
            out = subprocess.run(
                ["ldd", str(xcb)], capture_output=True, text=True, timeout=20, check=False
            ).stdout
            missing = [ln.split()[0] for ln in out.splitlines() if "not found" in ln]
        if missing:
            return Check(
                "Qt platform",
                False,
                "the xcb plugin lacks " + ", ".join(missing),
                "sudo apt-get install libxcb-icccm4 libxcb-keysyms1 libxcb-image0 "
                "libxcb-render-util0 libxcb-shape0 libxkbcommon-x11-0 libxcb-cursor0",
            )
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return Check(
                "Qt platform",
                False,
                "no display (DISPLAY and WAYLAND_DISPLAY unset)",
                "run in a desktop session, or under Xvfb: xvfb-run -a agent-assist",
            )
    return Check("Qt platform", True, f"plugins in {platforms}")


def check_settings(data_dir: Path) -> Check:
    settings = Settings(data_dir)
    system = settings.system_file
    where = f"system file {system}" + ("" if system.is_file() else " (none)")
    if settings.problems:
        return Check(
            "settings",
            False,
            f"{where}; " + "; ".join(settings.problems),
            "fix or remove the settings named above",
        )
    return Check("settings", True, where)


def check_encoder(model_dir: Path) -> Check:
    """The semantic stage's sentence encoder: present, intact (SHA-256) and loadable."""
    from agent_assist.core.search.semantic.encoder import Encoder, EncoderError

    try:
        Encoder(model_dir).encode(["check"])
    except EncoderError as exc:
        return Check(
            "sentence encoder",
            False,
            f"{exc}; suggestions are lexical only (no paraphrase matching)",
            "reinstall agent-assist",
        )
    return Check("sentence encoder", True, f"{model_dir}")


def run_checks(data_dir: Path, option: str | None) -> list[Check]:
    from agent_assist.app.semantic import encoder_dir

    checks = [check_data_dir(data_dir, option)]
    if checks[0].ok:
        checks.append(check_cache(data_dir))
    return [
        *checks,
        check_settings(data_dir),
        check_keyring(),
        check_qt_platform(),
        check_encoder(encoder_dir()),
    ]
