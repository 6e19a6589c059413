"""Plain ``http://`` is for a hub on this machine: to another machine the client refuses it
unless told (``insecure_http``), before a token is sent anywhere."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from agent_assist.cli import main
from agent_assist.core.settings import Settings
from agent_assist.sync.client import (
    HubClient,
    PlainHttpRefusedError,
    make_http,
    plain_http_refusal,
    trusted_transport,
)
from agent_assist.sync.credentials import Credentials
from agent_assist.sync.service import SyncState, run_sync


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("https://hub.example.com", True),
        ("https://10.0.0.5:8750", True),
        ("http://127.0.0.1:8750", True),
        ("http://127.1.2.3:8750", True),
        ("http://localhost:8750", True),
        ("http://[::1]:8750", True),
        ("http://hub.example.com", False),
        ("http://10.0.0.5:8750", False),
        ("http://localhost.example.com", False),
    ],
)
def test_which_urls_are_trusted(url: str, trusted: bool) -> None:
    assert trusted_transport(url) is trusted
    assert (plain_http_refusal(url) is None) is trusted
    assert plain_http_refusal(url, insecure_http=True) is None


def test_the_client_refuses_before_sending_anything() -> None:
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    transport = httpx.MockTransport(handle)
    with pytest.raises(PlainHttpRefusedError, match="--insecure-http"):
        HubClient(httpx.Client(base_url="http://10.0.0.5:8750", transport=transport), "tok")
    allowed = HubClient(
        httpx.Client(base_url="http://10.0.0.5:8750", transport=transport),
        "tok",
        insecure_http=True,
    )
    assert not allowed.trusted_transport  # allowed, but its signing key is never pinned
    assert sent == []


def test_a_sync_round_refuses_without_calling_the_hub(data_dir: Path) -> None:
    settings = Settings(data_dir, system_file=data_dir / "none.toml")
    settings.set("hub_url", "http://10.0.0.5:8750")
    calls: list[str] = []

    def factory(url: str, ca_bundle: str) -> httpx.Client:
        calls.append(url)
        return make_http(url, ca_bundle)

    creds = Credentials(None, {"AGENT_ASSIST_TOKEN": "secret"})
    report, _ = run_sync(data_dir, settings, credentials=creds, http_factory=factory)
    assert report.state is SyncState.NOT_CONFIGURED
    assert report.error is not None and "insecure_http" in report.error
    assert calls == []


def test_login_refuses_plain_http_before_asking_for_the_token(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--data-dir", str(data_dir), "login", "--hub", "http://10.0.0.5:8750"])
    assert code != 0
    assert "refusing plain http://" in capsys.readouterr().err
