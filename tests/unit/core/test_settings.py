"""Settings: typed attributes, layers (built-in < IT preset < user < IT enforced) with their
sources, and the settings version whose upgrade steps carry renamed values forward."""

from __future__ import annotations

import json
import logging
import textwrap
from pathlib import Path
from typing import Any

import pytest

from agent_assist.core.settings import (
    SETTINGS,
    UPGRADES,
    VERSION,
    IntOption,
    Settings,
    SettingsError,
    Step,
    Upgrades,
    remove,
    rename,
)

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def system(tmp_path: Path) -> Path:
    path = tmp_path / "etc" / "config.toml"
    path.parent.mkdir()
    path.write_text(
        '# deployed by IT\n[defaults]\nhotkey = "Ctrl+Alt+A"\ntheme = "dark"\n'
        '[enforced]\nhub_url = "https://hub.example.com"\nupdate_policy = "off"\n'
    )
    return path


def user_file(data_dir: Path, content: dict[str, Any]) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "settings.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def stored(data_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((data_dir / "settings.json").read_text(encoding="utf-8"))
    return data


def test_layers_and_sources(tmp_path: Path, system: Path) -> None:
    settings = Settings(tmp_path / "data", system)
    assert settings.font_size == 10
    assert settings.effective("font_size").source == "built-in default"
    assert settings.hotkey == "Ctrl+Alt+A"
    assert settings.effective("hotkey").source == f"preset in {system}"
    settings.set(Settings.hotkey, "Ctrl+Shift+F")
    reloaded = Settings(tmp_path / "data", system)
    assert reloaded.hotkey == "Ctrl+Shift+F"
    assert reloaded.effective("hotkey").source.startswith("user settings")
    hub = reloaded.effective("hub_url")
    assert (hub.value, hub.locked) == ("https://hub.example.com", True)
    with pytest.raises(SettingsError, match="set by your IT department"):
        reloaded.set(Settings.hub_url, "https://elsewhere")
    reloaded.reset("hotkey")
    assert Settings(tmp_path / "data", system).hotkey == "Ctrl+Alt+A"


def test_typed_attributes_read_the_effective_value(tmp_path: Path, system: Path) -> None:
    settings = Settings(tmp_path, system)
    settings.set("retention_days", 30)
    assert settings.retention_days == 30 and type(settings.retention_days) is int
    assert settings.clipboard_watch is False
    assert settings.hub_url == "https://hub.example.com"  # enforced beats everything
    assert isinstance(Settings.retention_days, IntOption)  # through the class: the declaration
    assert Settings.retention_days.key == "retention_days"
    with pytest.raises(AttributeError):
        settings.theme = "light"  # type: ignore[misc]  # writes go through set()
    assert [s.key for s in SETTINGS] == list(Settings.OPTIONS)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("font_size", 99, "at most 24"),
        ("theme", "pink", "one of"),
        ("clipboard_watch", "yes", "true or false"),
        ("nope", 1, "unknown setting"),
    ],
)
def test_bad_values_are_refused(tmp_path: Path, key: str, value: object, words: str) -> None:
    with pytest.raises(SettingsError, match=words):
        Settings(tmp_path, tmp_path / "none.toml").set(key, value)


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [("font_size", "12", 12), ("clipboard_watch", "on", True), ("theme", "dark", "dark")],
)
def test_command_line_values_are_parsed(key: str, text: str, expected: object) -> None:
    assert Settings.OPTIONS[key].parse(text) == expected


def test_command_line_out_of_range_says_so() -> None:
    with pytest.raises(ValueError, match="at most 24"):
        Settings.font_size.parse("99")
    with pytest.raises(ValueError, match="whole number"):
        Settings.font_size.parse("big")


