"""Screenshots of the lead console for the README: a seeded hub, Debian's chromium, three pages.

Starts a hub (uvicorn on loopback, a throwaway data dir), seeds it through the real client
(``tests/browser/seed.py``, three times the browser tests' sessions, and the gap reports of
``tests/browser/content_hub.py``), signs in as the lead and
saves ``docs/screenshots/console-{overview,sop,gaps}.png`` (the gaps page when the hub serves
one).  Run through ``scripts/console-screenshots``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent_assist.sync.client import HubClient, make_http  # noqa: E402
from tests.browser.conftest import CHROMIUM, sign_in  # noqa: E402
from tests.browser.content_hub import gap_events  # noqa: E402
from tests.browser.seed import AGENTS, seed_hub  # noqa: E402
from tests.integration.hubserver import HubServer  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PAGES = (
    ("console-overview.png", "/console?range=30"),
    ("console-sop.png", "/console/sops/card-refund?days=all"),
    ("console-gaps.png", "/console/gaps"),
)


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, HubServer(Path(tmp) / "hub") as hub:
        agents = {hub.names["agent"]: hub.tokens["agent"]}
        for name in AGENTS:
            if name not in agents:
                agents[name] = hub.create_token(name, "agent")
        seed_hub(hub.url, hub.tokens["lead"], agents, scale=3)
        with HubClient(make_http(hub.url), hub.tokens["lead"]) as lead:  # the gaps inbox
            lead.push_events([e for agent in agents for e in gap_events(agent)])
        with sync_playwright() as playwright:
            args = ["--no-sandbox"] if os.geteuid() == 0 else []
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
            context = browser.new_context(
                base_url=hub.url, viewport={"width": 1280, "height": 900}, color_scheme="light"
            )
            page = context.new_page()
            sign_in(page, hub.url, hub.tokens["lead"])
            for name, path in PAGES:
                response = page.goto(path)
                if response is None or response.status != 200:
                    print(f"skipped {name}: {path} answered {response.status if response else '?'}")
                    continue
                page.screenshot(path=str(OUT / name), full_page=True)
                print(f"wrote {OUT / name}")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
