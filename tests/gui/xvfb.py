"""A private Xvfb server for the tests and scripts that need a real X display."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
from dataclasses import dataclass

SCREEN = "1280x800x24"


@dataclass
class Xvfb:
    process: subprocess.Popen[bytes]
    display: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_xvfb(screen: str = SCREEN, timeout: float = 30.0) -> Xvfb | None:
    """A running Xvfb on a free display, or ``None`` when Xvfb is not installed.

    ``-displayfd`` makes the server choose a free display number and write it to a pipe once
    it accepts connections: no guessed numbers, no polling.
    """
    binary = shutil.which("Xvfb")
    if binary is None:
        return None
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        [binary, "-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        ready, _, _ = select.select([pipe], [], [], timeout)
        number = pipe.readline().decode().strip() if ready else ""
    if not number.isdigit():
        process.kill()
        process.wait()
        raise RuntimeError(
            f"Xvfb did not report a display within {timeout} s (exit code {process.returncode})"
        )
    return Xvfb(process, f":{number}")
