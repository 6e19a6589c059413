"""Layering rules that keep the codebase easy to change (STYLE.md, 'Shape of the code')."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import agent_assist

PACKAGE = Path(agent_assist.__file__).parent
HEADLESS = ("core", "sync", "hub")
QT = ("PySide6", "shiboken6")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_headless_layers_never_import_qt_or_ui() -> None:
    offenders = []
    for layer in HEADLESS:
        for path in (PACKAGE / layer).rglob("*.py"):
            for name in imported_modules(path):
                if name.split(".")[0] in QT or name.startswith("agent_assist.ui"):
                    offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_core_import_does_not_load_qt() -> None:
    """Importing core, the CLI and the headless commands must not drag Qt in at run time."""
    code = (
        "import sys, agent_assist.cli, agent_assist.core.search.suggester,"
        " agent_assist.core.cache.store;"
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