def test_bad_files_are_reported_not_fatal(tmp_path: Path) -> None:
    system = tmp_path / "config.toml"
    system.write_text('[defaults]\nfont_size = "big"\nmystery = 1\n[extra]\n')
    (tmp_path / "settings.json").write_text("{not json")
    settings = Settings(tmp_path, system)
    assert settings.font_size == 10
    text = " | ".join(settings.problems)
    assert "font_size: expected a whole number" in text
    assert "unknown setting 'mystery'" in text
    assert "unknown table [extra]" in text
    assert "settings.json: cannot read" in text
    broken = tmp_path / "broken.toml"
    broken.write_text("[defaults\n")
    assert "cannot read" in Settings(tmp_path, broken).problems[0]


def test_every_default_is_valid() -> None:
    for setting in SETTINGS:
        assert setting.check(setting.default) == setting.default, setting.key


# -- settings version and upgrade steps -----------------------------------------------------

# A made-up history: at version 2 ``font_pt`` became ``font_size`` and ``sound`` went away; at
# version 3 ``hub`` became ``hub_url``.
HISTORY = Upgrades(
    3,
    steps=(
        Step(2, (rename("font_pt", "font_size"), remove("sound"))),
        Step(3, (rename("hub", "hub_url"),)),
    ),
)


def test_saving_records_the_version(tmp_path: Path) -> None:
    Settings(tmp_path, tmp_path / "none.toml").set(Settings.theme, "dark")
    assert stored(tmp_path) == {"version": VERSION, "theme": "dark"}


