"""uvicorn's HTTP/1.1 protocol (httptools) with bounds on the header section.

httptools itself takes a header section of any size (a 64 MiB header was read into memory)
and any time to arrive.  This protocol counts the bytes of a request until its headers are
complete and answers 431 and closes past ``MAX_HEADER_BYTES``; a connection whose headers
are not complete ``HEADER_TIMEOUT`` seconds after its first byte (or after it opened) is
closed.  Idle kept-alive connections stay uvicorn's business (``timeout_keep_alive``).
``agent-assist-hub serve`` runs uvicorn with this protocol (``cli.py``).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from agent_assist.hub.gate import MAX_HEADER_BYTES

HEADER_TIMEOUT = 10.0


def _response(status: int, reason: str, code: str, message: str) -> bytes:
    body = json.dumps({"error": code, "message": message}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


TOO_LARGE = _response(
    431,
    "Request Header Fields Too Large",
    "headers_too_large",
    f"request headers too large (at most {MAX_HEADER_BYTES // 1024} KiB in all)",
)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """See the module docstring."""

    max_header_bytes = MAX_HEADER_BYTES
    header_timeout = HEADER_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_headers = True
        self._header_bytes = 0
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_headers:
            self._header_bytes += len(data)
            self._arm()
        super().data_received(data)
        if (
            self._in_headers
            and self._header_bytes > self.max_header_bytes
            and not self.transport.is_closing()
        ):
            self.transport.write(TOO_LARGE)
            self.transport.close()

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._header_bytes = 0
        self._disarm()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_headers = True  # what comes next is the next request's header section

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if self._in_headers and not self.transport.is_closing():
            self.transport.close()
