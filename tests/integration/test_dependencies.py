"""The desktop package needs no server: the hub's web stack is the ``hub`` extra.

``pip install agent-assist`` on an agent's workstation must not bring FastAPI, uvicorn, psycopg
or prometheus-client; ``pip install "agent-assist[hub]"`` does.  Checked offline: the wheel
metadata as the build backend (hatchling) writes it, and the desktop code run with every
package that only the ``hub`` extra brings made unimportable, as on a desktop install.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import subprocess
import sys
from collections.abc import Iterable
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from agent_assist.hub.cli import SERVER_EXTRA_HINT, missing_server_modules
from agent_assist.resources import demo_pack

ROOT = Path(__file__).resolve().parents[2]
SERVER_DISTS = {"fastapi", "uvicorn", "psycopg", "prometheus-client"}
SERVER_MODULES = {"fastapi", "uvicorn", "psycopg", "prometheus_client"}

# Runs in a fresh interpreter: make the named top-level modules unimportable, then either
# import every desktop module ("import-all") or run a module as ``python -m`` would.
BOOT = """
import importlib, pkgutil, runpy, sys

BLOCKED = frozenset(sys.argv[1].split(","))

class HubOnlyBlocker:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
        return None

already = sorted(BLOCKED & {m.partition(".")[0] for m in sys.modules})
assert not already, f"imported before the blocker: {already}"
sys.meta_path.insert(0, HubOnlyBlocker())
mode, rest = sys.argv[2], sys.argv[3:]
if mode == "import-all":
    import agent_assist

    names = ["agent_assist.hub.cli"]  # the hub's entry point must load, to say what is missing
    for info in pkgutil.walk_packages(agent_assist.__path__, "agent_assist."):
        if not info.name.startswith("agent_assist.hub.") and info.name != "agent_assist.__main__":
            names.append(info.name)
    for name in names:
        importlib.import_module(name)
    print(len(names))
else:
    sys.argv = [mode, *rest]
    runpy.run_module(mode, run_name="__main__", alter_sys=True)
"""


@pytest.fixture(scope="module")
def metadata(tmp_path_factory: pytest.TempPathFactory) -> Message:
    """The wheel's METADATA, from the build backend's PEP 517 hook (no network, no build)."""
    out = tmp_path_factory.mktemp("metadata")
    hook = (
        "import sys; from hatchling.build import prepare_metadata_for_build_wheel as hook; "
        "print(hook(sys.argv[1]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", hook, str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    dist_info = out / result.stdout.strip().splitlines()[-1]
    return HeaderParser().parsestr((dist_info / "METADATA").read_text(encoding="utf-8"))


def requirements(metadata: Message) -> list[Requirement]:
    return [Requirement(text) for text in metadata.get_all("Requires-Dist") or []]


def needs_extra(req: Requirement) -> bool:
    return req.marker is not None and "extra" in str(req.marker)


def applies(req: Requirement, extra: str) -> bool:
    """Does ``req`` apply here (this Python, this OS) when ``extra`` ("" for none) is asked for?"""
    return req.marker is None or req.marker.evaluate({"extra": extra})


def installed_closure(reqs: Iterable[Requirement]) -> set[str]:
    """The distributions these requirements install in this environment, all the way down."""
    seen: set[tuple[str, str]] = set()
    names: set[str] = set()
    todo = list(reqs)
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        names.add(name)
        for extra in ("", *sorted(req.extras)):
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            for text in importlib.metadata.requires(name) or []:
                sub = Requirement(text)
                if applies(sub, extra):
                    todo.append(sub)
    return names


def hub_only_modules(metadata: Message) -> set[str]:
    """Top-level modules that only the ``hub`` extra brings (absent from a desktop install)."""
    reqs = requirements(metadata)
    desktop = installed_closure(r for r in reqs if applies(r, ""))
    hub_only = installed_closure(r for r in reqs if applies(r, "hub")) - desktop
    return {
        module
        for module, dists in importlib.metadata.packages_distributions().items()
        if all(canonicalize_name(d) in hub_only for d in dists)
    }


@pytest.fixture(scope="module")
def blocked(metadata: Message) -> set[str]:
    modules = hub_only_modules(metadata)
    assert modules >= SERVER_MODULES  # this environment has the hub extra installed
    assert not modules & {"httpx", "anyio", "yaml", "cryptography", "PySide6", "sqlite_utils"}
    return modules


def run_blocked(blocked: set[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BOOT, ",".join(sorted(blocked)), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_server_stack_is_the_hub_extra_only(metadata: Message) -> None:
    reqs = requirements(metadata)
    desktop = {canonicalize_name(r.name) for r in reqs if not needs_extra(r)}
    hub = {canonicalize_name(r.name) for r in reqs if needs_extra(r) and applies(r, "hub")}
    assert "hub" in (metadata.get_all("Provides-Extra") or [])
    assert not desktop & SERVER_DISTS
    assert hub >= SERVER_DISTS
    assert {"sqlite-utils", "httpx", "pyside6-essentials"} <= desktop


def test_desktop_modules_import_without_the_hub_packages(blocked: set[str]) -> None:
    result = run_blocked(blocked, "import-all")
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 50  # agent_assist.cli, core.*, sync.*, ui.*, commands.*, ...


def test_desktop_command_line_works_without_the_hub_packages(
    blocked: set[str], tmp_path: Path
) -> None:
    helped = run_blocked(blocked, "agent_assist", "--help")
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage: agent-assist")

    data = ("--data-dir", str(tmp_path / "data"))
    imported = run_blocked(blocked, "agent_assist", *data, "import", str(demo_pack()))
    assert imported.returncode == 0, imported.stderr
    suggested = run_blocked(blocked, "agent_assist", *data, "suggest", "--json", "refund")
    assert suggested.returncode == 0, suggested.stderr
    results = json.loads(suggested.stdout)["results"]
    assert any(r["id"] == "coin-refund" for r in results), results


@pytest.mark.parametrize("args", [("--help",), ("serve",), ("token", "list")])
def test_the_hub_without_its_extra_says_what_to_install(
    blocked: set[str], args: tuple[str, ...]
) -> None:
    result = run_blocked(blocked, "agent_assist.hub.cli", *args)
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()  # one line, no traceback
    assert line.startswith(f"agent-assist-hub: {SERVER_EXTRA_HINT} (missing: ")


def test_the_hub_with_its_extra_misses_nothing() -> None:
    assert missing_server_modules() == []


def test_the_frozen_build_leaves_the_hub_stack_out(blocked: set[str]) -> None:
    spec = ast.parse((ROOT / "installers" / "agent_assist.spec").read_text(encoding="utf-8"))
    [excludes] = [
        ast.literal_eval(node.value)
        for node in spec.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "HUB_EXCLUDES" for t in node.targets)
    ]
    assert set(excludes) >= blocked | {"agent_assist.hub"}
