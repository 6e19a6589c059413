"""Screenshots of the Tickets view: the real window over the demo pack, under a private
Xvfb, with a ticketing tool in memory (``tests/gui/fake_desk.py``: the cloud tools cannot run
here, and RT's live flow is the CI suite's job).

    .venv/bin/python scripts/tickets_screenshot.py [--out-dir DIR]

Writes ``tickets-list.png`` (the agent's open tickets), ``tickets-offline.png`` (the tool
unreachable: the last list stays, marked), ``tickets-chosen.png`` (a ticket chosen: its
timer, its customer's message searched) and ``tickets-send.png`` (Send to ticket's
confirmation) to ``docs/screenshots/``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.gui.xvfb import start_xvfb  # noqa: E402

if TYPE_CHECKING:
    from PySide6.QtGui import QPixmap
    from PySide6.QtWidgets import QWidget

SCREEN = "1366x768x24"
TICKETS = (
    ("3", "Son spent 300 euros on coins", "Elena García", "es",
     "Hola, my son spent 300 euros on coins without asking. Can I get the money back?"),
    ("4", "Can't log in, email changed", "Tom Becker", "de",
     "Someone hacked my account and changed my email, I cannot log in anymore"),
)  # fmt: skip


def wait(app: object, done: Callable[[], bool], timeout: float = 60) -> None:
    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            raise SystemExit("tickets_screenshot: timed out waiting for the window")
        QApplication.processEvents()
        time.sleep(0.02)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    server = start_xvfb(SCREEN)
    if server is None:
        print("tickets_screenshot: no Xvfb; install xvfb", file=sys.stderr)
        return 1
    os.environ.update(DISPLAY=server.display, QT_QPA_PLATFORM="xcb")
    try:
        with tempfile.TemporaryDirectory(prefix="agent-assist-tickets-") as tmp:
            os.environ["XDG_RUNTIME_DIR"] = tmp
            return shoot(Path(tmp) / "data", args.out_dir)
    finally:
        server.stop()


def shoot(data: Path, out: Path) -> int:
    from agent_assist.app.context import AppContext
    from agent_assist.core.settings import Settings
    from agent_assist.ui.app import make_application, open_data, window_settings
    from agent_assist.ui.headless import grab
    from agent_assist.ui.icons import kind_icons
    from agent_assist.ui.main_window import MainWindow
    from agent_assist.ui.tasks import TaskManager
    from tests.gui.fake_desk import FakeConnector, connected_desk

    out.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True)
    ctx = AppContext(data, agent="dana")
    app = make_application("light")
    open_data(ctx)
    ctx.settings.set(Settings.agent_name, "Dana")
    ctx.settings.set(Settings.follow_focus, False)  # the script's own windows are no tool
    connector = FakeConnector()
    for ticket_id, subject, name, locale, text in TICKETS:
        connector.add(ticket_id, subject, name, locale, text)
    desk = connected_desk(ctx, connector)
    tasks = TaskManager()
    window = MainWindow(
        ctx.search,
        tasks,
        window_settings(data),
        kind_icons(),
        ctx.work,
        ctx.settings,
        tickets=lambda: desk,
    )
    window.resize(460, 720)
    window.show()
    window.activateWindow()
    panel = window.tickets
    wait(app, lambda: tasks.is_idle and bool(panel.tickets))
    window.commands.tickets.trigger()
    wait(app, lambda: tasks.is_idle and panel.view.state.text().endswith("assigned to you"))
    panel.view.list.setCurrentIndex(panel.view.model.index(3, 0))
    save(app, window, out / "tickets-list.png", grab)
    connector.offline = True
    panel.refresh()
    wait(app, lambda: tasks.is_idle and panel.view.trouble is not None)
    save(app, window, out / "tickets-offline.png", grab)
    connector.offline = False
    panel.open_ticket("3")
    wait(app, lambda: tasks.is_idle and window.ticket_bar.ticket.text() == "rt:3")
    wait(app, lambda: tasks.is_idle and bool(window.model.rows))
    save(app, window, out / "tickets-chosen.png", grab)
    window.open_macro("child-purchase-guidance")
    wait(app, lambda: tasks.is_idle and window.macro_form.macro is not None)
    route = window.macro_form.editors.get("refund_route")
    if route is not None and hasattr(route, "setCurrentIndex"):
        route.setCurrentIndex(2)
    dialog = panel.send_to_ticket.send()
    if dialog is None:
        print(f"tickets_screenshot: not sendable: {window.macro_form.problems()}", file=sys.stderr)
        return 1
    wait(app, dialog.isVisible)
    save(app, dialog, out / "tickets-send.png", grab)
    dialog.reject()
    panel.focus.stop()
    window.global_hotkey.unregister()
    window.close()
    tasks.shutdown()
    ctx.close()
    return 0


def save(app: object, widget: QWidget, path: Path, grab: Callable[[QWidget], QPixmap]) -> None:
    from PySide6.QtWidgets import QApplication

    for _ in range(20):  # let the last layout and paint land
        QApplication.processEvents()
        time.sleep(0.02)
    if not grab(widget).save(str(path), "PNG"):
        raise SystemExit(f"tickets_screenshot: cannot write {path}")
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
