"""Regenerate the README screenshots from the real app showing the demo pack.

    .venv/bin/python scripts/screenshot.py [--out-dir DIR]

Writes ``docs/screenshots/{light,dark,scale2}-{search,sop,macro,checklist}.png`` (one per
``--demo-state``: the light theme, the dark theme, the light theme at ``QT_SCALE_FACTOR=2``)
and copies the light search state to ``docs/screenshot.png``.  Runs ``agent-assist
--demo-state NAME --screenshot PNG`` in one throwaway data dir per variant (so the demo pack is
imported as on a first start) on a private 1366×768 Xvfb, a common laptop screen: at 2× the
window has to fit 683×384 logical pixels.  ``--display`` uses a running X server instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.gui.xvfb import Xvfb, start_xvfb  # noqa: E402

STATES = ("search", "sop", "macro", "checklist")  # checklist last: it leaves a saved run
VARIANTS = {"light": ("light", 1), "dark": ("dark", 1), "scale2": ("light", 2)}
"""Name: (theme, scale factor)."""
MAIN = "light-search"
SCREEN = "1366x768x24"


def agent_assist(data: Path, *args: str, env: dict[str, str] | None = None) -> int:
    command = [sys.executable, "-m", "agent_assist", "--data-dir", str(data), *args]
    return subprocess.run(command, env=env, cwd=ROOT, check=False).returncode


def screenshot(state: str, out: Path, data: Path, display: str, runtime: Path, scale: int) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", XDG_RUNTIME_DIR=str(runtime))
    env.update(QT_SCALE_FACTOR=str(scale))
    return agent_assist(data, "--demo-state", state, "--screenshot", str(out.resolve()), env=env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs")
    parser.add_argument("--display", help="use this X display instead of a private Xvfb")
    args = parser.parse_args()
    display = args.display
    server: Xvfb | None = None
    if not display:
        server = start_xvfb(SCREEN)
        if server is None:
            print("screenshot: no Xvfb; install xvfb or pass --display", file=sys.stderr)
            return 1
        display = server.display
    shots = args.out_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="agent-assist-shot-") as tmp:
            runtime = Path(tmp) / "runtime"
            runtime.mkdir(mode=0o700)
            for variant, (theme, scale) in VARIANTS.items():
                data = Path(tmp) / variant
                if agent_assist(data, "settings", "set", "theme", theme) != 0:
                    return 1
                for state in STATES:
                    out = shots / f"{variant}-{state}.png"
                    code = screenshot(state, out, data, display, runtime, scale)
                    if code != 0:
                        return code
                    print(f"wrote {out}")
    finally:
        if server is not None:
            server.stop()
    shutil.copyfile(shots / f"{MAIN}.png", args.out_dir / "screenshot.png")
    print(f"wrote {args.out_dir / 'screenshot.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
