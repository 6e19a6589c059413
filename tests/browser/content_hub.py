"""A hub of its own for the content pages' browser tests (gaps, editor, approvals), which
publish and decide: the session hub of ``conftest.py`` stays as console-core's tests expect.

Seeded through the real client: ``HubClient.publish`` of the seed pack, and agents' "nothing
fits" reports and abandoned low-confidence searches through ``HubClient.push_events``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent_assist.core.worklog.clock import Instant
from agent_assist.core.worklog.events import Event, EventType
from agent_assist.sync.client import HubClient
from tests.browser.conftest import _page
from tests.browser.seed import KEY, PUBLISHES, pack_payload
from tests.integration.hubserver import HubServer, RunningHub

GAPS = (
    ("agent-bob", "where is my parcel", EventType.NO_MATCH_REPORTED),
    ("agent-bob", "where is my parcel", EventType.NO_MATCH_REPORTED),
    ("agent-cara", "Where is my parcel?", "search_abandoned"),
    ("agent-cara", "where is my package", EventType.NO_MATCH_REPORTED),
    ("agent-bob", "app crashes when uploading a video", EventType.NO_MATCH_REPORTED),
    ("agent-cara", "video upload crashes the app", "search_abandoned"),
    ("agent-bob", "refund my card payment from last year", EventType.NO_MATCH_REPORTED),
)


def gap_events(agent: str) -> list[dict[str, Any]]:
    now = dt.datetime.now(dt.UTC)
    run = uuid.uuid4().hex
    out = []
    for n, (who, query, kind) in enumerate(GAPS):
        if who != agent:
            continue
        at = Instant(now - dt.timedelta(days=3, minutes=n), float(n), run)
        event = Event(EventType.NO_MATCH_REPORTED, at, agent, query=query).to_shareable(KEY)
        event["type"] = str(kind)  # search_abandoned: the client's low-confidence event
        out.append(event)
    return out


def seed(hub: RunningHub) -> None:
    with httpx.Client(base_url=hub.url, timeout=30) as http:
        lead = HubClient(http, hub.tokens["lead"])
        for files, note in PUBLISHES:
            lead.publish(pack_payload(files, note))
    for agent in ("agent-bob", "agent-cara"):
        token = hub.tokens.get(agent) or hub.create_token(agent, "agent")
        with httpx.Client(base_url=hub.url, timeout=30) as http:
            HubClient(http, token).push_events(gap_events(agent))


@pytest.fixture(scope="module")
def content_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    with HubServer(tmp_path_factory.mktemp("content-hub"), "sqlite") as hub:
        hub.tokens["agent-bob"] = hub.tokens["agent"]
        hub.create_token("lead-carl", "lead")
        seed(hub)
        yield hub


@pytest.fixture
def lead(browser: Any, content_hub: RunningHub) -> Iterator[Any]:
    """A page on the content hub signed in as lead-anna."""
    yield from _page(browser, content_hub.url, content_hub.tokens["lead"], set())


@pytest.fixture
def other_lead(browser: Any, content_hub: RunningHub) -> Iterator[Any]:
    """A page on the content hub signed in as lead-carl."""
    yield from _page(browser, content_hub.url, content_hub.tokens["lead-carl"], set())


def api(hub: RunningHub, method: str, path: str, **kw: Any) -> Any:
    response = httpx.request(method, f"{hub.url}{path}", headers=hub.auth("lead"), timeout=30, **kw)
    response.raise_for_status()
    return response.json()


__all__ = ["Path", "api", "content_hub", "lead", "other_lead"]
