"""Build the frozen app with PyInstaller, smoke-test it, and package it for Linux.

    python installers/build.py            # bundle + smoke test + .deb + tarball (Linux)
    python installers/build.py --no-package   # bundle + smoke test only

The smoke test starts each frozen executable on a throwaway data dir, headless, and fails on
a non-zero exit or on anything unexpected on stderr (qutebrowser's build_release.py does the
same).  Prints a table: bundle size, build time, start-to-window time (when the app's "window on
screen" line arrives) and start-to-quit time of ``--smoke`` (medians of 5 usual starts).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent_assist import __version__  # noqa: E402

DIST = ROOT / "dist"
BUNDLE = DIST / "agent-assist"


class BuildError(Exception):
    pass


def step(text: str) -> None:
    print(f"[build] {text}", flush=True)


def build_bundle() -> float:
    step("PyInstaller: building the onedir bundle")
    start = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(ROOT / "build" / "pyinstaller"),
            str(ROOT / "installers" / "agent_assist.spec"),
        ],
        check=True,
        cwd=ROOT,
    )
    strip_debug_info(BUNDLE)
    return time.monotonic() - start


def strip_debug_info(bundle: Path) -> None:
    """Drop debug sections from the bundle's shared libraries (libpython alone carries 17 MB
    of them).  PyInstaller's own ``strip`` option strips everything, which breaks OpenBLAS
    ("ELF load command address/offset not page-aligned"), so OpenBLAS and the libraries
    shipped beside it in ``numpy.libs`` are left as they are."""
    strip = shutil.which("strip")
    if not sys.platform.startswith("linux") or strip is None:
        return
    libs = [
        p
        for p in bundle.rglob("*.so*")
        if p.is_file()
        and not p.is_symlink()
        and "numpy.libs" not in p.parts
        and "openblas" not in p.name
    ]
    before = tree_size(bundle)
    for chunk in range(0, len(libs), 200):
        subprocess.run([strip, "--strip-debug", *map(str, libs[chunk : chunk + 200])], check=True)
    saved = (before - tree_size(bundle)) / 1e6
    step(f"stripped debug info from {len(libs)} libraries: {saved:.1f} MB")


def smoke_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "AGENT_ASSIST_"))
    }
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def unexpected(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.strip()]


def run_checked(cmd: list[str], what: str, stdin: str | None = None) -> tuple[str, float]:
    start = time.monotonic()
    result = subprocess.run(
        cmd, capture_output=True, text=True, env=smoke_env(), input=stdin, timeout=120, check=False
    )
    elapsed = time.monotonic() - start
    bad = unexpected(result.stderr)
    if result.returncode != 0 or bad:
        raise BuildError(f"{what} failed (exit {result.returncode}):\n{result.stderr}")
    return result.stdout, elapsed


def timed_start(cmd: list[str], what: str) -> tuple[float, float]:
    """Run ``--smoke`` and time it from here: (start to window on screen, start to exit).
    The window time is when the app's "window on screen" line arrives on its stdout."""
    start = time.monotonic()
    shown = 0.0
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=smoke_env()
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        for line in proc.stdout:
            if line.strip() == "agent-assist: window on screen" and not shown:
                shown = time.monotonic() - start
        stderr = proc.stderr.read()
        code = proc.wait(timeout=120)
    elapsed = time.monotonic() - start
    bad = unexpected(stderr)
    if code != 0 or bad:
        raise BuildError(f"{what} failed (exit {code}):\n{stderr}")
    if not shown:
        raise BuildError(f"{what}: the app never said its window was on screen")
    return shown, elapsed


