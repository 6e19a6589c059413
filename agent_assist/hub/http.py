"""The hub's outer ASGI layer: metrics and one JSON access-log line per request.

Written as plain ASGI middleware (not ``BaseHTTPMiddleware``) so streaming responses (the
SSE stream) pass through untouched.  Tokens, roles, body limits and rate limits are the
gate's (``gate.py``), just inside this layer.
"""

from __future__ import annotations

import json
import logging
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class HubMiddleware:
    """Count and time requests, write the access log (outermost: it sees the gate's
    refusals too)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def counting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
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
