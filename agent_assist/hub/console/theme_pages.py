"""The light/dark switch: a form (no JavaScript) that stores the choice in a cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from agent_assist.hub.console.auth_pages import safe_next
from agent_assist.hub.console.pages import THEME_COOKIE, THEMES, LeadUser, check_csrf, redirect

router = APIRouter()


@router.post("/console/theme")
async def set_theme(request: Request, user: LeadUser) -> Response:
    form = await check_csrf(request, user)
    theme = form.get("theme", "auto")
    response = redirect(safe_next(form.get("back", "/console")))
    if theme in THEMES:
        response.set_cookie(
            THEME_COOKIE,
            theme,
            max_age=365 * 24 * 3600,
            path="/console",
            samesite="strict",
            secure=request.url.scheme == "https",
        )
    return response
