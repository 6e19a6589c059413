"""The gate: a request is refused from its headers, before a byte of its body is read.

Each request here is written by hand on a raw socket, so the test controls exactly what the
hub has been sent: the headers only, never the body.  A 401/403/413 that arrives anyway, with
the connection closed after it, was decided without the body.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.integration import hubserver
from tests.integration.hubserver import RunningHub

shared_hub = hubserver.shared_hub

MIB = 1024 * 1024
PUBLISH = "/v1/publish"


def _head(hub: RunningHub, path: str, headers: dict[str, str], method: str = "POST") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{hub.port}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@pytest.fixture
def conn(shared_hub: RunningHub) -> Iterator[socket.socket]:
    with socket.create_connection(("127.0.0.1", shared_hub.port), timeout=10) as sock:
        yield sock


def _read_until_closed(sock: socket.socket, limit: int = 1 << 20) -> bytes:
    """Everything the hub sends until it closes the connection (a timeout fails the test)."""
    data = b""
    while len(data) < limit:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    raise AssertionError(f"the hub kept the connection open: {data[:200]!r}")


def _status(response: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines)}
    return int(status_line.split()[1]), headers, body


SHAPES = {
    "content-length": {"Content-Type": "application/json", "Content-Length": str(8 * MIB)},
    "chunked": {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
    "expect-100": {
        "Content-Type": "application/json",
        "Content-Length": str(8 * MIB),
        "Expect": "100-continue",
    },
}


@pytest.mark.parametrize("token", ["none", "bogus"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_unauthenticated_8_mib_publish_is_refused_before_its_body(
    shared_hub: RunningHub, conn: socket.socket, shape: str, token: str
) -> None:
    headers = dict(SHAPES[shape])
    if token == "bogus":
        headers["Authorization"] = "Bearer not-a-real-token"
    conn.sendall(_head(shared_hub, PUBLISH, headers))  # the headers only: no body byte sent
    response = _read_until_closed(conn)
    assert not response.startswith(b"HTTP/1.1 100"), response[:100]  # no 100 before auth
    status, reply_headers, body = _status(response)
    assert status == 401, response[:300]
    assert reply_headers["connection"] == "close"
    assert reply_headers["www-authenticate"] == "Bearer"
    assert json.loads(body)["error"] == "unauthorized"


def test_wrong_role_and_oversize_are_refused_before_the_body(shared_hub: RunningHub) -> None:
    # (A chunked body has no length to refuse it by: it is counted while it arrives and
    # refused past the limit, test_hub_api.py::test_oversized_bodies_get_413.)
    cases = [("agent", 1000, 403, "needs the lead role"), ("lead", 8 * MIB + 1, 413, "8 MiB")]
    for role, length, status, words in cases:
        headers = {"Authorization": f"Bearer {shared_hub.tokens[role]}"}
        headers["Content-Length"] = str(length)
        with socket.create_connection(("127.0.0.1", shared_hub.port), timeout=10) as sock:
            sock.sendall(_head(shared_hub, PUBLISH, headers))
            got, reply_headers, body = _status(_read_until_closed(sock))
        assert got == status and words in json.loads(body)["message"], body
        assert reply_headers["connection"] == "close"


def test_invalid_json_without_a_token_is_401_not_422(shared_hub: RunningHub) -> None:
    for path in (PUBLISH, "/v1/events", "/v1/acks"):
        response = shared_hub.http.post(
            path, content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 401, (path, response.text)


def test_an_admitted_sender_gets_its_100_continue(
    shared_hub: RunningHub, conn: socket.socket
) -> None:
    body = json.dumps({"sop_id": "gate-check", "version": 1}).encode()
    headers = {
        "Authorization": f"Bearer {shared_hub.tokens['agent']}",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "Expect": "100-continue",
    }
    conn.sendall(_head(shared_hub, "/v1/acks", headers))
    assert conn.recv(64).startswith(b"HTTP/1.1 100 Continue")
    conn.sendall(body)
    reply = conn.recv(65536)
    assert reply.startswith(b"HTTP/1.1 200"), reply[:200]


def test_a_huge_header_is_refused_quickly(shared_hub: RunningHub, conn: socket.socket) -> None:
    conn.sendall(b"GET /v1/whoami HTTP/1.1\r\nHost: x\r\nX-Big: ")
    sent, refused = 0, False
    try:
        while sent < 64 * MIB:  # bounded: the hub must stop reading long before this
            conn.sendall(b"a" * 65536)
            sent += 65536
    except OSError:  # reset: the hub closed the connection
        refused = True
    if not refused:
        pytest.fail(f"the hub read a {sent // MIB} MiB header")
    assert sent < 16 * MIB  # 32 KiB allowed; the rest sat in socket buffers at most
    try:
        reply = conn.recv(65536)
    except OSError:  # reset: the 431 was sent, but the unread header bytes reset the line
        reply = b""
    assert reply.startswith(b"HTTP/1.1 431") or not reply, reply[:100]
    assert httpx.get(f"{shared_hub.url}/healthz").status_code == 200


def test_too_many_headers_are_431(shared_hub: RunningHub) -> None:
    headers = {f"X-Header-{i}": "1" for i in range(150)}
    response = shared_hub.http.get("/v1/whoami", headers=headers)
    assert response.status_code == 431
    assert response.json()["error"] == "headers_too_large"
