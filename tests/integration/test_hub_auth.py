"""Every role x endpoint pair: who may call what (table-driven against one real hub)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration import hubserver
from tests.integration.hubserver import RunningHub

shared_hub = hubserver.shared_hub

ROLES = ("agent", "lead", "admin")
# (method, path, json body or None, params, least role; None = no token needed)
ENDPOINTS: list[tuple[str, str, Any, dict[str, Any], str | None]] = [
    ("GET", "/healthz", None, {}, None),
    ("GET", "/metrics", None, {}, None),
    ("GET", "/openapi.json", None, {}, None),
    ("GET", "/v1/hub-key", None, {}, None),
    ("GET", "/v1/whoami", None, {}, "agent"),
    (
        "POST",
        "/v1/publish",
        {"pack": {"name": "x", "pack_yaml": "name: x\n"}, "files": []},
        {},
        "lead",
    ),
    ("POST", "/v1/retire", {"items": [{"kind": "sop", "id": "nope"}]}, {}, "lead"),
    ("GET", "/v1/items/sop/nope/history", None, {}, "agent"),
    ("GET", "/v1/changes", None, {"since": 0}, "agent"),
    ("POST", "/v1/events", {"events": []}, {}, "agent"),
    ("POST", "/v1/acks", {"sop_id": "x", "version": 1}, {}, "agent"),
    ("GET", "/v1/acks", None, {"sop_id": "x"}, "lead"),
    ("POST", "/v1/feedback", {"pairs": []}, {}, "agent"),
    ("GET", "/v1/learned", None, {}, "agent"),
    ("GET", "/v1/settings/learn_threshold", None, {}, "lead"),
    ("PUT", "/v1/settings/learn_threshold", {"value": 3}, {}, "lead"),
    ("GET", "/v1/reports/sops", None, {}, "lead"),
    ("GET", "/v1/reports/compare", None, {"sop_id": "x", "a": 1, "b": 2}, "lead"),
    ("GET", "/v1/tokens", None, {}, "admin"),
    ("POST", "/v1/tokens", {"name": "matrix-made", "role": "agent"}, {}, "admin"),
    ("DELETE", "/v1/tokens/matrix-made", None, {}, "admin"),
    ("GET", "/v1/team/secret", None, {}, "agent"),
    ("POST", "/v1/team/secret/rotate", None, {}, "admin"),
]


def _expected(caller: str, least: str | None) -> str:
    if least is None:
        return "allowed"
    if caller in ("none", "bogus"):
        return "unauthorized"
    return "allowed" if ROLES.index(caller) >= ROLES.index(least) else "forbidden"


@pytest.mark.parametrize("caller", ["none", "bogus", *ROLES])
@pytest.mark.parametrize(
    ("method", "path", "body", "params", "least"),
    ENDPOINTS,
    ids=[f"{m} {p}" for m, p, *_ in ENDPOINTS],
)
def test_role_matrix(
    shared_hub: RunningHub,
    caller: str,
    method: str,
    path: str,
    body: Any,
    params: dict[str, Any],
    least: str | None,
) -> None:
    headers = {}
    if caller == "bogus":
        headers = shared_hub.auth("not-a-real-token")
    elif caller != "none":
        headers = shared_hub.auth(caller)
    response = shared_hub.http.request(method, path, json=body, params=params, headers=headers)
    expected = _expected(caller, least)
    if expected == "unauthorized":
        assert response.status_code == 401, response.text
        assert response.json()["error"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"
    elif expected == "forbidden":
        assert response.status_code == 403, response.text
        assert f"needs the {least} role" in response.json()["message"]
    else:
        assert response.status_code < 400 or response.status_code in (404, 422), response.text


@pytest.mark.parametrize("caller", ["none", "bogus", *ROLES])
def test_stream_needs_an_agent_token(shared_hub: RunningHub, caller: str) -> None:
    headers = (
        {}
        if caller == "none"
        else shared_hub.auth("not-a-real-token" if caller == "bogus" else caller)
    )
    with httpx.stream("GET", f"{shared_hub.url}/v1/stream", headers=headers) as response:
        assert response.status_code == (401 if caller in ("none", "bogus") else 200)


def test_revoked_token_is_refused(shared_hub: RunningHub) -> None:
    token = shared_hub.create_token("short-lived", "agent")
    url = f"{shared_hub.url}/v1/whoami"
    assert httpx.get(url, headers=shared_hub.auth(token)).status_code == 200
    revoke = httpx.delete(
        f"{shared_hub.url}/v1/tokens/short-lived", headers=shared_hub.auth("admin")
    )
    assert revoke.status_code == 200
    assert httpx.get(url, headers=shared_hub.auth(token)).status_code == 401


def test_tokens_are_stored_only_as_hashes(shared_hub: RunningHub) -> None:
    created = httpx.post(
        f"{shared_hub.url}/v1/tokens",
        json={"name": "hash-check", "role": "lead"},
        headers=shared_hub.auth("admin"),
    )
    assert created.status_code == 201
    token = created.json()["token"]
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    listed = httpx.get(f"{shared_hub.url}/v1/tokens", headers=shared_hub.auth("admin")).text
    assert token not in listed and "hash-check" in listed
    dup = httpx.post(
        f"{shared_hub.url}/v1/tokens",
        json={"name": "hash-check", "role": "lead"},
        headers=shared_hub.auth("admin"),
    )
    assert dup.status_code == 409
    if shared_hub.database_url is None:
        raw = (shared_hub.data_dir / "hub.sqlite3").read_bytes()
        assert token.encode() not in raw
