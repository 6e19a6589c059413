"""``agent-assist convert`` then ``agent-assist validate``, through the real command in a
subprocess, on each importer's fixture (``tests/fixtures/importers/README.md`` cites the vendor
documentation each follows)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent_assist.app import convert
from agent_assist.core.knowledge import importers

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"


def agent_assist(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent_assist", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("tool", "fixture", "summary", "warning"),
    [
        (
            "zendesk-macros",
            "zendesk-macros.json",
            "5 macros written (pack 'out'), 4 warning(s), 2 skipped",
            'warning: macros[2] ("Password reset steps"): {{ticket.organization.name}} has no',
        ),
        (
            "freshdesk-canned",
            "freshdesk-canned.json",
            "3 macros written (pack 'out'), 2 warning(s), 0 skipped",
            'warning: [1] ("We’ve received your request"): {{ticket.url}} has no equivalent',
        ),
        (
            "zammad-text-modules",
            "zammad-text-modules.json",
            "3 macros written (pack 'out'), 1 warning(s), 1 skipped",
            'skipped: [3] ("Old holiday notice"): inactive in Zammad',
        ),
    ],
)
def test_convert_then_validate(
    tmp_path: Path, tool: str, fixture: str, summary: str, warning: str
) -> None:
    out = tmp_path / "out"
    converted = agent_assist("convert", tool, str(FIXTURES / fixture), str(out))
    assert converted.returncode == 0, converted.stderr
    assert converted.stdout == f"{out}: {summary}\n"
    assert f"{FIXTURES / fixture}: {warning}" in converted.stderr
    validated = agent_assist("validate", str(out))
    assert validated.returncode == 0, validated.stderr
    assert "valid:" in validated.stderr and "0 error(s), 0 warning(s)" in validated.stderr


def test_a_bad_export_fails_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "macros.json"
    bad.write_text('{"macros": [{"title": "x", "actions": {"field": 1}}]}', encoding="utf-8")
    result = agent_assist("convert", "zendesk-macros", str(bad), str(tmp_path / "out"))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"agent-assist: {bad}: macros[0].actions: expected a list, got an object\n"
    )
    assert not (tmp_path / "out").exists()
    assert agent_assist("convert", "rt-templates", str(bad), "x").returncode == 2


def test_the_command_offers_exactly_the_core_importers() -> None:
    assert list(convert.TOOLS) == list(importers.TOOLS)
