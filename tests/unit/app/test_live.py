"""LiveSync with no hub set: the "no hub" rounds come without the network stack's import cost."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from agent_assist.app.live import LiveSync

    reports, states = [], []
    got = threading.Event()
    live = LiveSync(Path(sys.argv[1]), poll_seconds=30)
    def on_report(report):
        reports.append(report)
        got.set()
    live.start(on_report, lambda state, seconds: states.append((state, seconds)), print)
    assert got.wait(10), "no report"
    live.stop()
    [report] = reports
    print(report.state, report.error, states[0], "httpx" in sys.modules)
    """
)


def test_no_hub_is_reported_without_importing_httpx(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.split("\n")[0] == (
        "not_configured no hub configured (setting hub_url) ('waiting', 30) False"
    )
