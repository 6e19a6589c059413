"""Find bundled resources the same way from a source checkout, a wheel and a frozen build.

The repository keeps them in ``resources/`` at its root; a wheel carries them as
``agent_assist/_resources``; PyInstaller unpacks them under ``sys._MEIPASS``.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    candidates = [Path(frozen) / "resources"] if frozen else []
    candidates += [_PACKAGE / "_resources", _PACKAGE.parent / "resources"]
    for candidate in candidates:
        if (candidate / "demo-pack").is_dir():
            return candidate
    raise FileNotFoundError(
        "bundled resources not found; looked in " + ", ".join(str(c) for c in candidates)
    )


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def demo_pack() -> Path:
    return resource("demo-pack")
