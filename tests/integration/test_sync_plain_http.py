"""A hub reached over plain HTTP from another machine (allowed with ``insecure_http``) syncs,
but its signing key is never pinned: anyone on the path could have sent another one.

The hub runs on loopback; the client is given a non-loopback address (``hub.test``) whose
requests a transport relays to the real hub, so the client sees exactly that situation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from agent_assist.core.cache.store import Store
from agent_assist.core.settings import Settings
from agent_assist.sync.credentials import Credentials
from agent_assist.sync.service import SyncState, run_sync
from tests.integration import hubserver
from tests.integration.hubserver import RunningHub

hub = hubserver.hub
REMOTE = "http://hub.test:8750"


def relay_to(real: httpx.Client) -> Callable[[str, str], httpx.Client]:
    def handle(request: httpx.Request) -> httpx.Response:
        upstream = real.request(
            request.method,
            request.url.raw_path.decode(),
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
            content=request.content,
        )
        headers = {k: v for k, v in upstream.headers.items() if k.lower() != "content-length"}
        return httpx.Response(upstream.status_code, headers=headers, content=upstream.content)

    def factory(url: str, ca_bundle: str) -> httpx.Client:
        return httpx.Client(base_url=url, transport=httpx.MockTransport(handle))

    return factory


def test_plain_http_to_another_machine_syncs_but_never_pins(
    hub: RunningHub, data_dir: Path
) -> None:
    settings = Settings(data_dir, system_file=data_dir / "none.toml")
    settings.set("hub_url", REMOTE)
    creds = Credentials(None, {"AGENT_ASSIST_TOKEN": hub.tokens["agent"]})
    with httpx.Client(base_url=hub.url, timeout=30) as real:
        refused, _ = run_sync(data_dir, settings, credentials=creds, http_factory=relay_to(real))
        assert refused.state is SyncState.NOT_CONFIGURED  # not without insecure_http

        settings.set("insecure_http", True)
        report, details = run_sync(
            data_dir, settings, credentials=creds, http_factory=relay_to(real)
        )
    assert report.state is SyncState.ONLINE, report.error
    assert details.agent == hub.names["agent"]
    assert details.key_pinned == ""
    with Store.in_dir(data_dir) as store:
        assert store.pinned_hub_keys() == []
