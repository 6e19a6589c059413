"""The lead console in a real browser: Debian's chromium driven by Playwright, against a
real hub (uvicorn on loopback) seeded through the real client (``seed.py``).

Fixtures for every ``tests/browser/test_*.py`` (see /work/notes/console_api.md):
``console_hub`` (one seeded hub for the session), ``hub_url``, ``lead_token``,
``admin_token``, ``agent_token``, ``api`` (a lead's JSON GET), ``browser``, and the pages
``page`` (signed in as the lead), ``admin_page`` (as the admin) and ``anon_page`` (not
signed in).  A page fails its test on any console error or uncaught page error.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.seed import AGENTS, seed_hub
from tests.integration.hubserver import HubServer, RunningHub

CHROMIUM = Path("/usr/bin/chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def console_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    with HubServer(tmp_path_factory.mktemp("console-hub"), "sqlite") as hub:
        agents = {hub.names["agent"]: hub.tokens["agent"]}
        for name in AGENTS:
            if name not in agents:
                agents[name] = hub.create_token(name, "agent")
        hub.seeded = seed_hub(hub.url, hub.tokens["lead"], agents)  # type: ignore[attr-defined]
        yield hub


@pytest.fixture(scope="session")
def hub_url(console_hub: RunningHub) -> str:
    return console_hub.url


@pytest.fixture(scope="session")
def lead_token(console_hub: RunningHub) -> str:
    return console_hub.tokens["lead"]


@pytest.fixture(scope="session")
def admin_token(console_hub: RunningHub) -> str:
    return console_hub.tokens["admin"]


@pytest.fixture(scope="session")
def agent_token(console_hub: RunningHub) -> str:
    return console_hub.tokens["agent"]


@pytest.fixture(scope="session")
def api(hub_url: str, lead_token: str) -> Callable[..., Any]:
    """``api("/v1/reports/sops", since="30d")``: the JSON a lead's GET returns."""

    def get(path: str, **params: Any) -> Any:
        response = httpx.get(
            f"{hub_url}{path}",
            params=params,
            headers={"Authorization": f"Bearer {lead_token}"},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    return get


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (scripts/setup installs Debian's chromium)"
        if os.environ.get("AGENT_ASSIST_PACKAGING"):  # CI (.ci/run): the suite must run
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        yield launched
        launched.close()


class PageErrors:
    """Console errors and uncaught exceptions of one page, checked after its test."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def watch(self, page: Any) -> None:
        page.on(
            "console",
            lambda m: (
                self.messages.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda exc: self.messages.append(f"page error: {exc}"))


def sign_in(page: Any, hub_url: str, token: str) -> None:
    page.goto(f"{hub_url}/console/sign-in")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_url(f"{hub_url}/console")


def _page(browser: Any, hub_url: str, token: str | None, expected: set[str]) -> Iterator[Any]:
    context = browser.new_context(base_url=hub_url)
    page = context.new_page()
    errors = PageErrors()
    errors.watch(page)
    if token is not None:
        sign_in(page, hub_url, token)
    page.expected_errors = expected  # a test may allow a refusal's "Failed to load" line
    yield page
    context.close()
    unexpected = [m for m in errors.messages if not any(e in m for e in page.expected_errors)]
    assert not unexpected, "\n".join(unexpected)


@pytest.fixture
def page(browser: Any, hub_url: str, lead_token: str) -> Iterator[Any]:
    yield from _page(browser, hub_url, lead_token, set())


@pytest.fixture
def admin_page(browser: Any, hub_url: str, admin_token: str) -> Iterator[Any]:
    yield from _page(browser, hub_url, admin_token, set())


@pytest.fixture
def anon_page(browser: Any, hub_url: str) -> Iterator[Any]:
    yield from _page(browser, hub_url, None, set())
