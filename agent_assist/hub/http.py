"""The hub's outer ASGI layer: body limits, metrics and one JSON access-log line per request.

Written as plain ASGI middleware (not ``BaseHTTPMiddleware``) so streaming responses (the
SSE stream) pass through untouched and the limit applies while the body is still arriving.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIB = 1024 * 1024
PUBLISH_LIMIT = 8 * MIB
BODY_LIMIT = 1 * MIB
ACCESS_LOG = logging.getLogger("agent_assist.hub.access")


class Metrics:
    """The hub's Prometheus metrics, in a registry of their own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "hub_requests_total",
            "Requests by route, method and status",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "hub_request_seconds",
            "Request latency by route",
            ("route",),
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.sse_clients = Gauge("hub_sse_clients", "Connected SSE clients", registry=self.registry)
        self.events_stored = Gauge(
            "hub_events_stored", "Events stored in the hub database", registry=self.registry
        )


def _limit(path: str) -> int:
    return PUBLISH_LIMIT if path == "/v1/publish" else BODY_LIMIT


def _too_large(limit: int) -> str:
    return f"request body is larger than {limit // MIB} MiB (the limit for this endpoint)"


class HubMiddleware:
    """Limit request bodies (413), count and time requests, write the access log."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        limit = _limit(scope["path"])
        status = 500
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, _too_large(limit))
            return message

        async def counting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            declared = _content_length(scope)
            if declared is not None and declared > limit:
                await _send_json(send, 413, "too_large", _too_large(limit))
                status = 413
            else:
                await self.app(scope, limited_receive, counting_send)
        finally:
            self._record(scope, status, time.perf_counter() - start)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = scope.get("route")
        label = getattr(route, "path", None) or "(unmatched)"
        self.metrics.requests.labels(label, scope["method"], str(status)).inc()
        self.metrics.latency.labels(label).observe(seconds)
        if ACCESS_LOG.isEnabledFor(logging.INFO):
            client = scope.get("client") or ("", 0)
            ACCESS_LOG.info(
                json.dumps(
                    {
                        "ts": time.time(),
                        "method": scope["method"],
                        "path": scope["path"],
                        "route": label,
                        "status": status,
                        "ms": round(seconds * 1000, 2),
                        "client": client[0],
                        "caller": scope.get("state", {}).get("caller"),
                    }
                )
            )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_json(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": code, "message": message}).encode()
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