def smoke_test(bundle: Path, runs: int = 5) -> list[tuple[float, float]]:
    """Start the frozen app headless ``runs`` times on throwaway data; return the times
    (start to window on screen, start to exit) of each start."""
    exe = ".exe" if sys.platform == "win32" else ""
    gui, cli = bundle / f"agent-assist-gui{exe}", bundle / f"agent-assist{exe}"
    times: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="aa-smoke-") as tmp:
        out, _ = run_checked([str(cli), "--version"], "agent-assist --version")
        if __version__ not in out:
            raise BuildError(f"--version printed {out!r}, expected {__version__}")
        for n in range(runs):
            # The first run starts on an empty data dir and imports the demo pack.
            command = [str(gui), "--data-dir", f"{tmp}/data", "--smoke"]
            times.append(timed_start(command, f"smoke run {n + 1}"))
        out, _ = run_checked([str(cli), "--data-dir", f"{tmp}/data", "list", "--json"], "list")
        if out.count('"kind": "sop"') < 40:
            raise BuildError("the frozen app did not load the demo pack")
        out, _ = run_checked(
            [str(cli), "--data-dir", f"{tmp}/data", "suggest", "--json"],
            "suggest",
            stdin="someone hacked my account\n",
        )
        if '"results": [{' not in out:
            raise BuildError(f"the frozen app suggested nothing: {out}")
    step(f"smoke test passed ({runs} starts, CLI list and suggest)")
    return times


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build_deb(bundle: Path) -> Path:
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    step("packaging .deb")
    with tempfile.TemporaryDirectory(prefix="aa-deb-") as tmp:
        root = Path(tmp) / "root"
        shutil.copytree(bundle, root / "opt" / "agent-assist", symlinks=True)
        (root / "usr" / "bin").mkdir(parents=True)
        for name in ("agent-assist", "agent-assist-gui"):
            (root / "usr" / "bin" / name).symlink_to(f"/opt/agent-assist/{name}")
        linux = ROOT / "installers" / "linux"
        apps = root / "usr" / "share" / "applications"
        apps.mkdir(parents=True)
        shutil.copy(linux / "agent-assist.desktop", apps)
        icons = root / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps"
        icons.mkdir(parents=True)
        shutil.copy(ROOT / "resources" / "icons" / "agent-assist.svg", icons / "agent-assist.svg")
        control = (
            (linux / "control.in")
            .read_text()
            .format(
                version=__version__,
                arch=arch,
                size=tree_size(root) // 1024,
            )
        )
        (root / "DEBIAN").mkdir()
        (root / "DEBIAN" / "control").write_text(control)
        out = DIST / f"agent-assist_{__version__}_{arch}.deb"
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(root), str(out)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return out


def test_deb(deb: Path) -> None:
    """Install the .deb into a throwaway root (no container, no root needed) and smoke it."""
    with tempfile.TemporaryDirectory(prefix="aa-debroot-") as tmp:
        subprocess.run(["dpkg-deb", "-x", str(deb), tmp], check=True)
        desktop = Path(tmp) / "usr/share/applications/agent-assist.desktop"
        if "Exec=agent-assist-gui" not in desktop.read_text():
            raise BuildError("the .desktop entry does not start agent-assist-gui")
        smoke_test(Path(tmp) / "opt" / "agent-assist", runs=1)
    step(f"{deb.name}: installs into a throwaway root and passes the smoke test")


def build_tarball(bundle: Path) -> Path:
    out = DIST / f"agent-assist-{__version__}-linux-{platform.machine()}.tar.gz"
    step("packaging portable tarball")
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=f"agent-assist-{__version__}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="reuse dist/agent-assist")
    parser.add_argument("--no-package", action="store_true", help="skip .deb and tarball")
    args = parser.parse_args()
    try:
        build_time = 0.0 if args.no_build else build_bundle()
        times = smoke_test(BUNDLE, runs=6)  # a first start on empty data, then 5 usual ones
        warm = times[1:]
        rows = [
            ("bundle size (onedir)", f"{tree_size(BUNDLE) / 1e6:.1f} MB"),
            ("build time", f"{build_time:.1f} s" if build_time else "(reused)"),
            ("first start to window, importing demo pack", f"{times[0][0]:.2f} s"),
            ("start to window, median of 5", f"{statistics.median(t[0] for t in warm):.2f} s"),
            (
                "start to settled and quit (--smoke), median of 5",
                f"{statistics.median(t[1] for t in warm):.2f} s",
            ),
        ]
        if sys.platform.startswith("linux") and not args.no_package:
            deb = build_deb(BUNDLE)
            test_deb(deb)
            tarball = build_tarball(BUNDLE)
            rows += [
                (".deb", f"{deb.stat().st_size / 1e6:.1f} MB"),
                ("tarball", f"{tarball.stat().st_size / 1e6:.1f} MB"),
            ]
    except (BuildError, subprocess.CalledProcessError, OSError) as exc:
        print(f"[build] FAILED: {exc}", file=sys.stderr)
        return 1
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':{width}}  value\n{'-' * width}  -----")
    for name, value in rows:
        print(f"{name:{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
