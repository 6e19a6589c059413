"""The direction of dependencies, enforced (STYLE.md, 'Shape of the code'; README 'Layout').

::

    ui ──────→ app ──→ core        commands ──→ app ──→ core
                 ├───→ sync ──→ core             hub ──→ core
                 └───→ connectors ──→ core

Nothing imports ``ui`` or ``commands`` (but the entry point, ``cli.py``, which starts them);
``core`` imports nothing of the project outside itself; Qt is imported only in ``ui``.  Every
import counts, lazy ones inside functions and ``TYPE_CHECKING`` blocks too: a layering rule that
holds only at start-up does not hold.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import agent_assist

PACKAGE = Path(agent_assist.__file__).parent
QT = ("PySide6", "shiboken6")
ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "sync": {"sync", "core"},
    "hub": {"hub", "core"},
    "app": {"app", "core", "sync", "connectors"},
    "connectors": {"connectors", "core"},
    "ui": {"ui", "app", "core"},
    "commands": {"commands", "app", "core"},
    # top-level modules: the package's version and resource paths are for everyone
    "cli": {"cli", "commands", "app", "core", "ui"},
    "__main__": {"cli"},
}
SHARED = {"__init__", "resources"}
"""``agent_assist/__init__.py`` (the version) and ``resources.py`` (where bundled files are)."""


def layer_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(("agent_assist", *path.relative_to(PACKAGE).with_suffix("").parts[:-1]))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if module == "agent_assist":  # from agent_assist import ui
                for alias in node.names:
                    yield node.lineno, f"{module}.{alias.name}"
            else:
                yield node.lineno, module


def violations(root: Path = PACKAGE) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        layer = layer_of(path)
        for line, name in imported_modules(path):
            where = f"{path.relative_to(root.parent)}:{line} imports {name}"
            top = name.split(".")[0]
            if top in QT and layer != "ui":
                out.append(f"{where} (Qt outside ui/)")
            if top != "agent_assist" or name == "agent_assist":
                continue
            target = name.split(".")[1]
            if target in SHARED or (not (PACKAGE / target).is_dir() and target not in ALLOWED):
                continue
            allowed = ALLOWED.get(layer)
            if allowed is None:
                out.append(f"{where} (module {layer!r} has no place in the layer graph)")
            elif target not in allowed:
                out.append(f"{where} ({layer} may import only {', '.join(sorted(allowed))})")
    return out


def test_imports_follow_the_layer_graph() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("layer", "line"),
    [
        ("core/worklog/fake.py", "from agent_assist.app.context import AppContext"),
        ("core/fake.py", "import PySide6.QtCore"),
        ("app/fake.py", "from agent_assist.ui.tasks import TaskManager"),
        ("app/fake.py", "from PySide6.QtWidgets import QWidget"),
        ("ui/fake.py", "from agent_assist.commands import Context"),
        ("ui/fake.py", "from agent_assist.sync.client import HubClient"),
        ("commands/fake.py", "from agent_assist import ui"),
        ("sync/fake.py", "from agent_assist.app.search import Search"),
        ("hub/fake.py", "from agent_assist.sync.client import HubClient"),
        ("connectors/fake.py", "from agent_assist.app.context import AppContext"),
        ("connectors/fake.py", "from PySide6.QtCore import QObject"),
        ("ui/fake.py", "from agent_assist.connectors.rt import RTConnector"),
        ("commands/fake.py", "from agent_assist.connectors import registry"),
        ("core/fake.py", "def f():\n    from ..app import context"),
        (
            "core/fake.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from agent_assist.ui import app",
        ),
        ("newlayer/fake.py", "from agent_assist.core import errors"),
    ],
)
def test_a_forbidden_import_is_caught(tmp_path: Path, layer: str, line: str) -> None:
    """The checker itself: each of these added to a copy of the tree is reported."""
    root = tmp_path / "agent_assist"
    target = root / layer
    target.parent.mkdir(parents=True)
    target.write_text(line + "\n", encoding="utf-8")
    global PACKAGE
    saved, PACKAGE = PACKAGE, root
    try:
        found = violations(root)
    finally:
        PACKAGE = saved
    assert len(found) == 1, found


def test_core_app_and_cli_imports_do_not_load_qt() -> None:
    """Importing core, the application layer and the CLI must not drag Qt in at run time."""
    code = (
        "import sys, agent_assist.cli, agent_assist.core.search.suggester,"
        " agent_assist.core.cache.store, agent_assist.app.context, agent_assist.app.search,"
        " agent_assist.app.work;"
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
