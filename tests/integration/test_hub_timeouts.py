"""Slow senders: headers that never finish and bodies that stall are cut off.

The hub runs in this process (uvicorn on a thread, the protocol ``serve`` uses) with its
timeouts shrunk to a fraction of a second, so the test waits on the hub, not on a clock.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from agent_assist.hub.app import create_app
from agent_assist.hub.auth import Role, create_token
from agent_assist.hub.protocol import BoundedHttpToolsProtocol
from tests.integration.hubserver import free_port

QUICK = 0.3


class QuickProtocol(BoundedHttpToolsProtocol):
    header_timeout = QUICK


@dataclass
class LocalHub:
    port: int
    token: str


@pytest.fixture
def local_hub(tmp_path: Path) -> Iterator[LocalHub]:
    app = create_app(None, tmp_path, body_timeout=QUICK)
    token = create_token(app.state.hub.db, "slow-agent", Role.AGENT)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, http=QuickProtocol, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="local-hub", daemon=True)
    thread.start()
    ready = threading.Event()
    while not server.started and thread.is_alive():
        ready.wait(0.01)  # uvicorn has no readiness callback; it sets `started`
    try:
        yield LocalHub(port, token)
    finally:
        server.should_exit = True
        thread.join(10)


def _read_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_headers_that_never_finish_are_cut_off(local_hub: LocalHub) -> None:
    with socket.create_connection(("127.0.0.1", local_hub.port), timeout=10) as sock:
        sock.sendall(b"GET /v1/whoami HTTP/1.1\r\nHost: x\r\nX-Slow: a")  # and nothing more
        assert _read_all(sock) == b""  # closed by the hub, long before the 10 s timeout


def test_an_idle_connection_without_a_request_is_closed(local_hub: LocalHub) -> None:
    with socket.create_connection(("127.0.0.1", local_hub.port), timeout=10) as sock:
        assert _read_all(sock) == b""


def test_a_stalled_body_is_408(local_hub: LocalHub) -> None:
    head = (
        "POST /v1/acks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {local_hub.token}\r\nContent-Length: 100\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", local_hub.port), timeout=10) as sock:
        sock.sendall(head.encode() + b'{"sop_id": ')  # then stalls
        reply = _read_all(sock)
    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
    assert b"connection: close" in reply.lower()
    assert json.loads(reply.partition(b"\r\n\r\n")[2])["error"] == "timeout"


def test_a_prompt_request_is_served(local_hub: LocalHub) -> None:
    head = f"GET /v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {local_hub.token}\r\n"
    with socket.create_connection(("127.0.0.1", local_hub.port), timeout=10) as sock:
        sock.sendall(head.encode() + b"Connection: close\r\n\r\n")
        reply = _read_all(sock)
    assert reply.startswith(b"HTTP/1.1 200") and b"slow-agent" in reply
