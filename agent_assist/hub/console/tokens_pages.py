"""Tokens (admins only): list, create (the token is shown once, on the answer to the form)
and revoke.  The same functions as ``agent-assist-hub token`` and ``/v1/tokens``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from agent_assist.hub import auth
from agent_assist.hub.console.pages import AdminUser, check_csrf, db_of, redirect, render

router = APIRouter()
ROLES = ("agent", "lead", "admin")


def _page(request: Request, user: AdminUser, status: int = 200, **context: object) -> HTMLResponse:
    tokens = auth.list_tokens(db_of(request))
    context.setdefault("created", None)
    context.setdefault("error", "")
    context.setdefault("form", {"name": "", "role": "agent", "expires": "never"})
    return render(
        request,
        user,
        "tokens.html",
        title="Tokens",
        status=status,
        tokens=tokens,
        roles=ROLES,
        **context,
    )


@router.get("/console/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, user: AdminUser) -> HTMLResponse:
    return _page(request, user)


@router.post("/console/tokens", response_class=HTMLResponse)
async def create_token(request: Request, user: AdminUser) -> Response:
    form = await check_csrf(request, user)
    name = form.get("name", "").strip()
    role = form.get("role", "")
    expires = form.get("expires", "").strip() or "never"
    values = {"name": name, "role": role, "expires": expires}
    try:
        when = auth.parse_expiry(expires)
        token = await run_in_threadpool(
            auth.create_token, db_of(request), name, auth.Role.parse(role), when
        )
    except auth.TokenError as exc:
        return await run_in_threadpool(_page, request, user, 400, error=str(exc), form=values)
    created = {"name": name, "role": role, "token": token, "expires": expires}
    return await run_in_threadpool(_page, request, user, 201, created=created)


@router.post("/console/tokens/{name}/revoke")
async def revoke_token(request: Request, user: AdminUser, name: str) -> Response:
    await check_csrf(request, user)
    try:
        await run_in_threadpool(auth.revoke_token, db_of(request), name)
    except auth.TokenError as exc:
        return redirect("/console/tokens", notice=f"Not revoked: {exc}")
    return redirect("/console/tokens", notice=f"Revoked '{name}'; it stops working at once.")
