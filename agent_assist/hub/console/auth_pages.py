"""Sign-in, sign-out and the refusal pages.

Sign-in is a form (no JavaScript): the token is posted once, checked like a bearer token
(including the gate's limit on failed checks), and exchanged for a session cookie.  The form
carries a CSRF token of its own, compared with a short-lived cookie (double submit), since
there is no session yet to keep it in.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from agent_assist.hub.auth import Role, token_hash
from agent_assist.hub.console import session
from agent_assist.hub.console.pages import (
    LeadUser,
    MaybeUser,
    check_csrf,
    db_of,
    hub_state,
    read_form,
    redirect,
    render,
    utc_now,
)

router = APIRouter()
PRE_COOKIE = "aa_console_signin"
MAX_TOKEN_CHARS = 200


def safe_next(target: str) -> str:
    """Where to go after signing in: only a console path on this hub (no open redirect)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console"):
        return "/console"
    if "\\" in target or target.startswith("//"):
        return "/console"
    return target


def _form(request: Request, status: int = 200, error: str = "", next_: str = "") -> HTMLResponse:
    nonce = secrets.token_urlsafe(24)
    response = render(
        request,
        None,
        "sign_in.html",
        title="Sign in",
        status=status,
        error=error,
        signin_csrf=nonce,
        next=safe_next(next_ or request.query_params.get("next", "/console")),
    )
    response.set_cookie(
        PRE_COOKIE,
        nonce,
        max_age=3600,
        path="/console/sign-in",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/console/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, user: MaybeUser) -> Response:
    if user is not None:
        return redirect(safe_next(request.query_params.get("next", "/console")))
    return _form(request)


@router.post("/console/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request) -> Response:
    form = await read_form(request)
    expected = request.cookies.get(PRE_COOKIE, "")
    sent = form.get("csrf", "")
    next_ = form.get("next", "/console")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        return _form(
            request,
            403,
            "The sign-in form expired or was not sent from this page. Please try again.",
            next_,
        )
    token = form.get("token", "").strip()
    if not token:
        return _form(request, 400, "Enter your lead or admin token.", next_)
    state = hub_state(request)
    hashed = token_hash(token)
    client = request.client.host if request.client else ""
    blocked = state.limiter.auth_blocked(client, hashed)
    found = None
    if len(token) <= MAX_TOKEN_CHARS:
        found = await state.tokens.find(hashed, cached_only=bool(blocked))
    now = utc_now()
    if found is None or found.expired(now):
        state.limiter.auth_failed(client, hashed)
        if blocked:
            message = f"Too many failed sign-ins from here; wait {int(blocked) + 1} s and retry."
            return _form(request, 429, message, next_)
        message = "That token is unknown, revoked or expired. Check it and try again."
        return _form(request, 401, message, next_)
    if found.caller.role < Role.LEAD:
        return render(
            request,
            None,
            "refused.html",
            title="Agents use the desktop app",
            status=403,
            heading="Agents use the desktop app",
            message=(
                f"'{found.caller.name}' holds an agent token. The console is for team leads "
                "and admins; agents see their SOPs and own reports in the Agent Assist app. "
                "Sign in with a lead or admin token."
            ),
        )
    session_id = await run_in_threadpool(session.create, state.db, hashed, now)
    response = redirect(safe_next(next_))
    session.set_cookie(response, request, session_id)
    response.delete_cookie(PRE_COOKIE, path="/console/sign-in")
    return response


@router.post("/console/sign-out")
async def sign_out(request: Request, user: LeadUser) -> Response:
    await check_csrf(request, user)
    cookie = request.cookies.get(session.COOKIE, "")
    await run_in_threadpool(session.end, db_of(request), cookie)
    response = redirect("/console/sign-in", notice="Signed out.")
    session.clear_cookie(response, request)
    return response
