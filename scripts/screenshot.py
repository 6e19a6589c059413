"""Regenerate the README screenshots from the real app showing the demo pack.

    .venv/bin/python scripts/screenshot.py [--out-dir DIR]

Writes ``docs/screenshots/{search,sop,macro,checklist}.png`` (one per ``--demo-state``) and
copies the search state to ``docs/screenshot.png``.  Runs ``agent-assist --demo-state NAME
--screenshot PNG`` in one throwaway data dir (so the demo pack is imported as on a first start)
on the current X display, or on a private Xvfb when there is none.
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
MAIN = "search"


def screenshot(state: str, out: Path, data: Path, display: str, runtime: Path) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", XDG_RUNTIME_DIR=str(runtime))
    command = [
        sys.executable,
        "-m",
        "agent_assist",
        "--data-dir",
        str(data),
        "--demo-state",
        state,
        "--screenshot",
        str(out.resolve()),
    ]
    return subprocess.run(command, env=env, cwd=ROOT, check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    display = os.environ.get("DISPLAY")
    server: Xvfb | None = None
    if not display:
        server = start_xvfb()
        if server is None:
            print("screenshot: no DISPLAY and no Xvfb; install xvfb", file=sys.stderr)
            return 1
        display = server.display
    shots = args.out_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="agent-assist-shot-") as tmp:
            runtime = Path(tmp) / "runtime"
            runtime.mkdir(mode=0o700)
            for state in STATES:
                out = shots / f"{state}.png"
                code = screenshot(state, out, Path(tmp) / "data", display, runtime)
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
