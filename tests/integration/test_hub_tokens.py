"""Tokens: rate limits on failed checks and on writes, expiry, and revocation that bites on
the very next request of every replica."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agent_assist.hub.auth import Role, create_token
from agent_assist.hub.db import Database
from tests.integration import hubserver
from tests.integration.hubserver import HubServer, RunningHub

shared_hub = hubserver.shared_hub


@pytest.fixture(params=hubserver.DATABASES)
def strict_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningHub]:
    """A hub with small limits: 5 failed token checks and 3 writes a minute."""
    if request.param == "postgresql" and hubserver.postgres_url() is None:
        pytest.skip(f"{hubserver.POSTGRES_ENV} is not set")
    limits = ["--limit-auth-failures", "5/min", "--limit-writes", "3/min"]
    with HubServer(tmp_path / "hub", request.param, extra_args=limits) as hub:
        yield hub


def test_failed_token_checks_are_rate_limited(strict_hub: RunningHub) -> None:
    http = strict_hub.http
    known = strict_hub.auth("agent")
    assert http.get("/v1/whoami", headers=known).status_code == 200  # verified: cached
    for i in range(5):
        wrong = http.get("/v1/whoami", headers=strict_hub.auth(f"guess-{i}"))
        assert wrong.status_code == 401
    limited = http.get("/v1/whoami", headers=strict_hub.auth("guess-5"))
    assert limited.status_code == 429, limited.text
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"] == "rate_limited"
    # A token this replica has verified still works from the throttled address; an unknown
    # one is not even looked up.
    assert http.get("/v1/whoami", headers=known).status_code == 200
    assert http.get("/v1/whoami", headers=strict_hub.auth("lead")).status_code == 429


def test_writes_are_rate_limited_per_token(strict_hub: RunningHub) -> None:
    http = strict_hub.http
    body = {"sop_id": "limits", "version": 1}
    for _ in range(3):
        assert http.post("/v1/acks", json=body, headers=strict_hub.auth("agent")).is_success
    limited = http.post("/v1/acks", json=body, headers=strict_hub.auth("agent"))
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert "too many writes from 'agent-bob'" in limited.json()["message"]
    assert http.get("/v1/whoami", headers=strict_hub.auth("agent")).status_code == 200  # reads
    assert http.post("/v1/acks", json=body, headers=strict_hub.auth("lead")).is_success


def _token(hub: RunningHub, name: str, expires: dt.datetime | None) -> str:
    db = Database.open(hub.database_url, hub.data_dir)
    try:
        return create_token(db, name, Role.AGENT, expires)
    finally:
        db.close()


def test_an_expired_token_is_refused(shared_hub: RunningHub) -> None:
    past = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    expired, valid = _token(shared_hub, "expired-0", past), _token(shared_hub, "valid-30", future)
    refused = shared_hub.http.get("/v1/whoami", headers=shared_hub.auth(expired))
    assert refused.status_code == 401
    assert "token 'expired-0' expired at 2001-01-01T00:00:00Z" in refused.json()["message"]
    assert shared_hub.http.get("/v1/whoami", headers=shared_hub.auth(valid)).status_code == 200
    listed = {
        t["name"]: t
        for t in shared_hub.http.get("/v1/tokens", headers=shared_hub.auth("admin")).json()[
            "tokens"
        ]
    }
    assert listed["expired-0"]["active"] is False and listed["valid-30"]["active"] is True


def test_token_create_takes_an_expiry(shared_hub: RunningHub) -> None:
    made = subprocess.run(
        shared_hub.command(
            "token", "create", "--role", "agent", "--name", "cli-30d", "--expires", "30d"
        ),
        capture_output=True,
        text=True,
        check=True,
    )
    token = made.stdout.strip()
    assert shared_hub.http.get("/v1/whoami", headers=shared_hub.auth(token)).status_code == 200
    listing = subprocess.run(
        shared_hub.command("token", "list"), capture_output=True, text=True, check=True
    ).stdout
    line = next(ln for ln in listing.splitlines() if ln.startswith("cli-30d\t"))
    expected = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).date().isoformat()
    assert f"expires {expected}" in line
    bad = subprocess.run(
        shared_hub.command(
            "token", "create", "--role", "agent", "--name", "x", "--expires", "soon"
        ),
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "expiry 'soon'" in bad.stderr

    api = shared_hub.http.post(
        "/v1/tokens",
        json={"name": "api-dated", "role": "agent", "expires_at": "2030-01-01T00:00:00Z"},
        headers=shared_hub.auth("admin"),
    )
    assert api.status_code == 201 and api.json()["expires_at"] == "2030-01-01T00:00:00Z"


def test_a_revoked_token_is_refused_at_once_on_every_replica(hub: RunningHub) -> None:
    """Two hub processes on one database; the CLI revokes; the next request on each fails."""
    second = RunningHub(hub.data_dir, hub.database_url, hub.kind, access_log=False)
    second.start()
    try:
        token = hub.create_token("two-replicas", "agent")
        for replica in (hub, second):  # verified (and cached) on both
            for _ in range(2):
                assert replica.http.get("/v1/whoami", headers=hub.auth(token)).is_success
        subprocess.run(hub.command("token", "revoke", "two-replicas"), check=True)
        for replica in (hub, second):
            refused = replica.http.get("/v1/whoami", headers=hub.auth(token))
            assert refused.status_code == 401, (replica.port, refused.text)
        assert second.http.get("/v1/whoami", headers=hub.auth("agent")).is_success
    finally:
        second.stop()


hub = hubserver.hub


def test_httpx_publish_without_a_token_is_refused_not_read(shared_hub: RunningHub) -> None:
    """A plain client that sends 8 MiB anyway gets the 401 (or a reset once the hub closed):
    never the old behaviour of a read and a JSON parse first."""
    payload = b'{"pad": "' + b"x" * (8 * 1024 * 1024 - 20) + b'"}'
    try:
        response = httpx.post(
            f"{shared_hub.url}/v1/publish",
            content=payload,
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
    except httpx.TransportError:
        return  # the hub closed the connection on the unread body: refused all the same
    assert response.status_code == 401
