"""The hub's ASGI app: :func:`create_app` builds it the same way for the CLI and for tests.

Startup is one sequence (open and migrate the database, load the signing key, start the
cross-replica change watcher); shutdown stops the watcher and closes the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

import agent_assist
from agent_assist.hub import (
    console,
    errors,
    openapi,
    routes_content,
    routes_knowledge,
    routes_team,
)
from agent_assist.hub.db import Database, pool_size_for
from agent_assist.hub.fastpath import FastPath
from agent_assist.hub.gate import BODY_TIMEOUT, Gate
from agent_assist.hub.http import HubMiddleware
from agent_assist.hub.ingest import count_events
from agent_assist.hub.keys import key_info, load_or_create_key
from agent_assist.hub.knowledge import head
from agent_assist.hub.ratelimit import RateLimits
from agent_assist.hub.state import Hub, HubState

log = logging.getLogger(__name__)


def create_app(
    database_url: str | None,
    data_dir: Path,
    *,
    keepalive: float = 15.0,
    poll_seconds: float = 1.0,
    limits: RateLimits | None = None,
    docs: bool = False,
    body_timeout: float = BODY_TIMEOUT,
    workers: int = 1,
    own_process: bool = False,
) -> FastAPI:
    """A hub on ``database_url`` (PostgreSQL) or the SQLite file in ``data_dir``.

    ``keepalive`` is the SSE keep-alive interval; ``poll_seconds`` how often this replica
    looks for changes published through other replicas; ``limits`` the rate limits;
    ``docs`` serves Swagger UI at ``/docs`` (its assets come from a CDN, so it is off unless
    asked for); ``body_timeout`` is how long a request body may stall; ``workers`` how many
    processes share the database (it sizes each one's PostgreSQL connection pool);
    ``own_process``: this app is all its process serves until it exits (``serve``), so what
    start-up built can be frozen out of the garbage collector's work (not so in tests, which
    build many apps in one process)."""
    db = Database.open(database_url, data_dir, pool_size=pool_size_for(workers))
    log.info("hub database: %s", db.kind)
    state = HubState(
        db, data_dir, load_or_create_key(data_dir), keepalive, poll_seconds, limits or RateLimits()
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.broadcaster.loop = asyncio.get_running_loop()
        state.broadcaster.advance(head(db))
        watcher = asyncio.create_task(state.notices.run())  # LISTEN, or the counter poll
        if own_process:
            # What start-up built lives as long as the process: out of the collector's sight,
            # a full collection no longer walks it (one such pause took 86 ms while a
            # thousand desktops made their first pull at once).
            gc.collect()
            gc.freeze()
        log.info("hub ready (feed cursor %d)", state.broadcaster.cursor)
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            db.close()
            log.info("hub stopped")

    app = FastAPI(
        title="Agent Assist hub",
        version=agent_assist.__version__,
        description="Team hub: publish SOPs and macros, delta feed, push, events, reports.",
        lifespan=lifespan,
        # The hub has its own metrics (/metrics); FastAPI's OpenTelemetry hook looked up its
        # providers (environment variables) on every request, a sixth of an idle poll.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        docs_url="/docs" if docs else None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url="/docs/oauth2-redirect" if docs else None,
    )
    app.state.hub = state
    errors.install(app)
    app.include_router(routes_knowledge.router)
    app.include_router(routes_team.router)
    app.include_router(routes_content.router)  # the lead console's content API
    console.install(app)  # the lead console at /console, and / -> /console
    _system_routes(app)
    app.add_middleware(
        Gate, hub=app, tokens=state.tokens, limiter=state.limiter, body_timeout=body_timeout
    )
    app.add_middleware(HubMiddleware, metrics=state.metrics)  # sees every refusal
    app.add_middleware(FastPath, state=state)  # outermost: the idle poll, before all else
    openapi.install(app)
    return app


def _system_routes(app: FastAPI) -> None:
    @app.get("/healthz")
    def healthz(state: Hub) -> dict[str, Any]:
        head(state.db)  # proves the database answers
        return {
            "status": "ok",
            "database": state.db.kind,
            "version": agent_assist.__version__,
            "notices": state.notices.mode,
        }

    @app.get("/metrics", response_class=Response)
    def metrics(state: Hub) -> Response:
        state.metrics.sse_clients.set(state.broadcaster.clients)
        state.metrics.events_stored.set(count_events(state.db))
        return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/hub-key")
    def hub_key(state: Hub) -> dict[str, str]:
        return key_info(state.key)
