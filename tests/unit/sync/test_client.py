"""How the client maps HTTP outcomes to known errors (our own logic, on a mock transport;
the real hub is exercised in tests/integration/test_sync_*.py)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from agent_assist.sync.client import MAX_EVENTS_PER_BATCH, HubClient, make_http
from agent_assist.sync.errors import (
    AuthFailedError,
    HubFailedError,
    HubRejectedError,
    HubUnreachableError,
    MalformedReplyError,
)


def client(handler: httpx.MockTransport) -> HubClient:
    return HubClient(httpx.Client(base_url="https://hub.test", transport=handler), "tok")


def replying(status: int, body: object = None, **kw: object) -> HubClient:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer tok"
        if body is None:
            return httpx.Response(status, **kw)  # type: ignore[arg-type]
        return httpx.Response(status, json=body, **kw)  # type: ignore[arg-type]

    return client(httpx.MockTransport(handle))


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        (401, AuthFailedError, "agent-assist login"),
        (403, AuthFailedError, "role"),
        (404, HubRejectedError, "rejected GET /v1/whoami (404: nope)"),
        (500, HubFailedError, "try later"),
        (503, HubFailedError, "503"),
        (307, HubRejectedError, "redirected"),
    ],
)
def test_status_codes_become_known_errors(status: int, error: type, text: str) -> None:
    with pytest.raises(error, match=r"hub https://hub\.test") as info:
        replying(status, {"error": "x", "message": "nope"}).whoami()
    assert text in str(info.value)


def test_unreachable_and_timeouts() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out")

    with pytest.raises(HubUnreachableError, match=r"cannot reach the hub https://hub\.test"):
        client(httpx.MockTransport(refuse)).whoami()
    with pytest.raises(HubUnreachableError, match="did not answer"):
        client(httpx.MockTransport(slow)).whoami()


def test_not_json_is_malformed() -> None:
    with pytest.raises(MalformedReplyError, match="not JSON"):
        replying(200, content=b"<html>proxy login</html>").whoami()


def test_publish_problems_are_carried() -> None:
    body = {
        "error": "invalid",
        "message": "1 problem(s) in the pack",
        "problems": [
            {
                "file": "sops/a.md",
                "line": 3,
                "field": "title",
                "message": "missing",
                "severity": "error",
            }
        ],
    }
    with pytest.raises(HubRejectedError) as info:
        replying(422, body).publish({})
    assert info.value.status == 422
    assert [str(p) for p in info.value.problems] == ["sops/a.md:3: title: missing"]


def test_changes_send_etag_and_304_means_nothing_new() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("If-None-Match") == '"c5"':
            return httpx.Response(304)
        return httpx.Response(
            200, json={"changes": [], "cursor": 5, "more": False}, headers={"ETag": '"c5"'}
        )

    hub = client(httpx.MockTransport(handle))
    page = hub.changes(5)
    assert page is not None and page.etag == '"c5"'
    assert hub.changes(5, etag=page.etag) is None
    assert seen[0].url.params["since"] == "5" and seen[0].url.params["limit"] == "500"


def test_batches_are_capped() -> None:
    with pytest.raises(ValueError, match="500"):
        replying(200, {}).push_events([{}] * (MAX_EVENTS_PER_BATCH + 1))


def test_tls_is_verified_and_a_bad_ca_bundle_is_explained(tmp_path: Path) -> None:
    http = make_http("https://hub.test/")
    assert str(http.base_url) == "https://hub.test"
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    with pytest.raises(HubUnreachableError, match=r"CA bundle .*ca_bundle"):
        make_http("https://hub.test", str(bad))