def test_upgrade_keeps_renamed_values_and_logs_dropped_ones(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    user_file(tmp_path, {"version": 1, "font_pt": 14, "sound": True, "hub": "https://h"})
    with caplog.at_level(logging.INFO, logger="agent_assist.core.settings"):
        settings = Settings(tmp_path, tmp_path / "none.toml", upgrades=HISTORY)
    assert (settings.font_size, settings.hub_url) == (14, "https://h")
    assert settings.effective("font_size").source.startswith("user settings")
    assert settings.problems == []
    assert stored(tmp_path) == {"version": 3, "font_size": 14, "hub_url": "https://h"}
    logged = caplog.text
    assert "settings version 2: renamed 'font_pt' to 'font_size' (value kept)" in logged
    assert "settings version 2: dropped 'sound' = true: no longer a setting" in logged
    assert "settings version 3: renamed 'hub' to 'hub_url'" in logged


def test_upgrade_runs_only_the_steps_newer_than_the_file(tmp_path: Path) -> None:
    # At version 2 ``font_pt`` was already gone: a key of that name is not renamed again.
    user_file(tmp_path, {"version": 2, "font_pt": 14, "hub": "https://h"})
    settings = Settings(tmp_path, tmp_path / "none.toml", upgrades=HISTORY)
    assert (settings.font_size, settings.hub_url) == (10, "https://h")
    assert settings.problems == [
        f"{tmp_path / 'settings.json'}: unknown setting 'font_pt' (ignored)"
    ]


def test_a_rename_does_not_overwrite_a_value_set_under_the_new_name(tmp_path: Path) -> None:
    user_file(tmp_path, {"font_pt": 14, "font_size": 12})  # no version: version 0
    assert Settings(tmp_path, tmp_path / "none.toml", upgrades=HISTORY).font_size == 12
    assert stored(tmp_path) == {"version": 3, "font_size": 12}


def test_the_file_is_rewritten_only_when_a_step_changed_it(tmp_path: Path) -> None:
    before = '{"theme": "dark"}'  # version 0, but no step applies to it
    (tmp_path / "settings.json").write_text(before)
    settings = Settings(tmp_path, tmp_path / "none.toml", upgrades=HISTORY)
    assert settings.theme == "dark"
    assert (tmp_path / "settings.json").read_text() == before
    settings.set(Settings.font_size, 12)  # the next save records the version
    assert stored(tmp_path) == {"version": 3, "font_size": 12, "theme": "dark"}


def test_a_newer_file_is_read_and_never_written_down(tmp_path: Path) -> None:
    newer = {"version": 7, "font_size": 12, "sidebar": "left", "theme": "neon"}
    path = user_file(tmp_path, newer)
    before = path.read_text()
    settings = Settings(tmp_path, tmp_path / "none.toml", upgrades=HISTORY)
    assert path.read_text() == before  # no step ran, nothing written
    assert (settings.font_size, settings.theme) == (12, "system")
    # Keys this version does not know are expected from a newer one: not a problem.
    assert settings.problems == [f"{path}: theme: expected one of: system, light, dark (ignored)"]
    settings.set(Settings.agent_name, "Dana")
    assert stored(tmp_path) == {**newer, "agent_name": "Dana"}


def test_unknown_and_invalid_values_are_kept_on_save(tmp_path: Path) -> None:
    user_file(tmp_path, {"version": VERSION, "mystery": 1, "font_size": 99})
    settings = Settings(tmp_path, tmp_path / "none.toml")
    assert settings.font_size == 10 and len(settings.problems) == 2
    settings.set(Settings.theme, "light")
    assert stored(tmp_path) == {
        "version": VERSION,
        "font_size": 99,
        "mystery": 1,
        "theme": "light",
    }
    settings.set(Settings.font_size, 11)  # fixing it replaces the bad value
    assert stored(tmp_path)["font_size"] == 11


def test_presets_and_enforced_are_unchanged_by_an_upgrade(tmp_path: Path, system: Path) -> None:
    user_file(tmp_path, {"version": 1, "hub": "https://mine", "font_pt": 14})
    settings = Settings(tmp_path, system, upgrades=HISTORY)
    hub = settings.effective("hub_url")  # the renamed user value is kept, IT policy still wins
    assert (hub.value, hub.locked) == ("https://hub.example.com", True)
    assert stored(tmp_path)["hub_url"] == "https://mine"
    assert (settings.hotkey, settings.theme, settings.font_size) == ("Ctrl+Alt+A", "dark", 14)
    assert settings.effective("theme").source == f"preset in {system}"
    assert "hub_url" not in system.read_text().split("[enforced]")[0]  # IT's file untouched


def test_a_bad_version_is_reported_and_read_as_version_0(tmp_path: Path) -> None:
    user_file(tmp_path, {"version": "two", "font_pt": 14})
    settings = Settings(tmp_path, tmp_path / "none.toml", upgrades=HISTORY)
    assert settings.font_size == 14
    assert "version: expected a whole number" in settings.problems[0]


def test_upgrade_steps_must_be_in_order() -> None:
    assert UPGRADES.version == VERSION
    with pytest.raises(ValueError, match="in order"):
        Upgrades(3, (Step(3, ()), Step(2, ())))
    with pytest.raises(ValueError, match="up to 2"):
        Upgrades(2, (Step(3, ()),))


# -- mypy checks the names and types --------------------------------------------------------

SNIPPET = """
from agent_assist.core.settings import Settings

def use(settings: Settings) -> None:
    days: int = settings.retention_days
    url: str = settings.hub_url
    settings.set(Settings.font_size, 12)
    settings.hub_ur
    size: str = settings.font_size
    settings.set(Settings.font_size, "big")
"""


def test_mypy_rejects_a_wrong_key_or_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    api = pytest.importorskip("mypy.api")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(textwrap.dedent(SNIPPET))
    monkeypatch.chdir(REPO)  # so that mypy finds the package in this checkout
    out, err, status = api.run(
        [
            str(snippet),
            "--strict",
            "--config-file=",
            f"--cache-dir={tmp_path / 'mypy-cache'}",
            "--show-error-codes",
            "--no-error-summary",
        ]
    )
    assert status == 1, out + err
    errors = [line.split(": error: ", 1)[1] for line in out.splitlines() if ": error: " in line]
    lines = sorted(int(line.split(":")[1]) for line in out.splitlines() if ": error: " in line)
    assert lines == [8, 9, 10], out
    assert '"Settings" has no attribute "hub_ur"' in errors[0]
    assert 'expression has type "int", variable has type "str"' in errors[1]
