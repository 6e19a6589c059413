"""What every console page shares: the signed-in user, rendering, CSRF, redirects.

Page modules (``*_pages.py``) depend on :data:`LeadUser` or :data:`AdminUser` for the user and
call :func:`render`; every POST handler calls :func:`check_csrf` first.  Refusals are raised as
:class:`ConsoleRefusal` and turned into a page or a redirect by the handler that
``console.install`` registers, so a handler never builds an error page itself.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote, urlencode

import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from agent_assist.hub.auth import Role
from agent_assist.hub.console import session
from agent_assist.hub.db import Database
from agent_assist.hub.state import HubState

TEMPLATES = Path(__file__).parent / "templates"
MAX_FORM_BYTES = 1024 * 1024
MAX_FORM_FIELDS = 1000
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class ConsoleUser:
    """A signed-in lead or admin; ``csrf`` is the session's token for hidden form fields."""

    name: str
    role: Role
    csrf: str


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    role: Role = Role.LEAD


@dataclass(frozen=True)
class Tile:
    """A count on the overview that links to its page."""

    label: str
    value: int | str
    href: str
    hint: str = ""


class ConsoleRefusal(Exception):  # noqa: N818 - a refusal, not an error of ours
    """A request the console answers with a page (``status``) or a redirect (``location``)."""

    def __init__(
        self, status: int, heading: str = "", message: str = "", location: str = ""
    ) -> None:
        super().__init__(message or location)
        self.status = status
        self.heading = heading
        self.message = message
        self.location = location


NAV: list[NavItem] = []
"""The navigation, filled by ``console/__init__.py`` (one line per page)."""

OVERVIEW_TILES: list[Callable[[Database, dt.datetime], Tile]] = []
"""Count tiles other pages put on the overview (``console/__init__.py``, one line each)."""


def fmt_seconds(value: float | None) -> str:
    """``125.0`` → ``2 min 5 s``; handle times are read by people, not parsed."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    total = round(float(value))
    if total < 60:
        return f"{value:.1f} s" if value < 10 else f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def fmt_pct(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value * 100:.{digits}f} %"


def fmt_num(value: float | int | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if isinstance(value, int) or value == int(value) else f"{value:,.1f}"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(seconds=fmt_seconds, pct=fmt_pct, num=fmt_num)
    env.globals.update(quote=quote, urlencode=urlencode)
    return env


ENV = environment()


def hub_state(request: Request) -> HubState:
    state: HubState = request.app.state.hub
    return state


def db_of(request: Request) -> Database:
    return hub_state(request).db


def render(
    request: Request,
    user: ConsoleUser | None,
    template: str,
    *,
    title: str,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page ``template`` with the layout's context: user, CSRF token, navigation,
    ``?notice=`` (set by :func:`redirect`) and the title."""
    path = request.url.path
    nav = [
        {"label": n.label, "path": n.path, "current": _current(n.path, path)}
        for n in NAV
        if user is not None and user.role >= n.role
    ]
    html = ENV.get_template(template).render(
        request=request,
        user=user,
        csrf=user.csrf if user else "",
        nav=nav,
        notice=request.query_params.get("notice", "")[:200],
        title=title,
        theme=theme_of(request),
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


THEME_COOKIE = "aa_theme"
THEMES = ("auto", "light", "dark")


def theme_of(request: Request) -> str:
    """The theme the user chose (``auto`` follows the system's light or dark setting)."""
    chosen = request.cookies.get(THEME_COOKIE, "auto")
    return chosen if chosen in THEMES else "auto"


def _current(item: str, path: str) -> bool:
    """Whether the nav entry ``item`` is the page at ``path`` (or a page below it)."""
    return path == item or (item != "/console" and path.startswith(item + "/"))


def redirect(path: str, notice: str = "") -> RedirectResponse:
    """303 See Other after a POST (post/redirect/get), with an optional notice line."""
    if notice:
        path += ("&" if "?" in path else "?") + urlencode({"notice": notice})
    return RedirectResponse(path, status_code=303)


async def read_form(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body, bounded in size and field count."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise ConsoleRefusal(415, "Unsupported form", "This form must be sent as a web form.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise ConsoleRefusal(413, "Form too large", "The form is larger than 1 MiB.")
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS
        )
    except (UnicodeDecodeError, ValueError):
        raise ConsoleRefusal(400, "Unreadable form", "The form could not be read.") from None
    return dict(pairs)


async def check_csrf(request: Request, user: ConsoleUser) -> dict[str, str]:
    """The form of a POST by ``user``, after checking its ``csrf`` field against the
    session's (a missing or wrong one is a 403 page, nothing is done)."""
    form = await read_form(request)
    if not hmac.compare_digest(form.get("csrf", "").encode(), user.csrf.encode()):
        raise ConsoleRefusal(
            403,
            "This form has expired",
            "The form's security token is missing or does not match your session "
            "(it may be from an older sign-in). Go back, reload the page and try again.",
        )
    return form


def signed_in(request: Request) -> ConsoleUser | None:
    found = request.scope.get("state", {}).get("console_user")
    return found if isinstance(found, ConsoleUser) else None


async def current_user(request: Request) -> ConsoleUser | None:
    """The user of the session cookie, or ``None`` (not signed in, expired, token revoked)."""
    cached = signed_in(request)
    if cached is not None:
        return cached
    found = await session.lookup(request)
    if found is None:
        return None
    user = ConsoleUser(found.caller.name, found.caller.role, found.csrf)
    state = request.scope.setdefault("state", {})
    state["console_user"] = user
    state["caller"] = user.name  # for the access log
    return user


def _require(role: Role) -> Callable[[Request], Any]:
    async def check(request: Request) -> ConsoleUser:
        user = await current_user(request)
        if user is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise ConsoleRefusal(
                303, location="/console/sign-in?" + urlencode({"next": target[:500]})
            )
        if user.role < role:
            raise ConsoleRefusal(
                403,
                f"This page is for {role.label}s",
                f"You are signed in as '{user.name}' ({user.role.label}); this page needs the "
                f"{role.label} role. Ask an admin if you need it.",
            )
        return user

    return check


LeadUser = Annotated[ConsoleUser, Depends(_require(Role.LEAD))]
AdminUser = Annotated[ConsoleUser, Depends(_require(Role.ADMIN))]
MaybeUser = Annotated[ConsoleUser | None, Depends(current_user)]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
