"""Settings layers: built-in < IT preset < user < IT enforced, each with its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_assist.core.settings import SETTINGS, Settings, SettingsError


@pytest.fixture
def system(tmp_path: Path) -> Path:
    path = tmp_path / "etc" / "config.toml"
    path.parent.mkdir()
    path.write_text(
        '# deployed by IT\n[defaults]\nhotkey = "Ctrl+Alt+A"\ntheme = "dark"\n'
        '[enforced]\nhub_url = "https://hub.example.com"\nupdate_policy = "off"\n'
    )
    return path


def test_layers_and_sources(tmp_path: Path, system: Path) -> None:
    settings = Settings(tmp_path / "data", system)
    assert settings.get("font_size") == 10
    assert settings.effective("font_size").source == "built-in default"
    assert settings.get("hotkey") == "Ctrl+Alt+A"
    assert settings.effective("hotkey").source == f"preset in {system}"
    settings.set("hotkey", "Ctrl+Shift+F")
    reloaded = Settings(tmp_path / "data", system)
    assert reloaded.get("hotkey") == "Ctrl+Shift+F"
    assert reloaded.effective("hotkey").source.startswith("user settings")
    hub = reloaded.effective("hub_url")
    assert (hub.value, hub.locked) == ("https://hub.example.com", True)
    with pytest.raises(SettingsError, match="set by your IT department"):
        reloaded.set("hub_url", "https://elsewhere")
    reloaded.reset("hotkey")
    assert Settings(tmp_path / "data", system).get("hotkey") == "Ctrl+Alt+A"


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


def test_bad_files_are_reported_not_fatal(tmp_path: Path) -> None:
    system = tmp_path / "config.toml"
    system.write_text('[defaults]\nfont_size = "big"\nmystery = 1\n[extra]\n')
    (tmp_path / "settings.json").write_text("{not json")
    settings = Settings(tmp_path, system)
    assert settings.get("font_size") == 10
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
