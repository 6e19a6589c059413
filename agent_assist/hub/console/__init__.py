"""The lead console: server-rendered pages at ``/console``, served by the hub itself.

:func:`install` adds every console route to the hub app, ``/`` → ``/console``, the static
files and the handler that turns a :class:`ConsoleRefusal` into a page or a redirect.  A
page module registers itself with one line in :data:`PAGE_ROUTERS` and one in ``NAV``;
overview count tiles go in :data:`OVERVIEW_TILES` (see /work/notes/console_api.md).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from agent_assist.hub.auth import Role
from agent_assist.hub.console import (
    api,
    auth_pages,
    editor_pages,
    gaps_pages,
    history_pages,
    overview_pages,
    reviews_pages,
    sop_pages,
    theme_pages,
    tokens_pages,
    usage_pages,
)
from agent_assist.hub.console.pages import (
    NAV,
    OVERVIEW_TILES,
    ConsoleRefusal,
    NavItem,
    render,
    signed_in,
)

STATIC = Path(__file__).parent / "static"
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".js": "text/javascript; charset=utf-8",  # the editor's live preview (editor.js)
}

PAGE_ROUTERS: list[APIRouter] = [
    auth_pages.router,
    theme_pages.router,
    overview_pages.router,
    sop_pages.router,
    tokens_pages.router,
    gaps_pages.router,
    history_pages.router,
    reviews_pages.router,
    usage_pages.router,
    editor_pages.router,
]

NAV.extend(
    [
        NavItem("Overview", "/console"),
        NavItem("SOPs", "/console/sops"),
        NavItem("Gaps", "/console/gaps"),
        NavItem("Content", "/console/items"),
        NavItem("Reviews", "/console/reviews"),
        NavItem("Usage", "/console/usage"),
        NavItem("Approvals", "/console/approvals"),
        NavItem("Tokens", "/console/tokens", Role.ADMIN),
    ]
)

# Overview count tiles of other pages, one line each: OVERVIEW_TILES.append(module.tile)
OVERVIEW_TILES.append(gaps_pages.tile)
OVERVIEW_TILES.append(reviews_pages.tile)

__all__ = ["OVERVIEW_TILES", "PAGE_ROUTERS", "install"]


def _static_files() -> dict[str, tuple[bytes, str]]:
    """Every static file, read once at start-up (a handful of small files)."""
    return {
        path.name: (path.read_bytes(), STATIC_TYPES[path.suffix])
        for path in STATIC.iterdir()
        if path.suffix in STATIC_TYPES
    }


def _system_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    files = _static_files()

    @router.get("/")
    def root() -> RedirectResponse:
        return RedirectResponse("/console", status_code=307)

    @router.get("/console/static/{name}")
    def static(name: str) -> Response:
        found = files.get(name)
        if found is None:
            return Response("not found", status_code=404, media_type="text/plain")
        body, media = found
        return Response(
            body,
            media_type=media,
            headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )

    return router


def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConsoleRefusal)
    if exc.location:
        return RedirectResponse(exc.location, status_code=303)
    return render(
        request,
        signed_in(request),
        "refused.html",
        title=exc.heading,
        status=exc.status,
        heading=exc.heading,
        message=exc.message,
    )


def install(app: FastAPI) -> None:
    """Serve the console from ``app`` (the hub)."""
    app.include_router(_system_router())
    app.include_router(api.router)
    for router in PAGE_ROUTERS:
        app.include_router(router, include_in_schema=False)
    app.add_exception_handler(ConsoleRefusal, _refused)
