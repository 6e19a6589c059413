"""The desktop app's command line is read without building every subcommand."""

from __future__ import annotations

import subprocess
import sys

import pytest

from agent_assist.cli import gui_args


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--smoke"],
        ["--data-dir", "/tmp/x", "--debug", "--query", "refund please"],
        ["--data-dir=/tmp/x", "--demo-state", "macro", "--screenshot", "a.png"],
    ],
)
def test_a_desktop_start_is_read_by_the_quick_parser(argv: list[str]) -> None:
    args = gui_args(argv)
    assert args is not None
    assert args.command is None


@pytest.mark.parametrize(
    "argv",
    [
        ["suggest", "refund"],
        ["--data-dir", "/tmp/x", "import", "pack"],
        ["--help"],
        ["--version"],
        ["--demo-state", "bogus"],  # the whole parser says what is wrong
        ["--no-such-option"],
        ["--query"],
    ],
)
def test_anything_else_goes_to_the_whole_parser(argv: list[str]) -> None:
    assert gui_args(argv) is None


def test_reading_a_desktop_start_imports_no_command_module() -> None:
    code = (
        "import sys; from agent_assist.cli import gui_args; gui_args(['--smoke']); "
        "print(sorted(m for m in sys.modules if m.startswith('agent_assist.commands.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
